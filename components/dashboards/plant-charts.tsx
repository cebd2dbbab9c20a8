"use client";
import type { ReactNode } from "react";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { withKeys } from "@/lib/utils";
import type { PlantSeries } from "@/server/dashboards/series";

/**
 * The plant's charts (Recharts), each with its data as an accessible table (a disclosure under the
 * chart): latency percentiles with the SLO line, delivered vs failed stacked, open backlog by age,
 * connector heartbeat age and reported backlog. Times in the plant's timezone. No data ⇒ an empty
 * state saying why, never a drawn zero line standing in for missing latencies.
 */
const AGE_SERIES = [
  { key: "lt15m", label: "< 15 min", color: "#93c5fd" },
  { key: "lt1h", label: "< 1 h", color: "#3b82f6" },
  { key: "lt4h", label: "< 4 h", color: "#f59e0b" },
  { key: "lt24h", label: "< 24 h", color: "#f97316" },
  { key: "older", label: "older", color: "#dc2626" },
] as const;
const CONNECTOR_COLORS = ["#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be123c"];

export function msLabel(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 120_000) return `${(v / 1000).toFixed(1)} s`;
  if (v < 7_200_000) return `${(v / 60_000).toFixed(1)} min`;
  return `${(v / 3_600_000).toFixed(1)} h`;
}

function ChartCard({ title, id, children, table, empty }: { title: string; id: string; children: ReactNode; table: ReactNode; empty: string | null }) {
  return (
    <section aria-labelledby={id} className="rounded-lg border border-border bg-surface p-3" data-chart={id}>
      <h2 id={id} className="mb-2 text-sm font-semibold">
        {title}
      </h2>
      {empty ? (
        <p className="flex h-48 items-center justify-center rounded border border-dashed border-border px-4 text-center text-xs text-muted-foreground">
          {empty}
        </p>
      ) : (
        <div className="h-48" aria-hidden>
          {children}
        </div>
      )}
      {empty ? null : (
        <details className="mt-2 text-xs">
          <summary className="cursor-pointer text-muted-foreground">Show the data as a table</summary>
          <div className="mt-2 max-h-64 overflow-auto">{table}</div>
        </details>
      )}
    </section>
  );
}

function DataTable({ caption, head, rows }: { caption: string; head: string[]; rows: (string | number)[][] }) {
  const columns = withKeys(head, (h) => h).map((c) => c.key);
  return (
    <table className="w-full text-left tabular-nums">
      <caption className="sr-only">{caption}</caption>
      <thead className="sticky top-0 bg-muted text-muted-foreground">
        <tr>
          {head.map((h) => (
            <th key={h} scope="col" className="px-2 py-1 font-medium">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {withKeys(rows, (r) => String(r[0])).map(({ key, item: r }) => (
          <tr key={key} className="border-t border-border">
            {r.map((c, j) =>
              j === 0 ? (
                <th key={columns[j]} scope="row" className="px-2 py-0.5 text-left font-normal">
                  {c}
                </th>
              ) : (
                <td key={columns[j]} className="px-2 py-0.5">
                  {c}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PlantCharts({ series }: { series: PlantSeries }) {
  const tz = series.plant.timezone;
  const long = new Date(series.to).getTime() - new Date(series.from).getTime() > 36 * 3_600_000;
  const tick = new Intl.DateTimeFormat("en-GB", { timeZone: tz, ...(long ? { day: "2-digit", month: "short" } : {}), hour: "2-digit", minute: "2-digit" });
  const full = new Intl.DateTimeFormat("en-GB", { timeZone: tz, dateStyle: "medium", timeStyle: "short" });
  const fmtTick = (iso: string) => tick.format(new Date(iso));
  const fmtFull = (iso: unknown) => full.format(new Date(String(iso)));
  const step = msLabel(series.stepMs);
  const traffic = series.traffic;
  const hasTraffic = traffic.some((p) => p.delivered + p.failed > 0);
  const hasLatency = traffic.some((p) => p.p95 !== null);
  const slo = series.interface?.sloMs ?? null;
  const axis = { tick: { fontSize: 11 }, stroke: "var(--muted-foreground)" };
  const grid = <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />;
  const tooltip = <Tooltip labelFormatter={fmtFull} contentStyle={{ fontSize: 12, background: "var(--surface)", border: "1px solid var(--border)" }} />;
  const connectorNames = series.connectors.filter((c) => c.points.length).map((c) => c.name);
  const connectorRows = [...new Set(series.connectors.flatMap((c) => c.points.map((p) => p.t)))].sort().map((t) => {
    const row: Record<string, string | number | null> = { t };
    for (const c of series.connectors) {
      const p = c.points.find((x) => x.t === t);
      row[`${c.name}:age`] = p?.heartbeatAgeS ?? null;
      row[`${c.name}:backlog`] = p?.backlog ?? null;
    }
    return row;
  });

  return (
    <div className="grid gap-3 lg:grid-cols-2">
      <ChartCard
        id="chart-latency"
        title={`Latency of delivered messages${series.interface ? ` — ${series.interface.code}` : ""} (per ${step})`}
        empty={
          !series.interface
            ? "Choose an interface to see its latency against its SLO."
            : hasLatency
              ? null
              : "No delivered messages of this interface in this range."
        }
        table={
          <DataTable
            caption="Latency percentiles over time"
            head={["Time", "p50", "p95", "p99", "SLO"]}
            rows={traffic.filter((p) => p.p95 !== null).map((p) => [fmtFull(p.t), msLabel(p.p50), msLabel(p.p95), msLabel(p.p99), msLabel(slo)])}
          />
        }
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart accessibilityLayer={false} data={traffic} margin={{ top: 5, right: 10, bottom: 0, left: 0 }}>
            {grid}
            <XAxis dataKey="t" tickFormatter={fmtTick} minTickGap={40} {...axis} />
            <YAxis tickFormatter={(v: number) => msLabel(v)} width={60} {...axis} />
            {tooltip}
            <Legend wrapperStyle={{ fontSize: 11 }} />
            <Line dataKey="p50" name="p50" stroke="#60a5fa" dot={false} isAnimationActive={false} connectNulls={false} />
            <Line dataKey="p95" name="p95" stroke="#2563eb" strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} />
            <Line dataKey="p99" name="p99" stroke="#7c3aed" dot={false} isAnimationActive={false} connectNulls={false} />
            {slo !== null ? (
              <ReferenceLine
                y={slo}
                stroke="#dc2626"
                strokeDasharray="6 3"
                label={{ value: `SLO ${msLabel(slo)}`, fontSize: 11, fill: "#dc2626", position: "insideTopRight" }}
              />
            ) : null}
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        id="chart-throughput"
        title={`Messages per ${step}: delivered and failed${series.interface ? ` — ${series.interface.code}` : ""}`}
        empty={hasTraffic ? null : "No messages reported in this range."}
        table={
          <DataTable
            caption="Delivered and failed messages over time"
            head={["Time", "Delivered", "Failed"]}
            rows={traffic.filter((p) => p.delivered + p.failed > 0).map((p) => [fmtFull(p.t), p.delivered, p.failed])}
          />
        }
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart accessibilityLayer={false} data={traffic} margin={{ top: 5, right: 10, bottom: 0, left: 0 }}>
            {grid}
            <XAxis dataKey="t" tickFormatter={fmtTick} minTickGap={40} {...axis} />
            <YAxis allowDecimals={false} width={50} {...axis} />
            {tooltip}
            <Legend wrapperStyle={{ fontSize: 11 }} />
            <Bar dataKey="delivered" name="Delivered" stackId="m" fill="#16a34a" isAnimationActive={false} />
            <Bar dataKey="failed" name="Failed" stackId="m" fill="#dc2626" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        id="chart-backlog"
        title="Open exceptions by age (whole plant)"
        empty={series.backlog.length ? null : "No backlog samples in this range yet: the portal records one every minute while it runs."}
        table={
          <DataTable
            caption="Open backlog by age over time"
            head={["Time", ...AGE_SERIES.map((a) => a.label)]}
            rows={series.backlog.map((b) => [fmtFull(b.t), ...AGE_SERIES.map((a) => b[a.key])])}
          />
        }
      >
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart accessibilityLayer={false} data={series.backlog} margin={{ top: 5, right: 10, bottom: 0, left: 0 }}>
            {grid}
            <XAxis dataKey="t" tickFormatter={fmtTick} minTickGap={40} {...axis} />
            <YAxis allowDecimals={false} width={50} {...axis} />
            {tooltip}
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {AGE_SERIES.map((a) => (
              <Area key={a.key} dataKey={a.key} name={a.label} stackId="b" stroke={a.color} fill={a.color} fillOpacity={0.6} isAnimationActive={false} />
            ))}
          </AreaChart>
        </ResponsiveContainer>
      </ChartCard>

      <ChartCard
        id="chart-connectors"
        title="Connectors: seconds since last heartbeat and reported backlog"
        empty={connectorRows.length ? null : "No connector samples in this range yet: the portal records one every minute while it runs."}
        table={
          <DataTable
            caption="Connector heartbeat age and backlog over time"
            head={["Time", ...connectorNames.flatMap((n) => [`${n}: heartbeat age (s)`, `${n}: backlog`])]}
            rows={connectorRows.map((r) => [fmtFull(String(r.t)), ...connectorNames.flatMap((n) => [r[`${n}:age`] ?? "—", r[`${n}:backlog`] ?? "—"])])}
          />
        }
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart accessibilityLayer={false} data={connectorRows} margin={{ top: 5, right: 10, bottom: 0, left: 0 }}>
            {grid}
            <XAxis dataKey="t" tickFormatter={fmtTick} minTickGap={40} {...axis} />
            <YAxis yAxisId="age" width={50} {...axis} />
            <YAxis yAxisId="backlog" orientation="right" allowDecimals={false} width={40} {...axis} />
            {tooltip}
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {connectorNames.map((n, i) => (
              <Line
                key={`${n}:age`}
                yAxisId="age"
                dataKey={`${n}:age`}
                name={`${n} heartbeat age`}
                stroke={CONNECTOR_COLORS[i % CONNECTOR_COLORS.length]}
                dot={false}
                isAnimationActive={false}
              />
            ))}
            {connectorNames.map((n, i) => (
              <Line
                key={`${n}:backlog`}
                yAxisId="backlog"
                dataKey={`${n}:backlog`}
                name={`${n} backlog`}
                stroke={CONNECTOR_COLORS[i % CONNECTOR_COLORS.length]}
                strokeDasharray="4 2"
                dot={false}
                isAnimationActive={false}
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </ChartCard>
    </div>
  );
}
