"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { Line, LineChart, ResponsiveContainer } from "recharts";
import { apiFetch } from "@/lib/api";
import { overviewOpened, overviewResolved, overviewTick } from "@/lib/dashboard-patches";
import { dashboardKeys } from "@/lib/query-keys";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { cn } from "@/lib/utils";
import type { PlantTile } from "@/server/dashboards/overview";
import { QueryError } from "./query-state";
import { patchQuery, useLiveDashboard } from "./use-live-dashboard";

/** One tile per plant; every number links to the page that explains it (plant metrics, pre-filtered queue). */
const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;
const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;

function ageOf(iso: string, now: number): string {
  const s = Math.max(0, (now - new Date(iso).getTime()) / 1000);
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

type Tiles = { plants: PlantTile[] };

/** The overview, live: server-rendered first, then kept in the query cache and patched from socket events. */
export function OverviewTiles({ initial }: { initial: PlantTile[] }) {
  const qc = useQueryClient();
  const key = dashboardKeys.overview();
  const query = useQuery({
    queryKey: key,
    queryFn: () => apiFetch<Tiles>("/api/dashboard"),
    initialData: { plants: initial },
    staleTime: 10_000,
    refetchInterval: 60_000,
  });
  const plants = query.data.plants;
  useLiveDashboard(
    plants.map((p) => p.id),
    key,
    {
      opened: (b) => patchQuery<Tiles>(qc, key, (old) => overviewOpened(old, b)),
      resolved: (b) => patchQuery<Tiles>(qc, key, (old) => overviewResolved(old, b)),
      tick: (t) => patchQuery<Tiles>(qc, key, (old) => overviewTick(old, t)),
    },
  );
  const now = Date.now();
  if (plants.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
        <h1 className="font-medium">No plants to show</h1>
        <p className="mt-1 text-sm text-muted-foreground">Your account is not assigned to any plant yet. Ask an administrator to add your plants.</p>
      </div>
    );
  }
  return (
    <div className="space-y-3">
      <h1 className="text-lg font-semibold">Dashboard</h1>
      {query.isError ? <QueryError what="the dashboard" error={query.error} retry={() => void query.refetch()} stale /> : null}
      <div className="grid gap-3 md:grid-cols-2">
        {plants.map((p) => {
          const headingId = `tile-${p.code}`;
          const silent = p.connectors.filter((c) => c.silent);
          const backlogged = p.connectors.filter((c) => (c.backlog ?? 0) > 0);
          return (
            <Card key={p.code} aria-labelledby={headingId} data-plant-tile={p.code}>
              <CardHeader>
                <h2 id={headingId} className="flex items-center gap-2 text-base font-semibold">
                  <Link href={`/plants/${p.code}`} className="hover:underline">
                    <Badge tone="outline" className="mr-2 font-mono">
                      {p.code}
                    </Badge>
                    {p.name}
                  </Link>
                </h2>
                <span className="text-xs text-muted-foreground">{p.timezone}</span>
              </CardHeader>
              <CardBody className="grid grid-cols-2 gap-3 text-xs">
                <div>
                  <p className="text-muted-foreground">Open exceptions</p>
                  <p className="text-2xl font-semibold tabular-nums">
                    <Link href={`/exceptions?plant=${p.code}`} className="hover:underline" data-testid="tile-open">
                      {p.open.total}
                    </Link>
                  </p>
                  <p className="flex flex-wrap gap-1">
                    {SEVERITIES.filter((s) => p.open.bySeverity[s] > 0).map((s) => (
                      <Link key={s} href={`/exceptions?plant=${p.code}&severity=${s}`}>
                        <Badge tone={SEV_TONE[s]}>
                          {p.open.bySeverity[s]} {s.toLowerCase()}
                        </Badge>
                      </Link>
                    ))}
                  </p>
                  <p className="mt-1 text-muted-foreground">
                    {p.open.oldestFirstSeenAt ? (
                      <>
                        oldest{" "}
                        <Link className="hover:underline" href={`/exceptions?plant=${p.code}&sort=oldest`}>
                          {ageOf(p.open.oldestFirstSeenAt, now)}
                        </Link>
                      </>
                    ) : (
                      "none open"
                    )}
                    {" · "}last hour +{p.lastHour.opened} / −{p.lastHour.closed}
                  </p>
                </div>
                <div>
                  <p className="text-muted-foreground">Last hour</p>
                  <p className="text-2xl font-semibold tabular-nums" data-testid="tile-messages">
                    {p.lastHour.messages}
                  </p>
                  <p>
                    messages,{" "}
                    <span className={cn(p.lastHour.failureRate !== null && p.lastHour.failureRate > 0.05 && "font-semibold text-danger")}>
                      {p.lastHour.failureRate === null ? "no traffic" : `${(100 * p.lastHour.failureRate).toFixed(1)} % failed`}
                    </span>
                  </p>
                  <p className={cn("mt-1", p.lastHour.sloBreaches.length ? "text-danger" : "text-muted-foreground")} data-testid="tile-slo">
                    {p.lastHour.sloBreaches.length ? (
                      <>
                        SLO breached:{" "}
                        <Link className="font-mono hover:underline" href={`/plants/${p.code}?range=1h`}>
                          {p.lastHour.sloBreaches.join(", ")}
                        </Link>
                      </>
                    ) : (
                      "all interfaces within SLO"
                    )}
                  </p>
                </div>
                <div className="col-span-2 flex items-center gap-3">
                  <div className="min-w-0 flex-1">
                    <p className="text-muted-foreground">Backlog, last 24 h</p>
                    {p.trend.length > 1 ? (
                      <>
                        <div className="h-8" aria-hidden data-testid="tile-trend">
                          <ResponsiveContainer width="100%" height="100%">
                            <LineChart accessibilityLayer={false} data={p.trend} margin={{ top: 2, bottom: 2, left: 0, right: 0 }}>
                              <Line
                                type="monotone"
                                dataKey="open"
                                dot={false}
                                isAnimationActive={false}
                                stroke="var(--color-primary, currentColor)"
                                strokeWidth={1.5}
                              />
                            </LineChart>
                          </ResponsiveContainer>
                        </div>
                        <p className="sr-only">
                          Open exceptions went from {p.trend[0]!.open} to {p.trend.at(-1)!.open} over the last {p.trend.length} hours.
                        </p>
                      </>
                    ) : (
                      <p className="text-muted-foreground">history builds up from the first minute the portal runs</p>
                    )}
                  </div>
                  <div className="text-right">
                    <p className="text-muted-foreground">Alerts</p>
                    <p data-testid="tile-alerts">
                      {p.alerts.open === 0 ? (
                        "none open"
                      ) : (
                        <Link href={`/alerts?plant=${p.code}`} className={cn("hover:underline", p.alerts.firing > 0 && "font-semibold text-danger")}>
                          {p.alerts.firing > 0 ? `${p.alerts.firing} firing` : `${p.alerts.open} acknowledged`}
                        </Link>
                      )}
                    </p>
                  </div>
                </div>
                <div className="col-span-2">
                  <p className="text-muted-foreground">Connectors</p>
                  <p>
                    {p.connectors.length === 0
                      ? "none registered"
                      : silent.length === 0 && backlogged.length === 0
                        ? `all ${p.connectors.length} reporting, no backlog`
                        : null}
                    {silent.length ? <span className="text-danger">silent: {silent.map((c) => c.name).join(", ")}. </span> : null}
                    {backlogged.length ? <span className="text-warning">backlog: {backlogged.map((c) => `${c.name} (${c.backlog})`).join(", ")}</span> : null}
                  </p>
                </div>
              </CardBody>
            </Card>
          );
        })}
      </div>
    </div>
  );
}
