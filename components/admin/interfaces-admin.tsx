"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import jsonpatch from "fast-json-patch";
import { useState } from "react";
import { PatchView } from "@/components/corrections/patch-view";
import { useAnnounce } from "@/components/ui/announcer";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { JsonEditor } from "@/components/ui/json-editor";
import { useUserZone } from "@/components/ui/time";
import { ApiError, apiFetch } from "@/lib/api";
import { formatInstant } from "@/lib/format";
import { BUSINESS_PROCESS_LABELS, CRITICALITY_LABELS, labelOf, SYSTEM_LABELS } from "@/lib/labels";
import type { InterfaceAdminView, SchemaVersionView } from "@/server/admin/interfaces";

/** Interfaces: SLO, criticality, approval rule and plants per interface, and its payload JSON Schema versions with their diffs. */
const KEY = ["admin", "interfaces"] as const;
const select = "h-7 rounded-md border border-border bg-surface px-2 text-xs";
const CRITICALITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;

type Change = Partial<Pick<InterfaceAdminView, "latencySloMs" | "criticality" | "requiresApproval" | "lateAfterFactor" | "lateEscalateFactor" | "process">> & {
  plants?: Record<string, boolean>;
};

function applyChange(i: InterfaceAdminView, { plants, ...fields }: Change): InterfaceAdminView {
  const next = { ...i, ...fields };
  if (plants) {
    const map = new Map(i.plants.map((p) => [p.code, p.enabled]));
    for (const [code, enabled] of Object.entries(plants)) map.set(code, enabled);
    next.plants = [...map].map(([code, enabled]) => ({ code, enabled })).sort((a, b) => a.code.localeCompare(b.code));
  }
  return next;
}

/** What a change did, in words: "SLO 60 s", "criticality High", "enabled at DE-HAM". */
function describeChange({ plants, ...fields }: Change): string {
  return [
    fields.latencySloMs !== undefined ? `SLO ${fields.latencySloMs / 1000} s` : null,
    fields.criticality ? `criticality ${CRITICALITY_LABELS[fields.criticality]}` : null,
    fields.requiresApproval !== undefined ? (fields.requiresApproval ? "approval required" : "no approval required") : null,
    fields.lateAfterFactor !== undefined ? `late after ${fields.lateAfterFactor} × SLO` : null,
    fields.lateEscalateFactor !== undefined ? `escalated after ${fields.lateEscalateFactor} × SLO` : null,
    fields.process ? `process ${BUSINESS_PROCESS_LABELS[fields.process]}` : null,
    ...Object.entries(plants ?? {}).map(([code, on]) => `${on ? "enabled at" : "disabled at"} ${code}`),
  ]
    .filter(Boolean)
    .join(", ");
}

export function InterfacesAdmin({ initial, plants }: { initial: InterfaceAdminView[]; plants: string[] }) {
  const qc = useQueryClient();
  const announce = useAnnounce();
  const [outcome, setOutcome] = useState<string | null>(null);
  const interfaces = useQuery({
    queryKey: KEY,
    queryFn: async () => (await apiFetch<{ interfaces: InterfaceAdminView[] }>("/api/admin/interfaces")).interfaces,
    initialData: initial,
  });
  // Optimistic: a ticked box or a new SLO shows at once; a refusal puts the server's values back.
  const save = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Change }) =>
      apiFetch<InterfaceAdminView>(`/api/admin/interfaces/${id}`, { method: "PATCH", body: JSON.stringify(body) }),
    onMutate: async ({ id, body }) => {
      await qc.cancelQueries({ queryKey: KEY });
      const before = qc.getQueryData<InterfaceAdminView[]>(KEY);
      qc.setQueryData<InterfaceAdminView[]>(KEY, (list) => list?.map((i) => (i.id === id ? applyChange(i, body) : i)));
      return { before };
    },
    onError: (_err, _vars, ctx) => qc.setQueryData(KEY, ctx?.before),
    onSuccess: (saved, { body }) => {
      const message = `Saved ${saved.code}: ${describeChange(body)}.`;
      setOutcome(message);
      announce(message);
    },
    onSettled: () => qc.invalidateQueries({ queryKey: KEY }),
  });
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section aria-labelledby="interfaces-h" className="space-y-2 rounded-lg border border-border bg-surface p-4">
      <h2 id="interfaces-h" className="text-base font-semibold">
        Interfaces
      </h2>
      <p className="text-xs text-muted-foreground">
        The latency SLO drives dashboards and alerts; &quot;approval&quot; means a corrected payload needs a second person before it is replayed. Schema
        versions are never replaced: corrections keep the version they were checked against.
      </p>
      {save.error ? (
        <p role="alert" className="text-sm text-danger">
          {save.error instanceof ApiError ? save.error.message : "The change failed"}
        </p>
      ) : null}
      {outcome ? (
        <p className="text-xs" data-testid="interfaces-outcome">
          {outcome}
        </p>
      ) : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
      <section aria-label="Interfaces" tabIndex={0} className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-ring">
        <table className="w-full text-left text-xs">
          <caption className="sr-only">Interfaces</caption>
          <thead className="text-muted-foreground">
            <tr>
              {["Interface", "SLO (s)", "Criticality", "Approval", "Late / escalate (× SLO), process", "Plants", "Schema"].map((h) => (
                <th key={h} scope="col" className="py-1 pr-3 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {interfaces.data.map((i) => (
              <InterfaceRow
                key={i.id}
                i={i}
                plants={plants}
                busy={save.isPending}
                open={open === i.id}
                onToggle={() => setOpen(open === i.id ? null : i.id)}
                onSave={(body) => save.mutate({ id: i.id, body })}
              />
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}

function InterfaceRow({
  i,
  plants,
  busy,
  open,
  onToggle,
  onSave,
}: {
  i: InterfaceAdminView;
  plants: string[];
  busy: boolean;
  open: boolean;
  onToggle: () => void;
  onSave: (body: Change) => void;
}) {
  const enabled = new Map(i.plants.map((p) => [p.code, p.enabled]));
  return (
    <>
      <tr className="border-t border-border align-top" data-interface={i.code}>
        <th scope="row" className="py-1.5 pr-3 text-left font-normal">
          <span className="font-mono">{i.code}</span>
          <span className="block text-muted-foreground">
            {i.name} · {labelOf(SYSTEM_LABELS, i.sourceSystem)} → {i.targetSystems.map((t) => labelOf(SYSTEM_LABELS, t)).join(", ")}
          </span>
        </th>
        <td className="py-1.5 pr-3">
          <NumberField
            label={`SLO of ${i.code} in seconds`}
            value={i.latencySloMs / 1000}
            min={0.001}
            className="w-24"
            busy={busy}
            onSave={(seconds) => onSave({ latencySloMs: Math.round(seconds * 1000) })}
          />
        </td>
        <td className="py-1.5 pr-3">
          <select
            aria-label={`Criticality of ${i.code}`}
            className={select}
            value={i.criticality}
            disabled={busy}
            onChange={(e) => onSave({ criticality: e.target.value as InterfaceAdminView["criticality"] })}
          >
            {CRITICALITIES.map((c) => (
              <option key={c} value={c}>
                {CRITICALITY_LABELS[c]}
              </option>
            ))}
          </select>
        </td>
        <td className="py-1.5 pr-3">
          <label className="flex items-center gap-1">
            <input type="checkbox" checked={i.requiresApproval} disabled={busy} onChange={(e) => onSave({ requiresApproval: e.target.checked })} />
            required
          </label>
        </td>
        <td className="py-1.5 pr-3">
          <div className="flex flex-wrap items-center gap-1">
            {(["lateAfterFactor", "lateEscalateFactor"] as const).map((f) => (
              <NumberField
                key={f}
                label={`${f === "lateAfterFactor" ? "Late after" : "Escalate after"} how many SLOs (${i.code})`}
                value={i[f]}
                min={1}
                className="w-16"
                busy={busy}
                onSave={(v) => onSave({ [f]: v })}
              />
            ))}
            <select
              aria-label={`Business process of ${i.code}`}
              className={select}
              value={i.process}
              disabled={busy}
              onChange={(e) => onSave({ process: e.target.value as InterfaceAdminView["process"] })}
            >
              {Object.entries(BUSINESS_PROCESS_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </td>
        <td className="py-1.5 pr-3">
          <fieldset className="flex flex-wrap gap-x-2">
            <legend className="sr-only">Plants running {i.code}</legend>
            {plants.map((p) => (
              <label key={p} className="flex items-center gap-1">
                <input
                  type="checkbox"
                  checked={enabled.get(p) ?? false}
                  disabled={busy}
                  onChange={(e) => onSave({ plants: { [p]: e.target.checked } })}
                  aria-label={`${i.code} at ${p}`}
                />
                {p}
              </label>
            ))}
          </fieldset>
        </td>
        <td className="py-1.5 pr-3 whitespace-nowrap">
          {i.schemaVersion ? `v${i.schemaVersion}` : "none"}{" "}
          <Button size="sm" variant="secondary" onClick={onToggle} aria-expanded={open} aria-label={`Schema versions of ${i.code}`}>
            {open ? "Close" : "Versions"}
          </Button>
        </td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={7} className="pb-3">
            <SchemaVersions i={i} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * A number edited in place: Save (or Enter) sends it, Escape puts the saved value back; nothing is sent
 * when the field loses focus. Save appears only while the field holds another value than the saved one.
 */
function NumberField({
  label,
  value,
  min,
  className,
  busy,
  onSave,
}: {
  label: string;
  value: number;
  min: number;
  className: string;
  busy: boolean;
  onSave: (value: number) => void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const changed = draft !== null && draft !== String(value);
  const valid = changed && Number.isFinite(Number(draft)) && Number(draft) >= min;
  const save = () => {
    if (!valid) return;
    onSave(Number(draft));
    setDraft(null);
  };
  return (
    <span className="inline-flex items-center gap-1">
      <Input
        aria-label={label}
        type="number"
        min={min}
        step="any"
        className={`h-7 ${className}`}
        value={draft ?? String(value)}
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") save();
          if (e.key === "Escape") setDraft(null);
        }}
      />
      {changed ? (
        <>
          <Button size="sm" disabled={busy || !valid} onClick={save} aria-label={`Save ${label}`}>
            Save
          </Button>
          <Button size="sm" variant="secondary" onClick={() => setDraft(null)} aria-label={`Undo ${label}`}>
            Undo
          </Button>
        </>
      ) : null}
    </span>
  );
}

function SchemaVersions({ i }: { i: InterfaceAdminView }) {
  const qc = useQueryClient();
  const zone = useUserZone();
  const key = ["admin", "interfaces", i.id, "schemas"];
  const versions = useQuery({ queryKey: key, queryFn: () => apiFetch<{ versions: SchemaVersionView[] }>(`/api/admin/interfaces/${i.id}/schemas`) });
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [draft, setDraft] = useState<string | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: (schema: unknown) => apiFetch<SchemaVersionView>(`/api/admin/interfaces/${i.id}/schemas`, { method: "POST", body: JSON.stringify({ schema }) }),
    onSuccess: async (v) => {
      setDraft(null);
      setTo(v.version);
      setFrom(v.version - 1 || null);
      await qc.invalidateQueries({ queryKey: ["admin", "interfaces"] });
    },
  });
  if (versions.isPending) return <p className="text-xs text-muted-foreground">Loading schema versions…</p>;
  if (versions.isError)
    return (
      <p role="alert" className="text-xs text-danger">
        Schema versions could not be loaded.{" "}
        <Button size="sm" variant="ghost" onClick={() => versions.refetch()}>
          Retry
        </Button>
      </p>
    );
  const list = versions.data.versions;
  if (list.length === 0 && draft === null)
    return (
      <p className="text-xs text-muted-foreground">
        No schema yet.{" "}
        <Button size="sm" variant="secondary" onClick={() => setDraft('{\n  "type": "object"\n}')}>
          Add the first version
        </Button>
      </p>
    );
  const latest = list[0];
  const toV = list.find((v) => v.version === (to ?? latest?.version));
  const fromV = list.find((v) => v.version === (from ?? (toV ? toV.version - 1 : -1)));
  const patch = toV ? jsonpatch.compare((fromV?.schema ?? {}) as object, toV.schema as object) : [];
  const submit = () => {
    try {
      const parsed: unknown = JSON.parse(draft ?? "");
      setParseError(null);
      add.mutate(parsed);
    } catch (e) {
      setParseError(`Not valid JSON: ${(e as Error).message}`);
    }
  };
  return (
    <div className="space-y-2 rounded-md border border-border p-3" data-testid={`schemas-${i.code}`}>
      {toV ? (
        <>
          <div className="flex flex-wrap items-center gap-2 text-xs">
            <label className="flex items-center gap-1">
              Compare
              <select aria-label="From version" className={select} value={fromV?.version ?? 0} onChange={(e) => setFrom(Number(e.target.value))}>
                <option value={0}>(empty)</option>
                {list.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version}
                  </option>
                ))}
              </select>
            </label>
            <label className="flex items-center gap-1">
              with
              <select aria-label="To version" className={select} value={toV.version} onChange={(e) => setTo(Number(e.target.value))}>
                {list.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version} · {formatInstant(v.createdAt, zone)}
                  </option>
                ))}
              </select>
            </label>
            <span className="font-mono text-muted-foreground" title="sha256 of the canonical schema">
              {toV.hash.slice(0, 12)}…
            </span>
          </div>
          <PatchView
            patch={patch}
            original={fromV?.schema ?? {}}
            caption={`Changes from ${fromV ? `v${fromV.version}` : "nothing"} to v${toV.version} of ${i.code}`}
            labels={[fromV ? `v${fromV.version}` : "(empty)", `v${toV.version}`]}
            empty="The two versions are identical."
          />
        </>
      ) : null}
      {draft === null ? (
        <Button size="sm" variant="secondary" onClick={() => setDraft(JSON.stringify(latest?.schema ?? { type: "object" }, null, 2))}>
          New version…
        </Button>
      ) : (
        <div className="space-y-2">
          <p className="text-xs text-muted-foreground">
            Edit the schema (JSON Schema draft 2020-12). Saving adds v{(latest?.version ?? 0) + 1}; earlier versions stay.
          </p>
          <JsonEditor id={`schema-${i.code}`} label={`New schema version of ${i.code}`} value={draft} onChange={setDraft} />
          {(parseError ?? add.error) ? (
            <p role="alert" className="text-xs text-danger">
              {parseError ?? (add.error instanceof ApiError ? add.error.message : "Saving failed")}
            </p>
          ) : null}
          <div className="flex gap-2">
            <Button size="sm" disabled={add.isPending} onClick={submit}>
              Save as v{(latest?.version ?? 0) + 1}
            </Button>
            <Button
              size="sm"
              variant="ghost"
              onClick={() => {
                setDraft(null);
                setParseError(null);
                add.reset();
              }}
            >
              Cancel
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}
