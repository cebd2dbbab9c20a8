"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError, apiFetch } from "@/lib/api";
import type { ConnectorAdminView } from "@/server/admin/connectors";

/**
 * Connectors: register one per plant system, rotate or revoke its key. A key exists in clear only in the
 * answer that issued it: it is shown here once, to be copied into the connector's configuration. The
 * push-replay endpoint a connector registered is shown (never its secret); an administrator may allow it
 * to be a private network address.
 */
const KEY = ["admin", "connectors"] as const;
const select = "h-8 rounded-md border border-border bg-surface px-2 text-xs";
const SYSTEMS = ["SAP_ERP", "ODOO", "MES", "QMS", "WMS", "CMMS", "PLM", "SUPPLIER_PORTAL", "PLANNING", "LIMS"] as const;
type Issued = { connector: ConnectorAdminView; key: string | null };

export function ConnectorsAdmin({ initial, plants }: { initial: ConnectorAdminView[]; plants: string[] }) {
  const qc = useQueryClient();
  const connectors = useQuery({
    queryKey: KEY,
    queryFn: async () => (await apiFetch<{ connectors: ConnectorAdminView[] }>("/api/admin/connectors")).connectors,
    initialData: initial,
  });
  const [shown, setShown] = useState<{ name: string; key: string } | null>(null);
  const done = (r: Issued) => {
    setShown(r.key ? { name: `${r.connector.plant} · ${r.connector.name}`, key: r.key } : null);
    return qc.invalidateQueries({ queryKey: KEY });
  };
  const create = useMutation({
    mutationFn: (body: unknown) => apiFetch<Issued>("/api/admin/connectors", { method: "POST", body: JSON.stringify(body) }),
    onSuccess: done,
  });
  const key = useMutation({
    mutationFn: ({ id, action }: { id: string; action: "rotate" | "revoke" }) =>
      apiFetch<Issued>(`/api/admin/connectors/${id}/key`, { method: "POST", body: JSON.stringify({ action }) }),
    onSuccess: done,
  });
  const edit = useMutation({
    mutationFn: ({ id, body }: { id: string; body: unknown }) =>
      apiFetch<ConnectorAdminView>(`/api/admin/connectors/${id}`, { method: "PATCH", body: JSON.stringify(body) }),
    onSuccess: () => qc.invalidateQueries({ queryKey: KEY }),
  });
  const [form, setForm] = useState({ plant: plants[0] ?? "", system: "SAP_ERP", name: "" });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(form, { onSuccess: () => setForm({ ...form, name: "" }) });
  };
  const error = create.error ?? key.error ?? edit.error;
  const busy = create.isPending || key.isPending || edit.isPending;
  return (
    <section aria-labelledby="connectors-h" className="space-y-2 rounded-lg border border-border bg-surface p-4">
      <h2 id="connectors-h" className="text-base font-semibold">
        Connectors
      </h2>
      <p className="text-xs text-muted-foreground">
        One connector per plant system. Its key authenticates ingest, heartbeats and replay pulls; a rotated or revoked key is refused from the next request on,
        and the replay endpoint registered with it is forgotten. Push replays go to public https addresses only, unless private network destinations are allowed
        for that connector.
      </p>
      {error ? (
        <p role="alert" className="text-sm text-danger">
          {error instanceof ApiError ? error.message : "The change failed"}
        </p>
      ) : null}
      {shown ? (
        <div role="status" className="space-y-1 rounded-md border border-warning bg-warning/10 p-3 text-xs" data-testid="issued-key">
          <p>
            <strong>New key for {shown.name}.</strong> It is shown this once: copy it into the connector&apos;s configuration now. Andon keeps only its hash.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <Input readOnly aria-label="Connector key" value={shown.key} className="h-8 w-[28rem] max-w-full font-mono" onFocus={(e) => e.target.select()} />
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
              {["Connector", "Plant · system", "State", "Key", "Replay", ""].map((h) => (
                <th key={h} scope="col" className="py-1 pr-3 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {connectors.data.length === 0 ? (
              <tr>
                <td colSpan={6} className="py-2 text-muted-foreground">
                  No connectors yet: add one below.
                </td>
              </tr>
            ) : null}
            {connectors.data.map((c) => (
              <tr key={c.id} className="border-t border-border" data-connector={`${c.plant}:${c.system}`}>
                <th scope="row" className="py-1.5 pr-3 text-left font-normal">
                  <Input
                    aria-label={`Name of ${c.plant} ${c.system} connector`}
                    className="h-7 w-44"
                    defaultValue={c.name}
                    key={c.name}
                    onBlur={(e) => {
                      if (e.target.value.trim() !== c.name) edit.mutate({ id: c.id, body: { name: e.target.value } });
                    }}
                  />
                </th>
                <td className="py-1.5 pr-3">
                  {c.plant} · {c.system}
                </td>
                <td className="py-1.5 pr-3">
                  {c.state.toLowerCase()}
                  {c.version ? ` · v${c.version}` : ""}
                  {c.lastHeartbeatAt ? <span className="block text-muted-foreground">heartbeat {new Date(c.lastHeartbeatAt).toLocaleString()}</span> : null}
                </td>
                <td className="py-1.5 pr-3 font-mono">
                  {c.keyHint ? (
                    <>
                      {c.keyHint}
                      <span className="block font-sans text-muted-foreground">issued {new Date(c.keyIssuedAt!).toLocaleString()}</span>
                    </>
                  ) : (
                    <span className="font-sans text-danger">no key</span>
                  )}
                </td>
                <td className="py-1.5 pr-3">
                  {c.replayMode} · {c.replayRatePerSec}/s · {c.replayConcurrency} at once
                  {c.replayUrl ? (
                    <code className="block max-w-72 break-all text-muted-foreground" data-testid="replay-url">
                      {c.replayUrl}
                    </code>
                  ) : null}
                  <label className="mt-1 flex items-center gap-1 text-muted-foreground">
                    <input
                      type="checkbox"
                      checked={c.replayAllowPrivate}
                      disabled={busy}
                      aria-label={`Allow private network replay destinations for ${c.plant} ${c.system} connector`}
                      onChange={(e) => {
                        const allow = e.target.checked;
                        if (
                          !allow ||
                          confirm(
                            `Allow push replays of ${c.plant} · ${c.name} to private, loopback and link-local addresses (and plain http)? Only for a connector inside the plant network.`,
                          )
                        )
                          edit.mutate({ id: c.id, body: { replayAllowPrivate: allow } });
                      }}
                    />
                    private network allowed
                  </label>
                </td>
                <td className="py-1.5 whitespace-nowrap">
                  <Button
                    size="sm"
                    variant="secondary"
                    disabled={busy}
                    onClick={() => {
                      if (!c.keyHint || confirm(`Rotate the key of ${c.plant} · ${c.name}? The current key stops working at once.`))
                        key.mutate({ id: c.id, action: "rotate" });
                    }}
                    aria-label={`${c.keyHint ? "Rotate" : "Issue"} key of ${c.plant} ${c.system} connector`}
                  >
                    {c.keyHint ? "Rotate key" : "Issue key"}
                  </Button>{" "}
                  {c.keyHint ? (
                    <Button
                      size="sm"
                      variant="ghost"
                      disabled={busy}
                      onClick={() => {
                        if (confirm(`Revoke the key of ${c.plant} · ${c.name}? The connector is refused until a new key is issued.`))
                          key.mutate({ id: c.id, action: "revoke" });
                      }}
                      aria-label={`Revoke key of ${c.plant} ${c.system} connector`}
                    >
                      Revoke
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
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
            {SYSTEMS.map((s) => (
              <option key={s}>{s}</option>
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
