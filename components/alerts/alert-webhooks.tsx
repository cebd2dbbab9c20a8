"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError, apiFetch } from "@/lib/api";
import { formatCount } from "@/lib/format";
import { alertKeys } from "@/lib/query-keys";
import type { WebhookView } from "@/server/alerts/webhooks";
import type { Severity } from "@/server/db/generated/enums";
import { SEVERITY_LABELS } from "@/lib/labels";

const SEVERITIES: Severity[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];
/** "High or worse": what a webhook's minimum severity lets through. */
const severityChoice = (s: Severity) => (s === "LOW" ? "Every severity" : s === "CRITICAL" ? "Critical only" : `${SEVERITY_LABELS[s]} or worse`);

/**
 * Administrators: where alerts are sent. A new webhook's signing secret is shown once, right after creation.
 * URLs must be public https addresses unless the administrator allows a private network address for that webhook.
 */
export function AlertWebhooks({ initial, plants }: { initial: WebhookView[]; plants: string[] }) {
  const qc = useQueryClient();
  const query = useQuery({
    queryKey: alertKeys.webhooks(),
    queryFn: async () => (await apiFetch<{ webhooks: WebhookView[] }>("/api/alerts/webhooks")).webhooks,
    initialData: initial,
  });
  const [secret, setSecret] = useState<string | null>(null);
  const blank = { name: "", url: "", plantCode: "", allowPrivate: false, minSeverity: "LOW" as Severity };
  const [form, setForm] = useState(blank);
  const create = useMutation({
    mutationFn: (body: unknown) => apiFetch<{ secret: string }>("/api/alerts/webhooks", { method: "POST", body: JSON.stringify(body) }),
    onSuccess: (r) => {
      setSecret(r.secret);
      setForm(blank);
      void qc.invalidateQueries({ queryKey: alertKeys.webhooks() });
    },
  });
  const toggle = useMutation({
    mutationFn: ({ id, ...change }: { id: string; enabled?: boolean; allowPrivate?: boolean; minSeverity?: Severity }) =>
      apiFetch(`/api/alerts/webhooks/${id}`, { method: "PATCH", body: JSON.stringify(change) }),
    onSuccess: () => qc.invalidateQueries({ queryKey: alertKeys.webhooks() }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name: form.name, url: form.url, plantCode: form.plantCode || null, allowPrivate: form.allowPrivate, minSeverity: form.minSeverity });
  };
  const error = create.error ?? toggle.error;
  return (
    <section aria-labelledby="webhooks-heading" className="space-y-2">
      <h2 id="webhooks-heading" className="text-base font-semibold">
        Webhooks
      </h2>
      <p className="text-xs text-muted-foreground">
        Fired, resolved and escalated alerts (<code>alert.escalated</code>, once per rung of the escalation ladder) of the webhook&apos;s minimum severity or
        worse are POSTed as JSON, signed: <code>X-Andon-Signature: t=…,v1=HMAC-SHA256(secret, &quot;t.body&quot;)</code>; <code>X-Andon-Event-Id</code> is
        stable across retries (up to 10, with backoff). Redirects are not followed. The URL must be a public https address unless you allow a private network
        address for that webhook.
      </p>
      {error ? (
        <p role="alert" className="text-sm text-danger">
          {error instanceof ApiError ? error.message : "The change failed"}
        </p>
      ) : null}
      {secret ? (
        <div role="status" className="rounded-lg border border-warning/50 bg-warning/10 px-3 py-2 text-xs">
          Signing secret (shown once; store it in the receiver now):{" "}
          <code className="select-all font-mono" data-testid="webhook-secret">
            {secret}
          </code>
          <Button size="sm" variant="ghost" className="ml-2" onClick={() => setSecret(null)}>
            Done
          </Button>
        </div>
      ) : null}
      {query.data.length === 0 ? (
        <p className="rounded-lg border border-dashed border-border px-4 py-4 text-center text-xs text-muted-foreground">
          No webhooks yet: alerts show in the inbox only. Add one to reach an on-call tool or chat.
        </p>
      ) : (
        <ul className="divide-y divide-border rounded-lg border border-border bg-surface text-xs" aria-label="Webhooks">
          {query.data.map((w) => (
            <li key={w.id} className="flex flex-wrap items-center gap-2 px-3 py-2">
              <span className="font-medium">{w.name}</span>
              <code className="text-muted-foreground">{w.url}</code>
              <span className="text-muted-foreground">{w.plantCode ? `plant ${w.plantCode}` : "every plant"}</span>
              <label className="flex items-center gap-1 text-muted-foreground">
                <input
                  type="checkbox"
                  checked={w.allowPrivate}
                  disabled={toggle.isPending}
                  aria-label={`Allow a private network address for ${w.name}`}
                  onChange={(e) => toggle.mutate({ id: w.id, allowPrivate: e.target.checked })}
                />
                private network
              </label>
              <select
                className="h-7 rounded-md border border-border bg-surface px-2 text-xs"
                value={w.minSeverity}
                disabled={toggle.isPending}
                aria-label={`Minimum severity sent to ${w.name}`}
                onChange={(e) => toggle.mutate({ id: w.id, minSeverity: e.target.value as Severity })}
              >
                {SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {severityChoice(s)}
                  </option>
                ))}
              </select>
              <span className="ml-auto tabular-nums">
                {formatCount(w.delivered)} delivered · {formatCount(w.pending)} pending · {formatCount(w.failed)} failed
                {w.lastError ? ` · last error: ${w.lastError}` : ""}
              </span>
              <Button size="sm" variant="secondary" disabled={toggle.isPending} onClick={() => toggle.mutate({ id: w.id, enabled: !w.enabled })}>
                {w.enabled ? "Pause" : "Resume"}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} aria-label="New webhook" className="flex flex-wrap items-end gap-2 rounded-lg border border-border bg-surface p-3 text-xs">
        <label className="grid gap-1">
          Name
          <Input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required minLength={3} className="h-8 w-48" />
        </label>
        <label className="grid gap-1">
          URL
          <Input
            type="url"
            value={form.url}
            onChange={(e) => setForm({ ...form, url: e.target.value })}
            required
            placeholder="https://…"
            className="h-8 w-72"
          />
        </label>
        <label className="grid gap-1">
          Plant
          <select
            className="h-8 rounded-md border border-border bg-surface px-2 text-xs"
            value={form.plantCode}
            onChange={(e) => setForm({ ...form, plantCode: e.target.value })}
          >
            <option value="">Every plant</option>
            {plants.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          Severities sent
          <select
            className="h-8 rounded-md border border-border bg-surface px-2 text-xs"
            value={form.minSeverity}
            onChange={(e) => setForm({ ...form, minSeverity: e.target.value as Severity })}
          >
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {severityChoice(s)}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1 self-center">
          <input type="checkbox" checked={form.allowPrivate} onChange={(e) => setForm({ ...form, allowPrivate: e.target.checked })} />
          Private network address (http allowed)
        </label>
        <Button type="submit" size="sm" disabled={create.isPending}>
          Add webhook
        </Button>
      </form>
    </section>
  );
}
