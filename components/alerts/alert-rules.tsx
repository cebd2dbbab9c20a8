"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError, apiFetch } from "@/lib/api";
import { alertKeys } from "@/lib/query-keys";
import type { RuleView } from "@/server/alerts/rules";

/**
 * Alert rules: everyone who reads alerts sees what each rule checks; administrators change thresholds
 * and windows, switch rules on and off, and add rules (all audited on the server).
 */
const KINDS = [
  ["BACKLOG_ABOVE", "Backlog above N open exceptions", "N"],
  ["OLDEST_ABOVE", "Oldest open exception older than N seconds", "seconds"],
  ["P95_ABOVE_SLO", "p95 latency above the SLO for M minutes", "—"],
  ["FAILURE_RATE_ABOVE", "Failure rate above N % over M minutes", "%"],
  ["CONNECTOR_SILENT", "Connector silent for N seconds", "seconds"],
] as const;
const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;

export function AlertRules({ initial, canEdit, plants }: { initial: RuleView[]; canEdit: boolean; plants: string[] }) {
  const qc = useQueryClient();
  const query = useQuery({
    queryKey: alertKeys.rules(),
    queryFn: async () => (await apiFetch<{ rules: RuleView[] }>("/api/alerts/rules")).rules,
    initialData: initial,
  });
  const save = useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: unknown }) =>
      apiFetch<RuleView>(id ? `/api/alerts/rules/${id}` : "/api/alerts/rules", { method: id ? "PATCH" : "POST", body: JSON.stringify(body) }),
    onSuccess: () => qc.invalidateQueries({ queryKey: alertKeys.rules() }),
  });
  const evaluate = useMutation({ mutationFn: () => apiFetch("/api/alerts/evaluate", { method: "POST" }) });
  const [edits, setEdits] = useState<Record<string, { threshold: string; windowMinutes: string }>>({});
  const rules = query.data;

  return (
    <section aria-labelledby="rules-heading" className="space-y-2">
      <div className="flex items-center gap-2">
        <h2 id="rules-heading" className="mr-auto text-base font-semibold">
          Rules
        </h2>
        {evaluate.isSuccess ? (
          <span role="status" className="text-xs text-muted-foreground">
            Evaluation queued: results appear in the inbox.
          </span>
        ) : null}
        {canEdit ? (
          <Button size="sm" variant="secondary" disabled={evaluate.isPending} onClick={() => evaluate.mutate()}>
            Evaluate now
          </Button>
        ) : null}
      </div>
      <p className="text-xs text-muted-foreground">
        Evaluated every minute. A rule fires once per subject while its condition holds and resolves when it clears;{" "}
        {canEdit ? "changes are audited." : "administrators edit them."}
      </p>
      {save.error ? (
        <p role="alert" className="text-sm text-danger">
          {save.error instanceof ApiError ? save.error.message : "Could not save the rule"}
        </p>
      ) : null}
      <section
        aria-label="Alert rules"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
        tabIndex={0}
        className="overflow-x-auto rounded-lg border border-border bg-surface focus-visible:outline-2 focus-visible:outline-ring"
      >
        <table className="w-full text-left text-xs">
          <caption className="sr-only">Alert rules</caption>
          <thead className="bg-muted text-muted-foreground">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                Rule
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Condition
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Threshold
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Window (min)
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                Severity
              </th>
              <th scope="col" className="px-3 py-2 font-medium">
                State
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => {
              const e = edits[r.id] ?? { threshold: String(r.threshold), windowMinutes: String(r.windowMinutes) };
              const dirty = e.threshold !== String(r.threshold) || e.windowMinutes !== String(r.windowMinutes);
              return (
                <tr key={r.id} className="border-t border-border" data-rule={r.name}>
                  <th scope="row" className="px-3 py-1.5 font-normal">
                    {r.name}
                  </th>
                  <td className="px-3 py-1.5 text-muted-foreground">{r.description}</td>
                  <td className="px-3 py-1.5">
                    {canEdit && r.kind !== "P95_ABOVE_SLO" ? (
                      <Input
                        aria-label={`Threshold of ${r.name}`}
                        className="h-7 w-24"
                        inputMode="decimal"
                        value={e.threshold}
                        onChange={(ev) => setEdits({ ...edits, [r.id]: { ...e, threshold: ev.target.value } })}
                      />
                    ) : r.kind === "P95_ABOVE_SLO" ? (
                      "the SLO"
                    ) : (
                      r.threshold
                    )}
                  </td>
                  <td className="px-3 py-1.5">
                    {canEdit && (r.kind === "P95_ABOVE_SLO" || r.kind === "FAILURE_RATE_ABOVE") ? (
                      <Input
                        aria-label={`Window of ${r.name}`}
                        className="h-7 w-20"
                        inputMode="numeric"
                        value={e.windowMinutes}
                        onChange={(ev) => setEdits({ ...edits, [r.id]: { ...e, windowMinutes: ev.target.value } })}
                      />
                    ) : r.kind === "P95_ABOVE_SLO" || r.kind === "FAILURE_RATE_ABOVE" ? (
                      r.windowMinutes
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="px-3 py-1.5">
                    <Badge tone={SEV_TONE[r.severity]}>{r.severity.toLowerCase()}</Badge>
                  </td>
                  <td className="px-3 py-1.5">
                    {canEdit ? (
                      <div className="flex gap-1">
                        {dirty ? (
                          <Button
                            size="sm"
                            disabled={save.isPending}
                            onClick={() =>
                              save.mutate(
                                { id: r.id, body: { threshold: Number(e.threshold), windowMinutes: Number(e.windowMinutes) } },
                                { onSuccess: () => setEdits(({ [r.id]: _, ...rest }) => rest) },
                              )
                            }
                          >
                            Save
                          </Button>
                        ) : null}
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={save.isPending}
                          onClick={() => save.mutate({ id: r.id, body: { enabled: !r.enabled } })}
                        >
                          {r.enabled ? "Disable" : "Enable"}
                        </Button>
                      </div>
                    ) : r.enabled ? (
                      "enabled"
                    ) : (
                      "disabled"
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      {canEdit ? <NewRule plants={plants} onSave={(body) => save.mutateAsync({ id: null, body })} pending={save.isPending} /> : null}
    </section>
  );
}

function NewRule({ plants, onSave, pending }: { plants: string[]; onSave: (body: unknown) => Promise<unknown>; pending: boolean }) {
  const [form, setForm] = useState({
    name: "",
    kind: "BACKLOG_ABOVE",
    threshold: "10",
    windowMinutes: "15",
    plantCode: "",
    interfaceCode: "",
    criticality: "",
    severity: "HIGH",
  });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await onSave({
      name: form.name,
      kind: form.kind,
      threshold: Number(form.threshold),
      windowMinutes: Number(form.windowMinutes),
      severity: form.severity,
      plantCode: form.plantCode || null,
      interfaceCode: form.interfaceCode.trim() || null,
      criticality: form.criticality || null,
    })
      .then(() => setForm({ ...form, name: "" }))
      .catch(() => undefined);
  };
  const select = "h-8 rounded-md border border-border bg-surface px-2 text-xs";
  return (
    <form onSubmit={submit} aria-label="New alert rule" className="flex flex-wrap items-end gap-2 rounded-lg border border-border bg-surface p-3 text-xs">
      <label className="grid gap-1">
        Name
        <Input value={form.name} onChange={set("name")} required minLength={3} className="h-8 w-56" />
      </label>
      <label className="grid gap-1">
        Condition
        <select className={select} value={form.kind} onChange={set("kind")}>
          {KINDS.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label className="grid gap-1">
        Threshold ({KINDS.find((k) => k[0] === form.kind)![2]})
        <Input value={form.threshold} onChange={set("threshold")} inputMode="decimal" className="h-8 w-24" />
      </label>
      <label className="grid gap-1">
        Window (min)
        <Input value={form.windowMinutes} onChange={set("windowMinutes")} inputMode="numeric" className="h-8 w-20" />
      </label>
      <label className="grid gap-1">
        Plant
        <select className={select} value={form.plantCode} onChange={set("plantCode")}>
          <option value="">Every plant</option>
          {plants.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <label className="grid gap-1">
        Interface code
        <Input value={form.interfaceCode} onChange={set("interfaceCode")} placeholder="any" className="h-8 w-36" />
      </label>
      <label className="grid gap-1">
        Criticality
        <select className={select} value={form.criticality} onChange={set("criticality")}>
          <option value="">any</option>
          {["CRITICAL", "HIGH", "MEDIUM", "LOW"].map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <label className="grid gap-1">
        Severity
        <select className={select} value={form.severity} onChange={set("severity")}>
          {["CRITICAL", "HIGH", "MEDIUM", "LOW"].map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
      <Button type="submit" size="sm" disabled={pending}>
        Add rule
      </Button>
    </form>
  );
}
