"use client";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/skeleton";
import { apiFetch } from "@/lib/api";
import { plantOpened } from "@/lib/dashboard-patches";
import { type RangeKey, dashboardKeys } from "@/lib/query-keys";
import { isoToZoned, zonedToIso } from "@/lib/timezone";
import { cn } from "@/lib/utils";
import { formatInstant } from "@/lib/format";
import type { PlantMetrics } from "@/server/dashboards/plant-metrics";
import type { ShiftChoice, ShiftWindows } from "@/server/dashboards/shift-window";
import type { PlantSeries } from "@/server/dashboards/series";
import { PlantFindingsPanel } from "../findings/plant-findings-panel";
import { PlantCharts } from "./plant-charts";
import { PlantMetricsTable } from "./plant-metrics-table";
import { QueryError } from "./query-state";
import { patchQuery, useLiveDashboard } from "./use-live-dashboard";

type Metrics = PlantMetrics;
const RANGES = ["1h", "24h", "7d", "30d"] as const;
const SHIFTS = [
  ["current", "This shift"],
  ["previous", "Last shift"],
] as const;

const qs = (r: RangeKey, iface?: string | null) => {
  const p = new URLSearchParams();
  if (r.from && r.to) {
    p.set("from", r.from);
    p.set("to", r.to);
  } else p.set("range", r.range ?? "24h");
  if (iface) p.set("interface", iface);
  return p.toString();
};

/** "This shift" runs to now (at least a minute, never past its end): the range each refetch asks for (server/dashboards/shift-window.ts). */
const liveShiftRange = (r: RangeKey, end: string): RangeKey => {
  const start = Date.parse(r.from ?? "");
  return { from: r.from, to: new Date(Math.max(Math.min(Date.now(), Date.parse(end)), start + 60_000)).toISOString() };
};

/**
 * A plant's operations page: the range (preset, custom in the plant's timezone, or this / last shift of
 * its calendar) lives in the URL;
 * the table and charts are server-rendered first, then kept in the query cache and kept live (new
 * exceptions patched in at once, the rest refetched within seconds).
 */
export function PlantDashboard({
  initialMetrics,
  initialSeries,
  range,
  iface,
  shifts = null,
  shift = null,
}: {
  initialMetrics: Metrics;
  initialSeries: PlantSeries;
  range: RangeKey;
  iface: string | null;
  /** The plant's shift windows now, and the one shown (its from/to are `range`). */
  shifts?: ShiftWindows | null;
  shift?: ShiftChoice | null;
}) {
  const router = useRouter();
  const qc = useQueryClient();
  const code = initialMetrics.plant.code;
  const tz = initialMetrics.plant.timezone;
  const metricsKey = dashboardKeys.plantMetrics(code, range);
  const shown = shift ? (shift === "current" ? shifts?.current : shifts?.previous) : null;
  const fetchRange = () => (shift === "current" && shown ? liveShiftRange(range, shown.end) : range);
  const metrics = useQuery({
    queryKey: metricsKey,
    queryFn: () => apiFetch<Metrics>(`/api/plants/${code}/metrics?${qs(fetchRange())}`),
    initialData: initialMetrics,
    staleTime: 10_000,
  });
  const series = useQuery({
    queryKey: dashboardKeys.plantSeries(code, range, iface),
    queryFn: () => apiFetch<PlantSeries>(`/api/plants/${code}/series?${qs(fetchRange(), iface)}`),
    initialData: initialSeries,
    staleTime: 10_000,
    placeholderData: keepPreviousData,
  });
  const custom = Boolean(range.from && range.to) && !shift;
  // Live: a preset range and this shift end "now", so new events belong in them; a custom range and last shift are history.
  const live = shift ? shift === "current" : !custom;
  useLiveDashboard(
    live ? [initialMetrics.plant.id] : [],
    dashboardKeys.plant(code),
    {
      opened: (b) => patchQuery<Metrics>(qc, metricsKey, (old) => plantOpened(old, b)),
    },
    2000,
  );

  const m = metrics.data;
  const fmt = (iso: string) => formatInstant(iso, tz, "datetime");
  const shiftText = shown ? `${shown.name}, ${fmt(shown.start)} – ${formatInstant(shown.end, tz, "time")}` : null;
  const rangeLabel = shiftText
    ? `${shift === "current" ? "this shift so far" : "last shift"} (${shiftText})`
    : custom
      ? `${fmt(m.from)} – ${fmt(m.to)}`
      : `last ${range.range}`;
  const here = (i: string | null) => (shift ? `shift=${shift}${i ? `&${new URLSearchParams({ interface: i })}` : ""}` : qs(range, i));
  const [from, setFrom] = useState(() => isoToZoned(m.from, tz));
  const [to, setTo] = useState(() => isoToZoned(m.to, tz));
  const [formError, setFormError] = useState<string | null>(null);
  const applyCustom = (e: FormEvent) => {
    e.preventDefault();
    try {
      const f = zonedToIso(from, tz);
      const t = zonedToIso(to, tz);
      if (f >= t) return setFormError("The start must be before the end.");
      setFormError(null);
      router.push(`/plants/${code}?${qs({ from: f, to: t }, iface)}`);
    } catch (err) {
      setFormError(err instanceof Error ? err.message : String(err));
    }
  };
  const selected = iface ?? "";

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="mr-auto text-lg font-semibold">
          <Badge tone="outline" className="mr-2 font-mono">
            {code}
          </Badge>
          {m.plant.name}
        </h1>
        <nav aria-label="Time range" className="flex gap-1 text-xs">
          {RANGES.map((r) => (
            <Link
              key={r}
              href={`/plants/${code}?${qs({ range: r }, iface)}`}
              aria-current={!custom && !shift && r === range.range ? "true" : undefined}
              className={cn("rounded-md px-2 py-1 font-medium hover:bg-muted", !custom && !shift && r === range.range ? "bg-muted" : "text-muted-foreground")}
            >
              {r}
            </Link>
          ))}
          {SHIFTS.map(([s, label]) => {
            const w = s === "current" ? shifts?.current : shifts?.previous;
            return w ? (
              <Link
                key={s}
                href={`/plants/${code}?${new URLSearchParams({ shift: s, ...(iface ? { interface: iface } : {}) })}`}
                aria-current={shift === s ? "true" : undefined}
                title={`${w.name}: ${fmt(w.start)} – ${formatInstant(w.end, tz, "time")} (${tz})`}
                className={cn("rounded-md px-2 py-1 font-medium hover:bg-muted", shift === s ? "bg-muted" : "text-muted-foreground")}
              >
                {label}
              </Link>
            ) : (
              <span key={s} className="cursor-not-allowed px-2 py-1 text-muted-foreground">
                {label}
                <span className="sr-only">{s === "current" ? ": no shift is running now" : ": no shift in the calendar"}</span>
              </span>
            );
          })}
        </nav>
        <Link href={`/plants/${code}/handover`} className="text-xs font-medium underline">
          Shift handover
        </Link>
      </div>
      <details className="text-xs" open={custom}>
        <summary className="cursor-pointer text-muted-foreground">Custom range ({tz})</summary>
        <form onSubmit={applyCustom} className="mt-2 flex flex-wrap items-end gap-2" aria-label="Custom time range">
          <label className="grid gap-1">
            From
            <Input type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} required className="h-8 w-52" />
          </label>
          <label className="grid gap-1">
            To
            <Input type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} required className="h-8 w-52" />
          </label>
          <Button type="submit" size="sm">
            Show
          </Button>
          {formError ? (
            <p role="alert" className="text-danger">
              {formError}
            </p>
          ) : null}
        </form>
      </details>
      <p className="text-xs text-muted-foreground">
        {shiftText ? `${shift === "current" ? "This shift" : "Last shift"}: ${shiftText}. ` : ""}
        {fmt(m.from)} – {fmt(m.to)} (plant time, {tz}). Latency percentiles of delivered messages, from mergeable histograms (within 5 %).
        {live ? " Updates live." : shift ? " Last shift is history: it does not update live." : " A custom range is history: it does not update live."}
        {metrics.isFetching || series.isFetching ? (
          <span className="ml-1" role="status">
            Refreshing…
          </span>
        ) : null}
      </p>
      <PlantFindingsPanel code={code} plantId={initialMetrics.plant.id} />
      {metrics.isError ? <QueryError what="the interface figures" error={metrics.error} retry={() => void metrics.refetch()} stale /> : null}
      <PlantMetricsTable metrics={m} rangeLabel={rangeLabel} />
      <div className="flex flex-wrap items-center gap-2 pt-2">
        <h2 className="mr-auto text-base font-semibold">Over time</h2>
        <label className="flex items-center gap-2 text-xs">
          Interface
          <select
            className="h-8 rounded-md border border-border bg-surface px-2 text-xs"
            value={selected}
            onChange={(e) => router.push(`/plants/${code}?${here(e.target.value || null)}`)}
          >
            <option value="">All interfaces (no latency chart)</option>
            {m.interfaces.map((i) => (
              <option key={i.code} value={i.code}>
                {i.code}
                {i.sloBreached ? ` (above SLO in ${i.slo.breached} min)` : ""}
              </option>
            ))}
          </select>
        </label>
      </div>
      {series.isError ? <QueryError what="the charts" error={series.error} retry={() => void series.refetch()} stale /> : null}
      {series.data ? <PlantCharts series={series.data} /> : <ChartsSkeleton />}
    </div>
  );
}

export function ChartsSkeleton() {
  return (
    <div className="grid gap-3 lg:grid-cols-2" aria-busy="true">
      {[0, 1, 2, 3].map((i) => (
        <Skeleton key={i} className="h-60" />
      ))}
    </div>
  );
}
