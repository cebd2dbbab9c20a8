"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { Line, LineChart, ResponsiveContainer, YAxis } from "recharts";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { apiFetch } from "@/lib/api";
import { overviewOpened, overviewResolved, overviewTick } from "@/lib/dashboard-patches";
import { formatCount, formatDelta, formatDuration, formatInstant, formatShare } from "@/lib/format";
import { SEVERITY_LABELS } from "@/lib/labels";
import { dashboardKeys } from "@/lib/query-keys";
import { cn } from "@/lib/utils";
import type { HealthState } from "@/server/dashboards/health";
import type { Overview, PlantTile, WindowFigures } from "@/server/dashboards/overview";
import type { PlantFindings } from "@/server/findings/summary";
import { KINDS_WORST_FIRST, kindCount } from "../findings/phrases";
import type { ShiftWindows } from "@/server/dashboards/shift-window";
import { TileShiftLinks } from "../handover/tile-shift-links";
import { QueryError } from "./query-state";
import { patchQuery, useLiveDashboard } from "./use-live-dashboard";

/**
 * One tile per plant, worst health first; every number says what it counts and links to the page that
 * explains it (plant metrics, the pre-filtered queue). Times in the plant's zone, named. Ages are counted
 * from the server's "now" (generatedAt), so server and browser render the same text.
 */
const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;
const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
export const HEALTH_LABELS: Record<HealthState, string> = { critical: "Critical", degraded: "Degraded", healthy: "Healthy" };
const HEALTH_TONE = { critical: "critical", degraded: "high", healthy: "low" } as const;
const HEALTH_TEXT = { critical: "text-danger", degraded: "text-warning", healthy: "text-muted-foreground" } as const;

const count = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** The overview, live: server-rendered first, then kept in the query cache and patched from socket events. */
export function OverviewTiles({
  initial,
  shifts = {},
}: {
  initial: Overview /** Shift windows by plant id (dashboard page). */;
  shifts?: Record<string, ShiftWindows>;
}) {
  const qc = useQueryClient();
  const key = dashboardKeys.overview();
  const query = useQuery({
    queryKey: key,
    queryFn: () => apiFetch<Overview>("/api/dashboard"),
    initialData: initial,
    staleTime: 10_000,
    refetchInterval: 60_000,
  });
  const { plants, generatedAt } = query.data;
  useLiveDashboard(
    plants.map((p) => p.id),
    key,
    {
      opened: (b) => patchQuery<Overview>(qc, key, (old) => overviewOpened(old, b)),
      resolved: (b) => patchQuery<Overview>(qc, key, (old) => overviewResolved(old, b)),
      tick: (t) => patchQuery<Overview>(qc, key, (old) => overviewTick(old, t)),
    },
  );
  if (plants.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
        <h1 className="font-medium">No plants to show</h1>
        <p className="mt-1 text-sm text-muted-foreground">Your account is not assigned to any plant yet. Ask an administrator to add your plants.</p>
      </div>
    );
  }
  const openTotal = plants.reduce((n, p) => n + p.open.total, 0);
  const byState = (s: HealthState) => plants.filter((p) => p.health.state === s).length;
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h1 className="text-lg font-semibold">Dashboard</h1>
        <p className="text-sm" data-testid="dashboard-summary">
          {count(plants.length, "plant")}:{" "}
          {(["critical", "degraded", "healthy"] as const)
            .filter((s) => byState(s) > 0)
            .map((s) => `${byState(s)} ${HEALTH_LABELS[s].toLowerCase()}`)
            .join(", ")}
          {" · "}
          <Link href="/exceptions" className="font-medium underline-offset-2 hover:underline" data-testid="dashboard-open-total">
            {count(openTotal, "open exception")}
          </Link>{" "}
          <span className="text-muted-foreground">(waiting for action, all your plants)</span>
        </p>
      </div>
      <p className="text-xs text-muted-foreground">
        Worst first. Health is judged on the last hour: a plant is critical when an interface is above its latency SLO in 10 % of its minutes or more, 5 % of
        messages fail, or a connector falls silent; any minute above the SLO, 1 % failures, a connector backlog or a firing alert makes it degraded.
      </p>
      {query.isError ? <QueryError what="the dashboard" error={query.error} retry={() => void query.refetch()} stale /> : null}
      <ul className="grid gap-3 lg:grid-cols-2" aria-label="Plants, worst health first">
        {plants.map((p) => (
          <li key={p.code} className="min-w-0">
            <PlantTileCard p={p} generatedAt={generatedAt} shifts={shifts[p.id]} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function PlantTileCard({ p, generatedAt, shifts }: { p: PlantTile; generatedAt: string; shifts?: ShiftWindows }) {
  const headingId = `tile-${p.code}`;
  const tz = p.timezone;
  const silent = p.connectors.filter((c) => c.silent);
  const unheard = p.connectors.filter((c) => !c.reported);
  const backlogged = p.connectors.filter((c) => !c.silent && (c.backlog ?? 0) > 0);
  const oldestS = p.open.oldestFirstSeenAt ? (new Date(generatedAt).getTime() - new Date(p.open.oldestFirstSeenAt).getTime()) / 1000 : null;
  const lh = p.lastHour;
  return (
    <Card aria-labelledby={headingId} data-plant-tile={p.code} data-health={p.health.state} className="h-full">
      <CardHeader>
        <div className="min-w-0">
          <h2 id={headingId} className="flex flex-wrap items-center gap-2 text-base font-semibold">
            <Link href={`/plants/${p.code}`} className="hover:underline">
              <Badge tone="outline" className="mr-2 font-mono">
                {p.code}
              </Badge>
              {p.name}
            </Link>
          </h2>
          <p className="text-xs text-muted-foreground">Plant time: {tz}</p>
          <TileShiftLinks code={p.code} zone={tz} windows={shifts} />
        </div>
        <Badge tone={HEALTH_TONE[p.health.state]} className="shrink-0 text-sm" data-testid="tile-health">
          {HEALTH_LABELS[p.health.state]}
        </Badge>
      </CardHeader>
      <CardBody className="space-y-3 text-xs">
        {p.health.reasons.length ? (
          <ul className="space-y-0.5" aria-label={`Why ${p.code} is ${HEALTH_LABELS[p.health.state].toLowerCase()}`} data-testid="tile-reasons">
            {p.health.reasons.map((r) => (
              <li key={r.text} className={cn("flex gap-1.5", HEALTH_TEXT[r.state])}>
                <span className="font-semibold">{HEALTH_LABELS[r.state]}:</span>
                <span>{r.text}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="text-muted-foreground" data-testid="tile-reasons">
            Nothing needs attention in the last hour.
          </p>
        )}
        <div className="grid grid-cols-2 gap-3">
          <div>
            <p className="text-muted-foreground">Open exceptions (waiting for action)</p>
            <p className="text-2xl font-semibold tabular-nums">
              <Link href={`/exceptions?plant=${p.code}`} className="hover:underline" data-testid="tile-open">
                {formatCount(p.open.total)}
              </Link>
            </p>
            <p className="flex flex-wrap gap-1">
              {SEVERITIES.filter((s) => p.open.bySeverity[s] > 0).map((s) => (
                <Link key={s} href={`/exceptions?plant=${p.code}&severity=${s}`}>
                  <Badge tone={SEV_TONE[s]}>
                    {formatCount(p.open.bySeverity[s])} {SEVERITY_LABELS[s].toLowerCase()}
                  </Badge>
                </Link>
              ))}
            </p>
            <p className="mt-1 text-muted-foreground">
              {oldestS !== null ? (
                <>
                  oldest first seen{" "}
                  <Link className="hover:underline" href={`/exceptions?plant=${p.code}&sort=oldest`}>
                    {formatDuration(oldestS)} ago
                  </Link>
                </>
              ) : (
                "none open"
              )}
            </p>
          </div>
          <div>
            <p className="text-muted-foreground">Messages, last hour</p>
            <p className="text-2xl font-semibold tabular-nums" data-testid="tile-messages">
              {formatCount(lh.messages)}
            </p>
            <p>
              <span className={cn(lh.failureRate !== null && lh.failureRate >= 0.01 && "font-semibold text-danger")}>
                {lh.failureRate === null ? "no traffic" : `${formatShare(lh.failureRate)} failed (${formatCount(lh.failed)})`}
              </span>
            </p>
            <p className={cn("mt-1", lh.sloBreaches.length ? "text-danger" : "text-muted-foreground")} data-testid="tile-slo">
              {lh.slo.activeMinutes === 0 ? (
                "no deliveries to judge the latency SLO on"
              ) : lh.sloBreaches.length ? (
                <>
                  Above latency SLO:{" "}
                  {lh.sloBreaches.map((b, i) => (
                    <span key={b.code}>
                      {i ? ", " : ""}
                      <Link className="font-mono hover:underline" href={`/plants/${p.code}?range=1h&interface=${b.code}`}>
                        {b.code}
                      </Link>{" "}
                      in {b.breachMinutes} of {count(b.activeMinutes, "min", "min")} ({formatShare(b.breachMinutes / b.activeMinutes)})
                    </span>
                  ))}
                </>
              ) : (
                `every interface within its latency SLO in each of ${count(lh.slo.activeMinutes, "minute")}`
              )}
            </p>
          </div>
        </div>
        <TileFindings code={p.code} f={p.findings} />
        <p data-testid="tile-flow">
          <span className="text-muted-foreground">
            Exceptions, last hour ({formatInstant(lh.from, tz, "time")} – {formatInstant(lh.to, tz, "time")}):
          </span>{" "}
          {formatCount(lh.opened)} first seen, {formatCount(lh.closed)} closed (resolved or discarded)
        </p>
        <CompareTable p={p} />
        <BacklogTrend p={p} generatedAt={generatedAt} />
        <div className="grid gap-3 sm:grid-cols-[1fr_auto]">
          <div>
            <p className="text-muted-foreground">Connectors in service</p>
            <p data-testid="tile-connectors">
              {p.connectors.length === 0
                ? "none registered"
                : silent.length === 0 && unheard.length === 0 && backlogged.length === 0
                  ? `all ${p.connectors.length} reporting, no backlog`
                  : null}
              {silent.length ? <span className="text-danger">silent: {silent.map((c) => c.name).join(", ")}. </span> : null}
              {unheard.length ? <span className="text-muted-foreground">no heartbeat yet: {unheard.map((c) => c.name).join(", ")}. </span> : null}
              {backlogged.length ? (
                <span className="text-warning">backlog: {backlogged.map((c) => `${c.name} (${count(c.backlog ?? 0, "message")} waiting)`).join(", ")}</span>
              ) : null}
            </p>
          </div>
          <div>
            <p className="text-muted-foreground">Alerts</p>
            <p data-testid="tile-alerts">
              {p.alerts.open === 0 ? (
                "none open"
              ) : (
                <Link href={`/alerts?plant=${p.code}`} className={cn("hover:underline", p.alerts.firing > 0 && "font-semibold text-danger")}>
                  {p.alerts.firing > 0 ? `${formatCount(p.alerts.firing)} firing` : `${formatCount(p.alerts.open)} acknowledged`}
                </Link>
              )}
            </p>
          </div>
        </div>
      </CardBody>
    </Card>
  );
}

/**
 * What the flow monitor found missing at the plant (open findings): "14 late · 1 stopped flow", each count
 * linking to the findings queue filtered to it, and the interfaces behind them.
 */
function TileFindings({ code, f }: { code: string; f: PlantFindings }) {
  const href = (q: Record<string, string>) => `/findings?${new URLSearchParams({ plant: code, ...q })}`;
  const kinds = KINDS_WORST_FIRST.filter((k) => f.byKind[k] > 0);
  return (
    <div data-testid="tile-findings">
      <p className="text-muted-foreground">Found missing (late messages, stopped flows, missed runs)</p>
      {kinds.length === 0 ? (
        <p>none open</p>
      ) : (
        <>
          <p className="font-medium">
            {kinds.map((k, i) => (
              <span key={k}>
                {i ? " · " : ""}
                <Link
                  href={href({ kind: k })}
                  className={cn("hover:underline", k === "STOPPED" || k === "MISSED_RUN" ? "text-danger" : "text-warning")}
                  data-kind={k}
                >
                  {kindCount(k, f.byKind[k])}
                </Link>
              </span>
            ))}
            {f.unacknowledged < f.open ? (
              <span className="font-normal text-muted-foreground"> ({formatCount(f.open - f.unacknowledged)} acknowledged)</span>
            ) : null}
          </p>
          <ul className="mt-0.5 space-y-0.5">
            {f.byInterface.slice(0, 4).map((x) => (
              <li key={`${x.code}-${x.kind}`}>
                <Link href={href({ interface: x.code, kind: x.kind })} className="hover:underline">
                  {kindCount(x.kind, x.count)}: <span className="font-mono">{x.code}</span> ({x.name})
                </Link>
              </li>
            ))}
            {f.byInterface.length > 4 ? (
              <li>
                <Link href={href({})} className="underline">
                  and {formatCount(f.byInterface.length - 4)} more
                </Link>
              </li>
            ) : null}
          </ul>
        </>
      )}
    </div>
  );
}

/** The last hour next to the same hour yesterday and last week; under each past figure, how the last hour differs from it. */
function CompareTable({ p }: { p: PlantTile }) {
  const tz = p.timezone;
  const lh = p.lastHour;
  const cols: { key: string; label: string; w: WindowFigures }[] = [
    { key: "yesterday", label: "Yesterday", w: p.compare.yesterday },
    { key: "lastWeek", label: "Last week", w: p.compare.lastWeek },
  ];
  const rows: { label: string; now: number | null; past: (w: WindowFigures) => number | null; show: (w: WindowFigures, v: number | null) => string }[] = [
    { label: "Messages", now: lh.messages, past: (w) => w.messages, show: (_, v) => formatCount(v) },
    {
      label: "Failed messages",
      now: lh.failed,
      past: (w) => w.failed,
      show: (w, v) => (v === null ? "—" : `${formatCount(v)}${w.messages ? ` (${formatShare(v / w.messages)})` : ""}`),
    },
    {
      label: "Minutes above latency SLO",
      now: lh.slo.breachMinutes,
      past: (w) => w.slo.breachMinutes,
      show: (w, v) => (w.slo.activeMinutes ? `${formatCount(v)} of ${formatCount(w.slo.activeMinutes)}` : "no deliveries"),
    },
    {
      label: "Open exceptions at the end",
      now: p.open.total,
      past: (w) => w.openAtEnd,
      show: (_, v) => (v === null ? "no sample" : formatCount(v)),
    },
  ];
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
    <section className="relative overflow-x-auto" aria-label={`Trend of ${p.code}`} tabIndex={0} data-testid="tile-compare">
      <table className="w-full text-left tabular-nums">
        <caption className="mb-1 text-left text-muted-foreground">
          Last hour ({formatInstant(lh.from, tz, "time")} – {formatInstant(lh.to, tz, "time")}) against the same hour yesterday and last week; the change since
          then below each.
        </caption>
        <thead className="text-muted-foreground">
          <tr className="border-b border-border">
            <th scope="col" className="py-1 pr-2 font-medium">
              <span className="sr-only">Figure</span>
            </th>
            <th scope="col" className="py-1 pr-2 text-right font-medium">
              Last hour
            </th>
            {cols.map((c) => (
              <th key={c.key} scope="col" className="py-1 pr-2 text-right font-medium last:pr-0">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.label} className="border-b border-border last:border-0" data-row={r.label}>
              <th scope="row" className="py-1 pr-2 font-normal text-muted-foreground">
                {r.label}
              </th>
              <td className="py-1 pr-2 text-right font-medium whitespace-nowrap">{r.show(lh, r.now)}</td>
              {cols.map((c) => {
                const then = r.past(c.w);
                return (
                  <td key={c.key} className="py-1 pr-2 text-right whitespace-nowrap last:pr-0">
                    <span className="block">{r.show(c.w, then)}</span>
                    {then !== null && r.now !== null && (r.label !== "Minutes above latency SLO" || c.w.slo.activeMinutes > 0) ? (
                      <span className="block text-muted-foreground">now {formatDelta(r.now - then)}</span>
                    ) : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The open backlog at each of the last 24 hours and now, as a line with its values written out. */
function BacklogTrend({ p, generatedAt }: { p: PlantTile; generatedAt: string }) {
  const points = [...p.trend, { t: generatedAt, open: p.open.total }];
  const known = points.filter((x): x is { t: string; open: number } => x.open !== null);
  // The earliest hourly sample (the last known point is always "now").
  const first = known.length > 1 ? known[0] : undefined;
  const values = known.map((x) => x.open);
  const hoursAgo = (t: string) => Math.round((new Date(generatedAt).getTime() - new Date(t).getTime()) / 3_600_000);
  return (
    <div data-testid="tile-trend">
      <p className="text-muted-foreground">Open exceptions over the last 24 hours (hourly, plant time)</p>
      {known.length > 1 ? (
        <>
          <div className="h-10" aria-hidden>
            <ResponsiveContainer width="100%" height="100%">
              <LineChart accessibilityLayer={false} data={points} margin={{ top: 3, bottom: 3, left: 0, right: 0 }}>
                <YAxis hide domain={["dataMin", "dataMax"]} />
                <Line
                  type="linear"
                  dataKey="open"
                  dot={false}
                  connectNulls={false}
                  isAnimationActive={false}
                  stroke="var(--color-primary, currentColor)"
                  strokeWidth={1.5}
                />
              </LineChart>
            </ResponsiveContainer>
          </div>
          <p className="tabular-nums" data-testid="tile-trend-values">
            {first ? (
              <>
                <span title={formatInstant(first.t, p.timezone, "datetime")}>{hoursAgo(first.t)} h ago</span>: <strong>{formatCount(first.open)}</strong>
                {" · "}
              </>
            ) : null}
            lowest <strong>{formatCount(Math.min(...values))}</strong>
            {" · "}
            highest <strong>{formatCount(Math.max(...values))}</strong>
            {" · "}
            now <strong>{formatCount(p.open.total)}</strong>
            {first ? ` (${formatDelta(p.open.total - first.open)} in ${hoursAgo(first.t)} h)` : ""}
          </p>
          {points.some((x) => x.open === null) ? (
            <p className="text-muted-foreground">Gaps in the line: no sample was taken then (the portal was not running).</p>
          ) : null}
        </>
      ) : (
        <p className="text-muted-foreground">History builds up from the first minute the portal runs; now {formatCount(p.open.total)} open.</p>
      )}
    </div>
  );
}
