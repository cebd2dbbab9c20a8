"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { formatCount } from "@/lib/format";
import type { FlowSettingsRow, FlowSettingsView } from "@/server/flow-settings/flow-settings-view";
import type { SuggestionView } from "@/server/flow-settings/suggest-expectation";
import type { ExpectationView } from "@/server/flow-settings/update-expectation";
import { failure, OutcomeLine, selectClass, useOutcome, WEEKDAY_NAMES } from "./flow-common";

/**
 * Expected traffic per flow of the plant: messages per window (delivered and failed hops), below the
 * minimum a "stopped" finding, above the maximum a "flood". Each row saves as it was read (a change by
 * another admin meanwhile is refused, 409). "Suggest" shows the same hour of the week in the last four
 * weeks and a suggestion the admin accepts (audited as suggested) or edits. "Check flows now" asks for a
 * monitor run at once (it runs every minute anyway).
 */
export const flowsKey = (code: string) => ["admin", "flows", code];

type Draft = { windowMinutes: string; minCount: string; maxCount: string; productionOnly: boolean; enabled: boolean };
const draftOf = (e: ExpectationView | null): Draft => ({
  windowMinutes: String(e?.windowMinutes ?? 60),
  minCount: String(e?.minCount ?? 0),
  maxCount: e?.maxCount === null || e?.maxCount === undefined ? "" : String(e.maxCount),
  productionOnly: e?.productionOnly ?? true,
  enabled: e?.enabled ?? true,
});
const HOURS = Array.from({ length: 24 }, (_, h) => h);
const toNumber = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));

export function FlowExpectationsAdmin({ initial }: { initial: FlowSettingsView }) {
  const code = initial.plant.code;
  const qc = useQueryClient();
  const [outcome, report] = useOutcome();
  const flows = useQuery({ queryKey: flowsKey(code), queryFn: () => apiFetch<FlowSettingsView>(`/api/admin/flows/${code}`), initialData: initial });
  const save = useMutation({
    mutationFn: ({ iface, body }: { iface: string; body: Record<string, unknown> }) =>
      apiFetch<ExpectationView>(`/api/admin/flows/${code}/${iface}/expectation`, { method: "PUT", body: JSON.stringify(body) }),
    onSuccess: (e, { iface, body }) =>
      report(
        true,
        `${body.suggested ? "Accepted the suggestion for" : "Saved"} ${iface} at ${code}: at least ${e.minCount}${e.maxCount === null ? "" : `, at most ${e.maxCount}`} per ${e.windowMinutes} min${e.enabled ? "" : " (off)"}.`,
      ),
    onError: (err, { iface }) => report(false, failure(err, `Saving ${iface}`)),
    onSettled: () => qc.invalidateQueries({ queryKey: flowsKey(code) }),
  });
  // After a change, the monitor can judge the flows at once instead of at the next minute.
  const runNow = useMutation({
    mutationFn: () => apiFetch<{ queued: boolean }>("/api/admin/monitor/run", { method: "POST" }),
    onSuccess: () => report(true, "The flow monitor runs now: new findings appear on the findings queue within seconds."),
    onError: (err) => report(false, failure(err, "Running the flow monitor")),
  });
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section aria-labelledby="expectations-h" className="space-y-2 rounded-lg border border-border bg-surface p-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="expectations-h" className="text-base font-semibold">
          Expected traffic
        </h2>
        <Button size="sm" variant="secondary" disabled={runNow.isPending} onClick={() => runNow.mutate()}>
          Check flows now
        </Button>
      </div>
      <p className="text-xs text-muted-foreground">
        Messages (delivered or failed) per window. Fewer than the minimum while the connector is alive is a stopped flow; more than the maximum a flood.
        &quot;Production only&quot; checks shift time only. Leave the maximum empty for no ceiling.
      </p>
      <OutcomeLine outcome={outcome} testId="expectations-outcome" />
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
      <section aria-label="Expected traffic per flow" tabIndex={0} className="overflow-x-auto focus-visible:outline-2 focus-visible:outline-ring">
        <table className="w-full text-left text-xs">
          <caption className="sr-only">Expected traffic per flow at {code}</caption>
          <thead className="text-muted-foreground">
            <tr>
              {["Flow", "Window (min)", "Minimum", "Maximum", "Production only", "On", "Actions"].map((h) => (
                <th key={h} scope="col" className="py-1 pr-3 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {flows.data.flows.map((f) => (
              <ExpectationRow
                key={`${f.interfaceCode}:${f.expectation?.updatedAt ?? "none"}`}
                flow={f}
                plantCode={code}
                zone={initial.plant.timezone}
                busy={save.isPending}
                open={open === f.interfaceCode}
                onToggle={() => setOpen(open === f.interfaceCode ? null : f.interfaceCode)}
                onSave={(body) => save.mutate({ iface: f.interfaceCode, body: { ...body, expectedUpdatedAt: f.expectation?.updatedAt ?? null } })}
              />
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}

function ExpectationRow({
  flow,
  plantCode,
  zone,
  busy,
  open,
  onToggle,
  onSave,
}: {
  flow: FlowSettingsRow;
  plantCode: string;
  zone: string;
  busy: boolean;
  open: boolean;
  onToggle: () => void;
  onSave: (body: Record<string, unknown>) => void;
}) {
  const [d, setD] = useState<Draft>(draftOf(flow.expectation));
  const c = flow.interfaceCode;
  const body = () => ({
    windowMinutes: toNumber(d.windowMinutes),
    minCount: toNumber(d.minCount),
    maxCount: d.maxCount.trim() === "" ? null : toNumber(d.maxCount),
    productionOnly: d.productionOnly,
    enabled: d.enabled,
  });
  return (
    <>
      <tr className="border-t border-border align-top" data-flow={c}>
        <th scope="row" className="py-1.5 pr-3 text-left font-normal">
          <span className="font-mono">{c}</span>
          <span className="block text-muted-foreground">
            {flow.name}
            {flow.expectation ? "" : " · not set"}
          </span>
        </th>
        <td className="py-1.5 pr-3">
          <Input
            aria-label={`Window of ${c} in minutes`}
            inputMode="numeric"
            className="h-7 w-16"
            value={d.windowMinutes}
            onChange={(e) => setD({ ...d, windowMinutes: e.target.value })}
          />
        </td>
        <td className="py-1.5 pr-3">
          <Input
            aria-label={`Minimum of ${c}`}
            inputMode="numeric"
            className="h-7 w-20"
            value={d.minCount}
            onChange={(e) => setD({ ...d, minCount: e.target.value })}
          />
        </td>
        <td className="py-1.5 pr-3">
          <Input
            aria-label={`Maximum of ${c} (empty: none)`}
            inputMode="numeric"
            className="h-7 w-20"
            value={d.maxCount}
            onChange={(e) => setD({ ...d, maxCount: e.target.value })}
          />
        </td>
        <td className="py-1.5 pr-3">
          <input
            type="checkbox"
            aria-label={`${c}: production time only`}
            checked={d.productionOnly}
            onChange={(e) => setD({ ...d, productionOnly: e.target.checked })}
          />
        </td>
        <td className="py-1.5 pr-3">
          <input type="checkbox" aria-label={`${c}: checked`} checked={d.enabled} onChange={(e) => setD({ ...d, enabled: e.target.checked })} />
        </td>
        <td className="py-1.5 pr-3 whitespace-nowrap">
          <Button size="sm" aria-label={`Save expected traffic of ${c}`} disabled={busy} onClick={() => onSave(body())}>
            Save
          </Button>{" "}
          <Button size="sm" variant="secondary" aria-expanded={open} aria-label={`Suggest expected traffic of ${c}`} onClick={onToggle}>
            {open ? "Close" : "Suggest"}
          </Button>
        </td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={7} className="pb-3">
            <SuggestionPanel
              plantCode={plantCode}
              iface={c}
              zone={zone}
              windowMinutes={Number(d.windowMinutes) || 60}
              busy={busy}
              onAccept={(s, windowMinutes) => onSave({ ...body(), windowMinutes, minCount: s.minCount, maxCount: s.maxCount, suggested: true })}
            />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function SuggestionPanel({
  plantCode,
  iface,
  zone,
  windowMinutes,
  busy,
  onAccept,
}: {
  plantCode: string;
  iface: string;
  zone: string;
  windowMinutes: number;
  busy: boolean;
  onAccept: (s: { minCount: number; maxCount: number | null }, windowMinutes: number) => void;
}) {
  const [hourOfWeek, setHourOfWeek] = useState<{ weekday: number; hour: number } | null>(null);
  const params = new URLSearchParams({
    windowMinutes: String(windowMinutes),
    ...(hourOfWeek ? { weekday: String(hourOfWeek.weekday), hour: String(hourOfWeek.hour) } : {}),
  });
  const q = useQuery({
    queryKey: ["admin", "flows", plantCode, iface, "suggestion", params.toString()],
    queryFn: () => apiFetch<SuggestionView>(`/api/admin/flows/${plantCode}/${iface}/suggestion?${params}`),
  });
  const weekday = hourOfWeek?.weekday ?? q.data?.weekday ?? 1;
  const hour = hourOfWeek?.hour ?? q.data?.hour ?? 0;
  return (
    <div className="space-y-2 rounded-md border border-border p-3 text-xs" data-testid={`suggestion-${iface}`}>
      <div className="flex flex-wrap items-end gap-2">
        <label className="grid gap-1">
          Weekday
          <select
            aria-label={`Weekday of the suggestion for ${iface}`}
            className={selectClass}
            value={weekday}
            onChange={(e) => setHourOfWeek({ weekday: Number(e.target.value), hour })}
          >
            {WEEKDAY_NAMES.map((n, i) => (
              <option key={n} value={i + 1}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          Hour ({zone})
          <select
            aria-label={`Hour of the suggestion for ${iface}`}
            className={selectClass}
            value={hour}
            onChange={(e) => setHourOfWeek({ weekday, hour: Number(e.target.value) })}
          >
            {HOURS.map((h) => (
              <option key={h} value={h}>
                {`${String(h).padStart(2, "0")}:00`}
              </option>
            ))}
          </select>
        </label>
        <span className="text-muted-foreground">windows of {windowMinutes} min</span>
      </div>
      {q.isPending ? <p className="text-muted-foreground">Reading the last four weeks…</p> : null}
      {q.isError ? (
        <p role="alert" className="text-danger">
          {failure(q.error, "The suggestion")}
        </p>
      ) : null}
      {q.data ? (
        <>
          <table className="text-left">
            <caption className="sr-only">
              Traffic of {iface} on {WEEKDAY_NAMES[q.data.weekday - 1]}s at {String(q.data.hour).padStart(2, "0")}:00 in the last four weeks
            </caption>
            <thead className="text-muted-foreground">
              <tr>
                {["Week of", "Per window", "Lowest", "Highest", "Used"].map((h) => (
                  <th key={h} scope="col" className="pr-3 font-medium">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {q.data.weeks.map((w) => (
                <tr key={w.start}>
                  <th scope="row" className="pr-3 text-left font-normal">
                    <Time iso={w.start} plantZone={zone} />
                  </th>
                  <td className="pr-3">{w.windows.map(formatCount).join(", ")}</td>
                  <td className="pr-3">{formatCount(w.low)}</td>
                  <td className="pr-3">{formatCount(w.high)}</td>
                  <td className="pr-3">{w.excluded ? `no (${w.excluded})` : "yes"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="text-muted-foreground">{q.data.rule}</p>
          {q.data.suggestion ? (
            <p className="flex flex-wrap items-center gap-2">
              <span data-testid={`suggested-${iface}`}>
                Suggested: at least {formatCount(q.data.suggestion.minCount)}
                {q.data.suggestion.maxCount === null ? ", no maximum" : `, at most ${formatCount(q.data.suggestion.maxCount)}`} per {q.data.windowMinutes} min
              </span>
              <Button
                size="sm"
                disabled={busy}
                onClick={() => onAccept(q.data.suggestion!, q.data.windowMinutes)}
                aria-label={`Accept the suggestion for ${iface}`}
              >
                Accept
              </Button>
            </p>
          ) : (
            <p>No suggestion: every sampled week had a holiday or planned downtime.</p>
          )}
        </>
      ) : null}
    </div>
  );
}
