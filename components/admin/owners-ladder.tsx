"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { apiFetch } from "@/lib/api";
import { CRITICALITY_LABELS, ESCALATION_LEVEL_LABELS } from "@/lib/labels";
import type { LadderStep, LadderView } from "@/server/owners/escalation-ladder";
import { failure, OutcomeLine, useOutcome } from "./flow-common";

/**
 * The escalation ladder of each criticality: which rungs an unacknowledged alert or finding climbs, and
 * how many minutes after it opened (each rung later than the one before). Saved as read (409 otherwise).
 */
const LEVELS = ["TECHNICAL_OWNER", "PLANT_LEAD", "PLANT_MANAGER", "BUSINESS_OWNER"] as const;
const CRITICALITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;
const KEY = ["admin", "escalation"];

export function OwnersLadder({ initial }: { initial: LadderView }) {
  const qc = useQueryClient();
  const [outcome, report] = useOutcome();
  const ladders = useQuery({
    queryKey: KEY,
    queryFn: async () => (await apiFetch<{ ladders: LadderView }>("/api/admin/escalation")).ladders,
    initialData: initial,
  });
  const save = useMutation({
    mutationFn: ({ criticality, steps }: { criticality: string; steps: LadderStep[] }) =>
      apiFetch<{ steps: LadderStep[] }>(`/api/admin/escalation/${criticality}`, {
        method: "PUT",
        body: JSON.stringify({ steps, expected: ladders.data[criticality as keyof LadderView] }),
      }),
    onSuccess: ({ steps }, { criticality }) =>
      report(
        true,
        `Saved the ${CRITICALITY_LABELS[criticality as keyof typeof CRITICALITY_LABELS].toLowerCase()} ladder: ${steps.map((s) => `${ESCALATION_LEVEL_LABELS[s.level]} after ${s.afterMinutes} min`).join(", ")}.`,
      ),
    onError: (err) => report(false, failure(err, "Saving the ladder")),
    onSettled: () => qc.invalidateQueries({ queryKey: KEY }),
  });
  return (
    <section aria-labelledby="ladder-h" className="space-y-2 rounded-lg border border-border bg-surface p-4">
      <h2 id="ladder-h" className="text-base font-semibold">
        Escalation ladder
      </h2>
      <p className="text-xs text-muted-foreground">
        For every plant: minutes after an alert or finding opened, still unacknowledged, when each rung is notified. Untick a rung to skip it.
      </p>
      <OutcomeLine outcome={outcome} testId="ladder-outcome" />
      <div className="grid gap-3 md:grid-cols-2">
        {CRITICALITIES.map((c) => (
          <LadderForm
            key={`${c}:${JSON.stringify(ladders.data[c])}`}
            criticality={c}
            steps={ladders.data[c]}
            busy={save.isPending}
            onSave={(steps) => save.mutate({ criticality: c, steps })}
          />
        ))}
      </div>
    </section>
  );
}

function LadderForm({
  criticality,
  steps,
  busy,
  onSave,
}: {
  criticality: (typeof CRITICALITIES)[number];
  steps: LadderStep[];
  busy: boolean;
  onSave: (s: LadderStep[]) => void;
}) {
  const [rows, setRows] = useState(
    LEVELS.map((level) => {
      const s = steps.find((x) => x.level === level);
      return { level, on: Boolean(s), minutes: String(s?.afterMinutes ?? "") };
    }),
  );
  const label = CRITICALITY_LABELS[criticality];
  return (
    <form
      aria-label={`${label} escalation ladder`}
      className="rounded-md border border-border p-3 text-xs"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(rows.filter((r) => r.on).map((r) => ({ level: r.level, afterMinutes: r.minutes.trim() === "" ? Number.NaN : Number(r.minutes) })));
      }}
    >
      <fieldset className="space-y-1">
        <legend className="mb-1 font-semibold">{label}</legend>
        {rows.map((r, i) => (
          <div key={r.level} className="flex items-center gap-2">
            <label className="flex w-36 items-center gap-1">
              <input type="checkbox" checked={r.on} onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, on: e.target.checked } : x)))} />
              {ESCALATION_LEVEL_LABELS[r.level]}
            </label>
            <label className="flex items-center gap-1">
              after
              <Input
                aria-label={`${label}: ${ESCALATION_LEVEL_LABELS[r.level]} after minutes`}
                inputMode="numeric"
                disabled={!r.on}
                value={r.minutes}
                onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, minutes: e.target.value } : x)))}
                className="h-7 w-20"
              />
              min
            </label>
          </div>
        ))}
      </fieldset>
      <Button type="submit" size="sm" className="mt-2" disabled={busy}>
        Save {label.toLowerCase()} ladder
      </Button>
    </form>
  );
}
