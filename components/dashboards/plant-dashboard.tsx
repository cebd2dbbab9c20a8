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
import type { PlantSeries } from "@/server/dashboards/series";
import { PlantFindingsPanel } from "../findings/plant-findings-panel";
import { PlantCharts } from "./plant-charts";
import { PlantMetricsTable } from "./plant-metrics-table";
import { QueryError } from "./query-state";
import { patchQuery, useLiveDashboard } from "./use-live-dashboard";

type Metrics = PlantMetrics;
const RANGES = ["1h", "24h", "7d", "30d"] as const;

const qs = (r: RangeKey, iface?: string | null) => {
  const p = new URLSearchParams();
  if (r.from && r.to) {
    p.set("from", r.from);
    p.set("to", r.to);
  } else p.set("range", r.range ?? "24h");
  if (iface) p.set("interface", iface);
  return p.toString();
};

/**
 * A plant's operations page: the range (preset or custom, in the plant's timezone) lives in the URL;
 * the table and charts are server-rendered first, then kept in the query cache and kept live (new
 * exceptions patched in at once, the rest refetched within seconds).
 */
export function PlantDashboard({
  initialMetrics,
  initialSeries,
  range,
  iface,
}: {
  initialMetrics: Metrics;
  initialSeries: PlantSeries;
  range: RangeKey;
  iface: string | null;
}) {
  const router = useRouter();
  const qc = useQueryClient();
  const code = initialMetrics.plant.code;
  const tz = initialMetrics.plant.timezone;
  const metricsKey = dashboardKeys.plantMetrics(code, range);
  const metrics = useQuery({
    queryKey: metricsKey,
    queryFn: () => apiFetch<Metrics>(`/api/plants/${code}/metrics?${qs(range)}`),
    initialData: initialMetrics,
    staleTime: 10_000,
  });
  const series = useQuery({
    queryKey: dashboardKeys.plantSeries(code, range, iface),
    queryFn: () => apiFetch<PlantSeries>(`/api/plants/${code}/series?${qs(range, iface)}`),
    initialData: initialSeries,
    staleTime: 10_000,
    placeholderData: keepPreviousData,
  });
  const custom = Boolean(range.from && range.to);
  // Live: a preset range ends "now", so new events belong in it; a custom range is history.
  useLiveDashboard(
    custom ? [] : [initialMetrics.plant.id],
    dashboardKeys.plant(code),
    {
      opened: (b) => patchQuery<Metrics>(qc, metricsKey, (old) => plantOpened(old, b)),
    },
    2000,
  );

  const m = metrics.data;
  const fmt = (iso: string) => formatInstant(iso, tz, "datetime");
  const rangeLabel = custom ? `${fmt(m.from)} – ${fmt(m.to)}` : `last ${range.range}`;
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
              aria-current={!custom && r === range.range ? "true" : undefined}
              className={cn("rounded-md px-2 py-1 font-medium hover:bg-muted", !custom && r === range.range ? "bg-muted" : "text-muted-foreground")}
            >
              {r}
            </Link>
          ))}
        </nav>
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
        {fmt(m.from)} – {fmt(m.to)} (plant time, {tz}). Latency percentiles of delivered messages, from mergeable histograms (within 5 %).
        {custom ? " A custom range is history: it does not update live." : " Updates live."}
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
            onChange={(e) => router.push(`/plants/${code}?${qs(range, e.target.value || null)}`)}
          >
            <option value="">All interfaces (no latency chart)</option>
            {m.interfaces.map((i) => (
              <option key={i.code} value={i.code}>
                {i.code}
                {i.sloBreached ? ` (above SLO in ${i.slo.breached} ${i.slo.unit === "minute" ? "min" : "h"})` : ""}
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
