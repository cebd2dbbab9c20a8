"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { focusElement, useAnnounce } from "@/components/ui/announcer";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { ConfirmDialog, Dialog, DialogClose, DialogContent } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Time } from "@/components/ui/time";
import { ApiError, apiFetch } from "@/lib/api";
import { formatCount } from "@/lib/format";
import { CONNECTOR_STATE_LABELS, labelOf, SYSTEM_LABELS } from "@/lib/labels";
import type { ConnectorAdminView } from "@/server/admin/connectors";

/**
 * Connectors: register one per plant system, edit its name and replay settings, rotate or revoke its
 * key, take it out of service and back. A key exists in clear only in the answer that issued it: it is
 * shown here once, to be copied into the connector's configuration. The push-replay endpoint a connector
 * registered is shown (never its secret). Every change is confirmed in the app's own dialog, saved
 * explicitly, confirmed on the page and read out.
 */
const KEY = ["admin", "connectors"] as const;
const select = "h-8 rounded-md border border-border bg-surface px-2 text-xs";
type Issued = { connector: ConnectorAdminView; key: string | null };
type Confirm = { kind: "rotate" | "revoke" | "disable"; c: ConnectorAdminView };

const title = (c: ConnectorAdminView) => `${c.plant} · ${c.name}`;
const systemOf = (c: { system: string }) => labelOf(SYSTEM_LABELS, c.system);
const errorText = (e: unknown, fallback: string) => (e instanceof ApiError ? e.message : e ? fallback : null);

export function ConnectorsAdmin({ initial, plants }: { initial: ConnectorAdminView[]; plants: string[] }) {
  const qc = useQueryClient();
  const announce = useAnnounce();
  const connectors = useQuery({
    queryKey: KEY,
    queryFn: async () => (await apiFetch<{ connectors: ConnectorAdminView[] }>("/api/admin/connectors")).connectors,
    initialData: initial,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: KEY });
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [editing, setEditing] = useState<ConnectorAdminView | null>(null);
  const keyInput = useRef<HTMLInputElement>(null);
  const outcomeLine = useRef<HTMLParagraphElement>(null);
  /** Where focus goes once a confirmation closes after its action: the new key, or the outcome (the button pressed may be gone). */
  const focusAfter = useRef<"key" | "outcome" | null>(null);
  const tell = (message: string) => {
    setOutcome(message);
    announce(message);
  };

  const create = useMutation({
    mutationFn: (body: unknown) => apiFetch<Issued>("/api/admin/connectors", { method: "POST", body: JSON.stringify(body) }),
    onSuccess: async (r) => {
      setShown(r.key ? { name: title(r.connector), key: r.key } : null);
      tell(`Added ${title(r.connector)}. Its key is shown once below.`);
      await refresh();
      focusElement(keyInput.current);
    },
  });
  const act = useMutation({
    mutationFn: ({ kind, c }: Confirm | { kind: "issue" | "enable"; c: ConnectorAdminView }) =>
      kind === "disable" || kind === "enable"
        ? apiFetch<ConnectorAdminView>(`/api/admin/connectors/${c.id}/service`, { method: "POST", body: JSON.stringify({ enabled: kind === "enable" }) }).then(
            (connector): Issued => ({ connector, key: null }),
          )
        : apiFetch<Issued>(`/api/admin/connectors/${c.id}/key`, { method: "POST", body: JSON.stringify({ action: kind === "revoke" ? "revoke" : "rotate" }) }),
    onSuccess: async (r, { kind }) => {
      const name = title(r.connector);
      if (r.key) setShown({ name, key: r.key });
      focusAfter.current = r.key ? "key" : "outcome";
      tell(
        {
          rotate: `New key for ${name}: the previous key is refused from now on. Copy the new key below; it is shown once.`,
          issue: `Key issued for ${name}. Copy it below; it is shown once.`,
          revoke: `Key of ${name} revoked: its requests are refused until a new key is issued.`,
          disable: `${name} is disabled: its key is refused and it raises no silent-connector alert.`,
          enable: `${name} is enabled again: its key is accepted.`,
        }[kind],
      );
      setConfirm(null);
      await refresh();
      // Without a dialog (issue, enable) the pressed button is replaced: focus the result at once.
      if (kind === "issue" || kind === "enable") focusElement(r.key ? keyInput.current : outcomeLine.current);
    },
  });

  const [form, setForm] = useState({ plant: plants[0] ?? "", system: "SAP_ERP", name: "" });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(form, { onSuccess: () => setForm({ ...form, name: "" }) });
  };
  const busy = create.isPending || act.isPending;
  const open = (next: Confirm) => {
    act.reset();
    setConfirm(next);
  };

  return (
    <section aria-labelledby="connectors-h" className="space-y-2 rounded-lg border border-border bg-surface p-4">
      <h2 id="connectors-h" className="text-base font-semibold">
        Connectors
      </h2>
      <p className="text-xs text-muted-foreground">
        One connector per plant system. Its key authenticates ingest, heartbeats and replay pulls; a rotated or revoked key is refused from the next request on,
        and the replay endpoint registered with it is forgotten. A disabled connector is out of service: its key is refused, it raises no silent-connector alert
        and leaves the dashboards&apos; connector health until it is enabled again.
      </p>
      {create.error || (act.error && !confirm) ? (
        <p role="alert" className="text-sm text-danger">
          {errorText(create.error ?? act.error, "The change failed")}
        </p>
      ) : null}
      {outcome ? (
        <p ref={outcomeLine} className="text-xs" data-testid="connectors-outcome">
          {outcome}
        </p>
      ) : null}
      {shown ? (
        <div className="space-y-1 rounded-md border border-warning bg-warning/10 p-3 text-xs" data-testid="issued-key">
          <p>
            <strong>New key for {shown.name}.</strong> It is shown this once: copy it into the connector&apos;s configuration now. Andon keeps only its hash.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <Input
              ref={keyInput}
              readOnly
              aria-label="Connector key"
              value={shown.key}
              className="h-8 w-[28rem] max-w-full font-mono"
              onFocus={(e) => e.target.select()}
            />
            <Button size="sm" variant="secondary" onClick={() => void navigator.clipboard?.writeText(shown.key)}>
              Copy
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setShown(null)}>
              I have stored it
            </Button>
          </div>
        </div>
      ) : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
      <section aria-label="Connectors" tabIndex={0} className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-ring">
        <table className="w-full text-left text-xs">
          <caption className="sr-only">Connectors</caption>
          <thead className="text-muted-foreground">
            <tr>
              {["Connector", "State", "Key", "Replays", "Actions"].map((h) => (
                <th key={h} scope="col" className="py-1 pr-3 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {connectors.data.length === 0 ? (
              <tr>
                <td colSpan={5} className="py-2 text-muted-foreground">
                  No connectors yet: add one below.
                </td>
              </tr>
            ) : null}
            {connectors.data.map((c) => (
              <tr
                key={c.id}
                className="border-t border-border align-top"
                data-connector={`${c.plant}:${c.system}`}
                data-disabled={c.disabledAt ? "true" : "false"}
              >
                <th scope="row" className="py-1.5 pr-3 text-left font-normal">
                  <span className="font-medium">{c.name}</span>
                  <span className="block text-muted-foreground">
                    {c.plant} · {systemOf(c)}
                  </span>
                </th>
                <td className="py-1.5 pr-3">
                  {c.disabledAt ? (
                    <>
                      <Badge tone="outline">Disabled</Badge>
                      <span className="block text-muted-foreground">
                        since <Time iso={c.disabledAt} plantZone={c.plantZone} />
                      </span>
                    </>
                  ) : (
                    <>
                      {labelOf(CONNECTOR_STATE_LABELS, c.state)}
                      {c.version ? ` · v${c.version}` : ""}
                      {c.lastHeartbeatAt ? (
                        <span className="block text-muted-foreground">
                          last heartbeat <Time iso={c.lastHeartbeatAt} plantZone={c.plantZone} />
                        </span>
                      ) : null}
                    </>
                  )}
                </td>
                <td className="py-1.5 pr-3">
                  {c.keyHint ? (
                    <>
                      <span className="font-mono">{c.keyHint}</span>
                      <span className="block text-muted-foreground">
                        issued <Time iso={c.keyIssuedAt} plantZone={c.plantZone} />
                      </span>
                    </>
                  ) : (
                    <span className="text-danger">No key</span>
                  )}
                </td>
                <td className="py-1.5 pr-3" data-testid="replay-settings">
                  {c.replayMode === "push" ? "Push" : "Pull"} · {formatCount(c.replayRatePerSec)}&nbsp;/s · {formatCount(c.replayConcurrency)} at once
                  {c.replayUrl ? (
                    <code className="block max-w-72 break-all text-muted-foreground" data-testid="replay-url">
                      {c.replayUrl}
                    </code>
                  ) : null}
                  {c.replayAllowPrivate ? <span className="block text-muted-foreground">private network allowed</span> : null}
                </td>
                <td className="py-1.5">
                  <div className="flex flex-wrap gap-1">
                    <Button size="sm" variant="secondary" disabled={busy} onClick={() => setEditing(c)} aria-label={`Edit ${c.plant} ${systemOf(c)} connector`}>
                      Edit…
                    </Button>
                    {c.keyHint ? (
                      <>
                        <Button
                          size="sm"
                          variant="secondary"
                          disabled={busy}
                          onClick={() => open({ kind: "rotate", c })}
                          aria-label={`Rotate key of ${c.plant} ${systemOf(c)} connector`}
                        >
                          Rotate key…
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          disabled={busy}
                          onClick={() => open({ kind: "revoke", c })}
                          aria-label={`Revoke key of ${c.plant} ${systemOf(c)} connector`}
                        >
                          Revoke…
                        </Button>
                      </>
                    ) : (
                      <Button
                        size="sm"
                        variant="secondary"
                        disabled={busy}
                        onClick={() => act.mutate({ kind: "issue", c })}
                        aria-label={`Issue key of ${c.plant} ${systemOf(c)} connector`}
                      >
                        Issue key
                      </Button>
                    )}
                    {c.disabledAt ? (
                      <Button
                        size="sm"
                        variant="secondary"
                        disabled={busy}
                        onClick={() => act.mutate({ kind: "enable", c })}
                        aria-label={`Enable ${c.plant} ${systemOf(c)} connector`}
                      >
                        Enable
                      </Button>
                    ) : (
                      <Button
                        size="sm"
                        variant="ghost"
                        disabled={busy}
                        onClick={() => open({ kind: "disable", c })}
                        aria-label={`Disable ${c.plant} ${systemOf(c)} connector`}
                      >
                        Disable…
                      </Button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <ConfirmDialog
        open={confirm !== null}
        onOpenChange={(o) => {
          if (!o) setConfirm(null);
        }}
        {...(confirm ? CONFIRM[confirm.kind](confirm.c) : { title: "", consequence: "", confirmLabel: "" })}
        pending={act.isPending}
        error={errorText(act.error, "The change failed")}
        onConfirm={() => confirm && act.mutate(confirm)}
        onCloseAutoFocus={(e) => {
          // After the action its result takes focus (the new key, or the outcome); after Cancel it returns to the button.
          const target = focusAfter.current === "key" ? keyInput.current : focusAfter.current === "outcome" ? outcomeLine.current : null;
          focusAfter.current = null;
          if (target) {
            e.preventDefault();
            focusElement(target);
          }
        }}
      />
      {editing ? (
        <EditConnector
          c={editing}
          onClose={() => setEditing(null)}
          onSaved={async (saved, what) => {
            setEditing(null);
            tell(`Saved ${title(saved)}: ${what}.`);
            await refresh();
          }}
        />
      ) : null}
      <form onSubmit={submit} aria-label="New connector" className="flex flex-wrap items-end gap-2 text-xs">
        <label className="grid gap-1">
          Plant
          <select className={select} value={form.plant} onChange={(e) => setForm({ ...form, plant: e.target.value })}>
            {plants.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          System
          <select className={select} value={form.system} onChange={(e) => setForm({ ...form, system: e.target.value })}>
            {Object.entries(SYSTEM_LABELS).map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          Connector name
          <Input required minLength={2} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} className="h-8 w-48" />
        </label>
        <Button type="submit" size="sm" disabled={busy || !form.plant}>
          Add connector
        </Button>
      </form>
    </section>
  );
}

/** What each confirmation says will happen, before it happens. */
const CONFIRM: Record<Confirm["kind"], (c: ConnectorAdminView) => { title: string; consequence: string; confirmLabel: string; danger?: boolean }> = {
  rotate: (c) => ({
    title: `Rotate the key of ${title(c)}?`,
    consequence: `A new key is issued and shown once. The current key (${c.keyHint}) is refused from the next request on, and the replay endpoint registered with it is forgotten: the connector needs the new key before it can send again.`,
    confirmLabel: "Rotate key",
    danger: true,
  }),
  revoke: (c) => ({
    title: `Revoke the key of ${title(c)}?`,
    consequence: `The key ${c.keyHint} is removed: every request of this connector is refused until an administrator issues a new key. Its replay endpoint is forgotten.`,
    confirmLabel: "Revoke key",
    danger: true,
  }),
  disable: (c) => ({
    title: `Disable ${title(c)}?`,
    consequence:
      "The connector is taken out of service: its key is refused (ingest, heartbeats, replay pulls), it raises no silent-connector alert and leaves the dashboards' connector health. Nothing is deleted; enabling it again restores it with the same key.",
    confirmLabel: "Disable connector",
    danger: true,
  }),
};

/** Name, replay mode and limits, private destinations: edited together, saved explicitly (and audited on the server). */
function EditConnector({
  c,
  onClose,
  onSaved,
}: {
  c: ConnectorAdminView;
  onClose: () => void;
  onSaved: (saved: ConnectorAdminView, what: string) => Promise<void>;
}) {
  const [name, setName] = useState(c.name);
  const [mode, setMode] = useState(c.replayMode);
  const [rate, setRate] = useState(String(c.replayRatePerSec));
  const [concurrency, setConcurrency] = useState(String(c.replayConcurrency));
  const [allowPrivate, setAllowPrivate] = useState(c.replayAllowPrivate);
  const save = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      apiFetch<ConnectorAdminView>(`/api/admin/connectors/${c.id}`, { method: "PATCH", body: JSON.stringify(body) }),
  });
  const changes = {
    ...(name.trim() !== c.name ? { name: name.trim() } : {}),
    ...(mode !== c.replayMode ? { replayMode: mode } : {}),
    ...(Number(rate) !== c.replayRatePerSec ? { replayRatePerSec: Number(rate) } : {}),
    ...(Number(concurrency) !== c.replayConcurrency ? { replayConcurrency: Number(concurrency) } : {}),
    ...(allowPrivate !== c.replayAllowPrivate ? { replayAllowPrivate: allowPrivate } : {}),
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (Object.keys(changes).length === 0) return onClose();
    save.mutate(changes, {
      onSuccess: (saved) =>
        onSaved(
          saved,
          [
            "name" in changes ? `name “${saved.name}”` : null,
            "replayMode" in changes ? `replays ${saved.replayMode === "push" ? "pushed" : "pulled"}` : null,
            "replayRatePerSec" in changes || "replayConcurrency" in changes
              ? `replay limits ${formatCount(saved.replayRatePerSec)} per second, ${formatCount(saved.replayConcurrency)} at once`
              : null,
            "replayAllowPrivate" in changes ? (saved.replayAllowPrivate ? "private network destinations allowed" : "public destinations only") : null,
          ]
            .filter(Boolean)
            .join(", "),
        ),
    });
  };
  const field = "grid gap-1 text-xs";
  return (
    <Dialog open onOpenChange={(o) => (o ? undefined : onClose())}>
      <DialogContent title={`Edit ${title(c)}`} description={`${c.plant} · ${systemOf(c)}. Changes are saved when you press Save, and audited.`}>
        <form onSubmit={submit} aria-label={`Edit ${title(c)}`} className="space-y-3">
          <label className={field}>
            Name
            <Input required minLength={2} maxLength={80} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <fieldset className="space-y-1 text-xs">
            <legend className="font-medium">Replay mode</legend>
            <label className="flex items-start gap-2">
              <input type="radio" name="mode" value="push" checked={mode === "push"} disabled={c.replayMode === "pull"} onChange={() => setMode("push")} />
              <span>
                Push: Andon sends replays to the endpoint the connector registered
                {c.replayMode === "pull" ? " (none registered: the connector registers one with its key)" : ""}
              </span>
            </label>
            <label className="flex items-start gap-2">
              <input type="radio" name="mode" value="pull" checked={mode === "pull"} onChange={() => setMode("pull")} />
              <span>Pull: the connector fetches its replays{c.replayMode === "push" ? " (its registered endpoint is forgotten)" : ""}</span>
            </label>
          </fieldset>
          <div className="flex flex-wrap gap-3">
            <label className={field}>
              Replays per second (1–1,000)
              <Input type="number" required min={1} max={1000} step={1} value={rate} onChange={(e) => setRate(e.target.value)} className="w-28" />
            </label>
            <label className={field}>
              Replays at once (1–64)
              <Input type="number" required min={1} max={64} step={1} value={concurrency} onChange={(e) => setConcurrency(e.target.value)} className="w-28" />
            </label>
          </div>
          <label className="flex items-start gap-2 text-xs">
            <input type="checkbox" checked={allowPrivate} onChange={(e) => setAllowPrivate(e.target.checked)} />
            <span>
              Allow private network destinations: push replays may go to private, loopback and link-local addresses (and plain http). Only for a connector
              inside the plant network.
            </span>
          </label>
          {save.error ? (
            <p role="alert" className="text-xs text-danger">
              {errorText(save.error, "Could not save the connector")}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button type="button" variant="secondary">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" disabled={save.isPending}>
              Save
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
