"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import type { FlowSettingsRow, FlowSettingsView } from "@/server/flow-settings/flow-settings-view";
import type { BatchScheduleView } from "@/server/flow-settings/update-batch-schedule";
import { failure, OutcomeLine, useOutcome } from "./flow-common";
import { flowsKey } from "./flow-expectations-admin";

/**
 * Batch schedules of the plant's batch flows (and any flow that has one): a 5-field cron in the plant's
 * zone, "complete within" and the least messages a run delivers; the next three runs shown in the
 * plant's zone. A missed or short run is a "missed run" finding.
 */
export function FlowSchedulesAdmin({ initial }: { initial: FlowSettingsView }) {
  const code = initial.plant.code;
  const zone = initial.plant.timezone;
  const qc = useQueryClient();
  const [outcome, report] = useOutcome();
  const flows = useQuery({ queryKey: flowsKey(code), queryFn: () => apiFetch<FlowSettingsView>(`/api/admin/flows/${code}`), initialData: initial });
  const save = useMutation({
    mutationFn: ({ iface, body }: { iface: string; body: Record<string, unknown> }) =>
      apiFetch<BatchScheduleView>(`/api/admin/flows/${code}/${iface}/schedule`, { method: "PUT", body: JSON.stringify(body) }),
    onSuccess: (s, { iface }) => report(true, `Saved the schedule of ${iface} at ${code}: "${s.cron}" (${zone})${s.enabled ? "" : ", off"}.`),
    onError: (err, { iface }) => report(false, failure(err, `Saving the schedule of ${iface}`)),
    onSettled: () => qc.invalidateQueries({ queryKey: flowsKey(code) }),
  });
  const rows = flows.data.flows.filter((f) => f.syncMode === "BATCH" || f.schedule);
  return (
    <section aria-labelledby="schedules-h" className="space-y-2 rounded-lg border border-border bg-surface p-4">
      <h2 id="schedules-h" className="text-base font-semibold">
        Batch schedules
      </h2>
      <p className="text-xs text-muted-foreground">
        Cron with 5 fields (minute hour day month weekday) in {zone}: &quot;0 * * * *&quot; hourly, &quot;0 5 * * *&quot; daily at 05:00. A run must deliver at
        least the minimum within its window.
      </p>
      <OutcomeLine outcome={outcome} testId="schedules-outcome" />
      {rows.length === 0 ? <p className="text-xs text-muted-foreground">{code} runs no batch flows.</p> : null}
      <ul className="space-y-3">
        {rows.map((f) => (
          <ScheduleForm
            key={`${f.interfaceCode}:${f.schedule?.updatedAt ?? "none"}`}
            flow={f}
            zone={zone}
            busy={save.isPending}
            onSave={(body) => save.mutate({ iface: f.interfaceCode, body: { ...body, expectedUpdatedAt: f.schedule?.updatedAt ?? null } })}
          />
        ))}
      </ul>
    </section>
  );
}

function ScheduleForm({ flow, zone, busy, onSave }: { flow: FlowSettingsRow; zone: string; busy: boolean; onSave: (body: Record<string, unknown>) => void }) {
  const s = flow.schedule;
  const c = flow.interfaceCode;
  const [d, setD] = useState({
    cron: s?.cron ?? "0 5 * * *",
    completeWithinMinutes: String(s?.completeWithinMinutes ?? 60),
    minMessages: String(s?.minMessages ?? 1),
    enabled: s?.enabled ?? true,
  });
  return (
    <li data-schedule={c}>
      <form
        aria-label={`Schedule of ${c}`}
        className="flex flex-wrap items-end gap-2 text-xs"
        onSubmit={(e) => {
          e.preventDefault();
          onSave({ cron: d.cron, completeWithinMinutes: Number(d.completeWithinMinutes), minMessages: Number(d.minMessages), enabled: d.enabled });
        }}
      >
        <span className="w-36 font-mono">{c}</span>
        <label className="grid gap-1">
          Cron
          <Input value={d.cron} onChange={(e) => setD({ ...d, cron: e.target.value })} className="h-8 w-32 font-mono" />
        </label>
        <label className="grid gap-1">
          Complete within (min)
          <Input
            inputMode="numeric"
            value={d.completeWithinMinutes}
            onChange={(e) => setD({ ...d, completeWithinMinutes: e.target.value })}
            className="h-8 w-20"
          />
        </label>
        <label className="grid gap-1">
          At least (messages)
          <Input inputMode="numeric" value={d.minMessages} onChange={(e) => setD({ ...d, minMessages: e.target.value })} className="h-8 w-20" />
        </label>
        <label className="flex items-center gap-1">
          <input type="checkbox" checked={d.enabled} onChange={(e) => setD({ ...d, enabled: e.target.checked })} />
          checked
        </label>
        <Button type="submit" size="sm" disabled={busy}>
          Save
        </Button>
      </form>
      <p className="mt-1 text-xs text-muted-foreground">
        {s ? (
          <>
            Next runs:{" "}
            {s.nextRuns.map((r, i) => (
              <span key={r}>
                {i ? ", " : ""}
                <Time iso={r} plantZone={zone} />
              </span>
            ))}
            {s.enabled ? "" : " (not checked while off)"}
          </>
        ) : (
          "No schedule yet."
        )}
      </p>
    </li>
  );
}
