"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useAnnounce } from "@/components/ui/announcer";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError, apiFetch } from "@/lib/api";
import { formatDuration } from "@/lib/format";
import { alertKeys } from "@/lib/query-keys";
import { CRITICALITY_LABELS, SEVERITY_LABELS } from "@/lib/labels";
import { type DurationUnit, PLANT_LEVEL_KINDS, RULE_KINDS, formatThreshold, splitDuration, toSeconds } from "@/server/alerts/rule-kinds";
import type { RuleView } from "@/server/alerts/rules";
import type { AlertRuleKind } from "@/server/db/generated/enums";
import { type DurationDraft, DurationInput } from "./duration-input";

/**
 * Alert rules: everyone who reads alerts sees what each rule checks; administrators change thresholds
 * and windows, switch rules on and off, and add rules (all audited on the server). Durations (age and
 * silence thresholds, windows) are shown as durations and edited with a unit, as the alerts word them.
 */
const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
const LEVELS = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;
const WINDOW_UNITS: readonly DurationUnit[] = ["h", "min"];
const UNIT_SUFFIX = { count: "", percent: "%", duration: "", none: "" } as const;
/** The unit shown beside a threshold input: what a count counts ("late messages"), or "%". */
const suffixOf = (kind: AlertRuleKind) => (RULE_KINDS[kind].unit === "count" ? (RULE_KINDS[kind].countNoun ?? "") : UNIT_SUFFIX[RULE_KINDS[kind].unit]);

/** A threshold as typed: a duration with its unit, or a plain number. */
type Draft = { threshold: DurationDraft; window: DurationDraft };
const draftOf = (r: { kind: AlertRuleKind; threshold: number; windowMinutes: number }): Draft => {
  const t = RULE_KINDS[r.kind].unit === "duration" ? splitDuration(r.threshold) : { value: r.threshold, unit: "s" as const };
  const w = splitDuration(r.windowMinutes * 60, WINDOW_UNITS);
  return { threshold: { value: String(t.value), unit: t.unit }, window: { value: String(w.value), unit: w.unit } };
};
/** The values the API takes: seconds for a duration threshold, minutes for a window. */
const valuesOf = (kind: AlertRuleKind, d: Draft) => ({
  threshold: RULE_KINDS[kind].unit === "duration" ? toSeconds(Number(d.threshold.value), d.threshold.unit) : Number(d.threshold.value),
  windowMinutes: toSeconds(Number(d.window.value), d.window.unit) / 60,
});

export function AlertRules({ initial, canEdit, plants }: { initial: RuleView[]; canEdit: boolean; plants: string[] }) {
  const qc = useQueryClient();
  const announce = useAnnounce();
  const [outcome, setOutcome] = useState<string | null>(null);
  const query = useQuery({
    queryKey: alertKeys.rules(),
    queryFn: async () => (await apiFetch<{ rules: RuleView[] }>("/api/alerts/rules")).rules,
    initialData: initial,
  });
  const save = useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: unknown }) =>
      apiFetch<RuleView>(id ? `/api/alerts/rules/${id}` : "/api/alerts/rules", { method: id ? "PATCH" : "POST", body: JSON.stringify(body) }),
    onSuccess: (r, { id }) => {
      const message = `${id ? "Saved" : "Added"} rule ${r.name}: ${r.enabled ? r.description : "disabled"}.`;
      setOutcome(message);
      announce(message);
      return qc.invalidateQueries({ queryKey: alertKeys.rules() });
    },
    onError: (e) => announce(e instanceof ApiError ? e.message : "Could not save the rule", "assertive"),
  });
  const evaluate = useMutation({ mutationFn: () => apiFetch("/api/alerts/evaluate", { method: "POST" }) });
  const [edits, setEdits] = useState<Record<string, Draft>>({});
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
        <p className="text-sm text-danger" data-testid="rules-error">
          {save.error instanceof ApiError ? save.error.message : "Could not save the rule"}
        </p>
      ) : outcome ? (
        <p className="text-sm" data-testid="rules-outcome">
          {outcome}
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
              {["Rule", "Condition", "Threshold", "Window", "Severity", "State"].map((h) => (
                <th key={h} scope="col" className="px-3 py-2 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rules.map((r) => {
              const kind = RULE_KINDS[r.kind];
              const e = edits[r.id] ?? draftOf(r);
              const next = valuesOf(r.kind, e);
              const dirty = next.threshold !== r.threshold || next.windowMinutes !== r.windowMinutes;
              const setDraft = (d: Partial<Draft>) => setEdits({ ...edits, [r.id]: { ...e, ...d } });
              return (
                <tr key={r.id} className="border-t border-border" data-rule={r.name}>
                  <th scope="row" className="px-3 py-1.5 font-normal">
                    {r.name}
                  </th>
                  <td className="px-3 py-1.5 text-muted-foreground">{r.description}</td>
                  <td className="px-3 py-1.5 whitespace-nowrap" data-testid="rule-threshold">
                    {!canEdit || kind.unit === "none" ? (
                      formatThreshold(r.kind, r.threshold)
                    ) : kind.unit === "duration" ? (
                      <DurationInput
                        label={`Threshold of ${r.name}`}
                        draft={e.threshold}
                        onChange={(threshold) => setDraft({ threshold })}
                        className="h-7 w-16"
                      />
                    ) : (
                      <span className="inline-flex items-center gap-1">
                        <Input
                          aria-label={`Threshold of ${r.name}`}
                          className="h-7 w-20"
                          inputMode="decimal"
                          value={e.threshold.value}
                          onChange={(ev) => setDraft({ threshold: { ...e.threshold, value: ev.target.value } })}
                        />
                        {suffixOf(r.kind)}
                      </span>
                    )}
                  </td>
                  <td className="px-3 py-1.5 whitespace-nowrap" data-testid="rule-window">
                    {!kind.usesWindow ? (
                      "—"
                    ) : canEdit ? (
                      <DurationInput
                        label={`Window of ${r.name}`}
                        draft={e.window}
                        units={WINDOW_UNITS}
                        onChange={(window) => setDraft({ window })}
                        className="h-7 w-16"
                      />
                    ) : (
                      formatDuration(r.windowMinutes * 60)
                    )}
                  </td>
                  <td className="px-3 py-1.5">
                    <Badge tone={SEV_TONE[r.severity]}>{SEVERITY_LABELS[r.severity]}</Badge>
                  </td>
                  <td className="px-3 py-1.5">
                    {canEdit ? (
                      <div className="flex gap-1">
                        {dirty ? (
                          <Button
                            size="sm"
                            disabled={save.isPending}
                            aria-label={`Save ${r.name}`}
                            onClick={() => save.mutate({ id: r.id, body: next }, { onSuccess: () => setEdits(({ [r.id]: _, ...rest }) => rest) })}
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
                      "Enabled"
                    ) : (
                      "Disabled"
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
  const blank = {
    name: "",
    kind: "BACKLOG_ABOVE" as AlertRuleKind,
    draft: draftOf({ kind: "BACKLOG_ABOVE", threshold: 10, windowMinutes: 15 }),
    plantCode: "",
    interfaceCode: "",
    criticality: "",
    severity: "HIGH",
  };
  const [form, setForm] = useState(blank);
  const set = (k: "name" | "plantCode" | "interfaceCode" | "criticality" | "severity") => (e: { target: { value: string } }) =>
    setForm({ ...form, [k]: e.target.value });
  const kind = RULE_KINDS[form.kind];
  const setKind = (k: AlertRuleKind) =>
    setForm({ ...form, kind: k, draft: draftOf({ kind: k, threshold: RULE_KINDS[k].unit === "duration" ? 900 : 10, windowMinutes: 15 }) });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await onSave({
      name: form.name,
      kind: form.kind,
      ...valuesOf(form.kind, form.draft),
      severity: form.severity,
      plantCode: form.plantCode || null,
      // Connector, target and handover rules have no interface scope (their fields are hidden).
      interfaceCode: PLANT_LEVEL_KINDS.includes(form.kind) ? null : form.interfaceCode.trim() || null,
      criticality: PLANT_LEVEL_KINDS.includes(form.kind) ? null : form.criticality || null,
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
        <select className={select} value={form.kind} onChange={(e) => setKind(e.target.value as AlertRuleKind)}>
          {(Object.keys(RULE_KINDS) as AlertRuleKind[]).map((k) => (
            <option key={k} value={k}>
              {RULE_KINDS[k].label}
            </option>
          ))}
        </select>
      </label>
      {kind.unit === "duration" ? (
        <div className="grid gap-1">
          <span aria-hidden="true">Threshold</span>
          <DurationInput label="Threshold" draft={form.draft.threshold} onChange={(threshold) => setForm({ ...form, draft: { ...form.draft, threshold } })} />
        </div>
      ) : kind.unit !== "none" ? (
        <label className="grid gap-1">
          Threshold ({suffixOf(form.kind)})
          <Input
            value={form.draft.threshold.value}
            onChange={(e) => setForm({ ...form, draft: { ...form.draft, threshold: { ...form.draft.threshold, value: e.target.value } } })}
            inputMode="decimal"
            className="h-8 w-24"
          />
        </label>
      ) : null}
      {kind.usesWindow ? (
        <div className="grid gap-1">
          <span aria-hidden="true">Window</span>
          <DurationInput
            label="Window"
            draft={form.draft.window}
            units={WINDOW_UNITS}
            onChange={(window) => setForm({ ...form, draft: { ...form.draft, window } })}
          />
        </div>
      ) : null}
      <label className="grid gap-1">
        Plant
        <select className={select} value={form.plantCode} onChange={set("plantCode")}>
          <option value="">Every plant</option>
          {plants.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      {PLANT_LEVEL_KINDS.includes(form.kind) ? null : (
        <>
          <label className="grid gap-1">
            Interface code
            <Input value={form.interfaceCode} onChange={set("interfaceCode")} placeholder="any" className="h-8 w-36" />
          </label>
          <label className="grid gap-1">
            Criticality
            <select className={select} value={form.criticality} onChange={set("criticality")}>
              <option value="">Any</option>
              {LEVELS.map((c) => (
                <option key={c} value={c}>
                  {CRITICALITY_LABELS[c]}
                </option>
              ))}
            </select>
          </label>
        </>
      )}
      <label className="grid gap-1">
        Severity
        <select className={select} value={form.severity} onChange={set("severity")}>
          {LEVELS.map((c) => (
            <option key={c} value={c}>
              {SEVERITY_LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      <Button type="submit" size="sm" disabled={pending}>
        Add rule
      </Button>
    </form>
  );
}
