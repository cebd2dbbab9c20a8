"use client";
import type { ReactNode } from "react";
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  type DotItemDotProps,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { formatCount, formatDuration, formatInstant } from "@/lib/format";
import { withKeys } from "@/lib/utils";
import type { PlantSeries } from "@/server/dashboards/series";

/**
 * The plant's charts (Recharts), each with a legend in the chart's own order (written out in the page,
 * not sorted by Recharts) and its data as an accessible table (a disclosure under the chart): latency
 * percentiles with the SLO line and the steps holding minutes above it, delivered vs failed stacked, open
 * backlog by age, and the connectors' heartbeat age and reported backlog — each in its own chart with
 * its unit on the axis. The time axis has a point per step of the range: where nothing was measured the
 * value is null and the line stops (a gap in time is drawn as a gap). Times in the plant's zone, named.
 * No data ⇒ an empty state saying why, never a drawn zero line standing in for missing latencies.
 */
const AGE_SERIES = [
  { key: "lt15m", label: "< 15 min", color: "#7dd3fc" },
  { key: "lt1h", label: "< 1 h", color: "#2563eb" },
  { key: "lt4h", label: "< 4 h", color: "#9333ea" },
  { key: "lt24h", label: "< 24 h", color: "#f97316" },
  { key: "older", label: "older", color: "#991b1b" },
] as const;
const CONNECTOR_COLORS = ["#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#be123c", "#4d7c0f", "#a16207"];
const SLO_COLOR = "#dc2626";
const NBSP = "\u00a0";

export function msLabel(v: number | null | undefined): string {
  if (v === null || v === undefined) return "—";
  if (v < 1000) return `${Math.round(v)}${NBSP}ms`;
  if (v < 120_000) return `${(v / 1000).toFixed(1)}${NBSP}s`;
  if (v < 7_200_000) return `${(v / 60_000).toFixed(1)}${NBSP}min`;
  return `${(v / 3_600_000).toFixed(1)}${NBSP}h`;
}

type LegendItem = { label: string; color: string; shape?: "line" | "dashed" | "dot" | "box" };

/** A legend in the order given (age order, connector order), readable without the chart. */
function ChartLegend({ items }: { items: LegendItem[] }) {
  return (
    <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-xs" aria-label="Legend" data-testid="legend">
      {items.map((i) => (
        <li key={i.label} className="flex items-center gap-1.5">
          <svg aria-hidden width="16" height="10" viewBox="0 0 16 10" className="shrink-0">
            {i.shape === "dot" ? (
              <circle cx="8" cy="5" r="3.5" fill={i.color} />
            ) : i.shape === "box" ? (
              <rect x="2" y="1" width="12" height="8" rx="1" fill={i.color} />
            ) : (
              <line x1="0" y1="5" x2="16" y2="5" stroke={i.color} strokeWidth="2.5" strokeDasharray={i.shape === "dashed" ? "4 2" : undefined} />
            )}
          </svg>
          {i.label}
        </li>
      ))}
    </ul>
  );
}

function ChartCard({
  title,
  id,
  children,
  table,
  empty,
  legend,
  note,
}: {
  title: string;
  id: string;
  children: ReactNode;
  table: ReactNode;
  empty: string | null;
  legend?: LegendItem[];
  note?: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="min-w-0 rounded-lg border border-border bg-surface p-3" data-chart={id}>
      <h2 id={id} className="mb-2 text-sm font-semibold">
        {title}
      </h2>
      {empty ? (
        <p className="flex h-48 items-center justify-center rounded border border-dashed border-border px-4 text-center text-xs text-muted-foreground">
          {empty}
        </p>
      ) : (
        <>
          <div className="h-48" aria-hidden>
            {children}
          </div>
          {legend ? <ChartLegend items={legend} /> : null}
          {note ? <p className="mt-1 text-xs text-muted-foreground">{note}</p> : null}
        </>
      )}
      {empty ? null : (
        <details className="mt-2 text-xs">
          <summary className="cursor-pointer text-muted-foreground">Show the data as a table</summary>
          <section
            aria-label={`Data of: ${title}`}
            // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
            tabIndex={0}
            className="mt-2 max-h-64 overflow-auto focus-visible:outline-2 focus-visible:outline-ring"
          >
            {table}
          </section>
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
                <th key={columns[j]} scope="row" className="px-2 py-0.5 text-left font-normal whitespace-nowrap">
                  {c}
                </th>
              ) : (
                <td key={columns[j]} className="px-2 py-0.5 whitespace-nowrap">
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

/**
 * A dot only where a point stands alone between gaps: with `connectNulls={false}` a single measured step
 * would otherwise draw nothing at all (a chart that looks empty while the table has values).
 */
function isolatedDot(data: readonly Record<string, unknown>[], key: string, color: string) {
  const has = (i: number) => data[i]?.[key] !== null && data[i]?.[key] !== undefined;
  return (props: DotItemDotProps) =>
    has(props.index) && !has(props.index - 1) && !has(props.index + 1) ? (
      <circle key={`${key}-${props.index}`} cx={props.cx} cy={props.cy} r={2.5} fill={color} />
    ) : null;
}

const axisLabel = (value: string) => ({
  value,
  angle: -90,
  position: "insideLeft" as const,
  style: { fontSize: 11, textAnchor: "middle" as const },
  offset: 10,
});

export function PlantCharts({ series }: { series: PlantSeries }) {
  const tz = series.plant.timezone;
  const long = new Date(series.to).getTime() - new Date(series.from).getTime() > 36 * 3_600_000;
  const tick = new Intl.DateTimeFormat("en-GB", {
    timeZone: tz,
    ...(long ? { day: "2-digit", month: "short" } : {}),
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const fmtTick = (iso: string) => tick.format(new Date(iso));
  const fmtFull = (iso: unknown) => formatInstant(String(iso), tz, "datetime");
  const step = msLabel(series.stepMs);
  const traffic = series.traffic.map((p) => ({
    ...p,
    // Drawn on the SLO line at each step holding minutes above the SLO (as the table counts them).
    breachMark: series.interface && (p.breaches ?? 0) > 0 ? series.interface.sloMs : null,
  }));
  const hasTraffic = traffic.some((p) => p.delivered + p.failed > 0);
  const hasLatency = traffic.some((p) => p.p95 !== null);
  const breachSteps = traffic.filter((p) => (p.breaches ?? 0) > 0).length;
  const slo = series.interface?.sloMs ?? null;
  const axis = { tick: { fontSize: 11 }, stroke: "var(--muted-foreground)" };
  const grid = <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />;
  const tooltip = <Tooltip labelFormatter={fmtFull} contentStyle={{ fontSize: 12, background: "var(--surface)", border: "1px solid var(--border)" }} />;
  const xAxis = <XAxis dataKey="t" tickFormatter={fmtTick} minTickGap={40} {...axis} />;
  const backlogSteps = series.backlog.filter((b) => b.lt15m !== null);
  const connectors = series.connectors.filter((c) => c.points.some((p) => p.heartbeatAgeS !== null || p.backlog !== null));
  const colorOf = (i: number) => CONNECTOR_COLORS[i % CONNECTOR_COLORS.length]!;
  const connectorRows = (series.connectors[0]?.points ?? []).map((p, i) => {
    const row: Record<string, string | number | null> = { t: p.t };
    for (const c of connectors) {
      row[`${c.name}:age`] = c.points[i]?.heartbeatAgeS ?? null;
      row[`${c.name}:backlog`] = c.points[i]?.backlog ?? null;
    }
    return row;
  });
  const measuredConnectorRows = connectorRows.filter((r) => connectors.some((c) => r[`${c.name}:age`] !== null || r[`${c.name}:backlog`] !== null));
  const noConnectorSamples = "No connector samples in this range yet: the portal records one every minute while it runs.";

  return (
    <div className="space-y-2">
      <p className="text-xs text-muted-foreground">
        Times in plant time ({tz}), one point per {step}; where nothing was measured the line stops.
      </p>
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
          legend={[
            { label: "p50", color: "#60a5fa" },
            { label: "p95", color: "#1d4ed8" },
            { label: "p99", color: "#7c3aed" },
            { label: `SLO ${msLabel(slo)}`, color: SLO_COLOR, shape: "dashed" },
            { label: "step with minutes above the SLO", color: SLO_COLOR, shape: "dot" },
          ]}
          note={
            breachSteps > 0
              ? `${breachSteps} ${breachSteps === 1 ? "step holds" : "steps hold"} minutes whose p95 was above the SLO (the table counts them).`
              : "No minute above the SLO in this range."
          }
          table={
            <DataTable
              caption="Latency percentiles over time"
              head={["Time", "p50", "p95", "p99", "SLO", `${series.sloUnit === "minute" ? "Minutes" : "Hours"} above SLO`]}
              rows={traffic
                .filter((p) => p.p95 !== null)
                .map((p) => [fmtFull(p.t), msLabel(p.p50), msLabel(p.p95), msLabel(p.p99), msLabel(slo), formatCount(p.breaches)])}
            />
          }
        >
          <ResponsiveContainer width="100%" height="100%">
            <LineChart accessibilityLayer={false} data={traffic} margin={{ top: 5, right: 10, bottom: 0, left: 10 }}>
              {grid}
              {xAxis}
              <YAxis tickFormatter={(v: number) => msLabel(v)} width={64} label={axisLabel("latency")} {...axis} />
              {tooltip}
              <Line dataKey="p50" name="p50" stroke="#60a5fa" dot={isolatedDot(traffic, "p50", "#60a5fa")} isAnimationActive={false} connectNulls={false} />
              <Line
                dataKey="p95"
                name="p95"
                stroke="#1d4ed8"
                strokeWidth={2}
                dot={isolatedDot(traffic, "p95", "#1d4ed8")}
                isAnimationActive={false}
                connectNulls={false}
              />
              <Line dataKey="p99" name="p99" stroke="#7c3aed" dot={isolatedDot(traffic, "p99", "#7c3aed")} isAnimationActive={false} connectNulls={false} />
              <Line
                dataKey="breachMark"
                name="minutes above the SLO"
                stroke="none"
                dot={{ r: 3.5, fill: SLO_COLOR, stroke: SLO_COLOR }}
                activeDot={false}
                isAnimationActive={false}
                connectNulls={false}
                legendType="none"
              />
              {slo !== null ? <ReferenceLine y={slo} stroke={SLO_COLOR} strokeDasharray="6 3" /> : null}
            </LineChart>
          </ResponsiveContainer>
        </ChartCard>

        <ChartCard
          id="chart-throughput"
          title={`Messages per ${step}: delivered and failed${series.interface ? ` — ${series.interface.code}` : ""}`}
          empty={hasTraffic ? null : "No messages reported in this range."}
          legend={[
            { label: "Delivered", color: "#16a34a", shape: "box" },
            { label: "Failed", color: "#dc2626", shape: "box" },
          ]}
          table={
            <DataTable
              caption="Delivered and failed messages over time"
              head={["Time", "Delivered", "Failed"]}
              rows={traffic.filter((p) => p.delivered + p.failed > 0).map((p) => [fmtFull(p.t), p.delivered, p.failed])}
            />
          }
        >
          <ResponsiveContainer width="100%" height="100%">
            <BarChart accessibilityLayer={false} data={traffic} margin={{ top: 5, right: 10, bottom: 0, left: 10 }}>
              {grid}
              {xAxis}
              <YAxis allowDecimals={false} width={56} label={axisLabel("messages")} {...axis} />
              {tooltip}
              <Bar dataKey="delivered" name="Delivered" stackId="m" fill="#16a34a" isAnimationActive={false} />
              <Bar dataKey="failed" name="Failed" stackId="m" fill="#dc2626" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </ChartCard>

        <ChartCard
          id="chart-backlog"
          title="Open exceptions by age (whole plant)"
          empty={backlogSteps.length ? null : "No backlog samples in this range yet: the portal records one every minute while it runs."}
          legend={AGE_SERIES.map((a) => ({ label: a.label, color: a.color, shape: "box" as const }))}
          table={
            <DataTable
              caption="Open backlog by age over time"
              head={["Time", ...AGE_SERIES.map((a) => a.label)]}
              rows={backlogSteps.map((b) => [fmtFull(b.t), ...AGE_SERIES.map((a) => formatCount(b[a.key]))])}
            />
          }
        >
          <ResponsiveContainer width="100%" height="100%">
            <AreaChart accessibilityLayer={false} data={series.backlog} margin={{ top: 5, right: 10, bottom: 0, left: 10 }}>
              {grid}
              {xAxis}
              <YAxis allowDecimals={false} width={56} label={axisLabel("exceptions")} {...axis} />
              {tooltip}
              {AGE_SERIES.map((a) => (
                <Area
                  key={a.key}
                  dataKey={a.key}
                  name={a.label}
                  stackId="b"
                  stroke={a.color}
                  fill={a.color}
                  fillOpacity={0.7}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              ))}
            </AreaChart>
          </ResponsiveContainer>
        </ChartCard>

        <ChartCard
          id="chart-connector-heartbeat"
          title="Connectors: time since their last heartbeat"
          empty={measuredConnectorRows.length ? null : noConnectorSamples}
          legend={connectors.map((c, i) => ({ label: c.name, color: colorOf(i) }))}
          note="A connector that stays silent climbs steadily; one that reports stays near zero."
          table={
            <DataTable
              caption="Time since each connector's last heartbeat"
              head={["Time", ...connectors.map((c) => c.name)]}
              rows={measuredConnectorRows.map((r) => [fmtFull(r.t), ...connectors.map((c) => formatDuration(r[`${c.name}:age`] as number | null))])}
            />
          }
        >
          <ResponsiveContainer width="100%" height="100%">
            <LineChart accessibilityLayer={false} data={connectorRows} margin={{ top: 5, right: 10, bottom: 0, left: 10 }}>
              {grid}
              {xAxis}
              <YAxis width={64} tickFormatter={(v: number) => formatDuration(v)} label={axisLabel("since heartbeat")} {...axis} />
              {tooltip}
              {connectors.map((c, i) => (
                <Line
                  key={c.id}
                  dataKey={`${c.name}:age`}
                  name={c.name}
                  stroke={colorOf(i)}
                  dot={isolatedDot(connectorRows, `${c.name}:age`, colorOf(i))}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </ChartCard>

        <ChartCard
          id="chart-connector-backlog"
          title="Connectors: messages waiting in their own backlog"
          empty={measuredConnectorRows.length ? null : noConnectorSamples}
          legend={connectors.map((c, i) => ({ label: c.name, color: colorOf(i) }))}
          table={
            <DataTable
              caption="Backlog each connector reports"
              head={["Time", ...connectors.map((c) => c.name)]}
              rows={measuredConnectorRows.map((r) => [fmtFull(r.t), ...connectors.map((c) => formatCount(r[`${c.name}:backlog`] as number | null))])}
            />
          }
        >
          <ResponsiveContainer width="100%" height="100%">
            <LineChart accessibilityLayer={false} data={connectorRows} margin={{ top: 5, right: 10, bottom: 0, left: 10 }}>
              {grid}
              {xAxis}
              <YAxis allowDecimals={false} width={56} label={axisLabel("messages")} {...axis} />
              {tooltip}
              {connectors.map((c, i) => (
                <Line
                  key={c.id}
                  dataKey={`${c.name}:backlog`}
                  name={c.name}
                  stroke={colorOf(i)}
                  dot={isolatedDot(connectorRows, `${c.name}:backlog`, colorOf(i))}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        </ChartCard>
      </div>
    </div>
  );
}
