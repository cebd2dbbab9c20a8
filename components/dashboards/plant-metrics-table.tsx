import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { formatCount, formatShare } from "@/lib/format";
import { CRITICALITY_LABELS } from "@/lib/labels";
import { cn } from "@/lib/utils";
import type { BacklogAge, PlantMetrics } from "@/server/dashboards/plant-metrics";
import { msLabel } from "./plant-charts";
import { ScrollRegion } from "./scroll-region";

/**
 * The plant's interfaces over a time range: throughput, failure rate, latency percentiles, the latency
 * SLO judged minute by minute (minutes whose p95 was above it, and their share; highlighted as soon as one
 * is) and the open backlog by age, each number linking to the exception queue pre-filtered. Units never
 * break from their number; on a narrow screen the table scrolls sideways and says so.
 */
const CRIT_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
const AGES: { key: BacklogAge; label: string; age: string | null }[] = [
  { key: "lt15m", label: "< 15 min", age: "15m" },
  { key: "lt1h", label: "< 1 h", age: "1h" },
  { key: "lt4h", label: "< 4 h", age: "4h" },
  { key: "lt24h", label: "< 24 h", age: "24h" },
  { key: "older", label: "older", age: "older" },
];
const NBSP = "\u00a0";
const perMinute = (n: number) => `${n.toFixed(1)}${NBSP}/min`;

type Props = { metrics: PlantMetrics; rangeLabel: string };

const th = "px-3 py-2 text-right font-medium whitespace-nowrap";
const td = "px-3 py-1.5 text-right tabular-nums whitespace-nowrap";

/** The per-interface table; the page around it (PlantDashboard) owns the range, live updates and charts. */
export function PlantMetricsTable({ metrics, rangeLabel }: Props) {
  const { plant } = metrics;
  const queue = (i: string, extra = "") => `/exceptions?plant=${plant.code}&interface=${i}${extra}`;
  return (
    <div className="space-y-3">
      <p className="text-sm" data-testid="plant-slo">
        {metrics.slo.active === 0 ? (
          <span className="text-muted-foreground">No deliveries in this range to judge the latency SLO on.</span>
        ) : metrics.slo.breached > 0 ? (
          <span className="text-danger">
            Latency above an interface's SLO in {formatCount(metrics.slo.breached)} of {formatCount(metrics.slo.active)} minutes with deliveries (
            {formatShare(metrics.slo.breachShare)}).
          </span>
        ) : (
          <span>
            Every interface within its latency SLO in each of {formatCount(metrics.slo.active)} {metrics.slo.active === 1 ? "minute" : "minutes"} with
            deliveries.
          </span>
        )}{" "}
        <span className="text-muted-foreground">A minute is above the SLO when the p95 latency of the messages delivered in it is, over every range.</span>
      </p>
      <ScrollRegion label="Interface metrics" className="rounded-lg border border-border bg-surface">
        <table className="w-full text-left text-xs">
          <caption className="sr-only">
            Interfaces of {plant.name}, {rangeLabel}
          </caption>
          <thead className="bg-muted text-muted-foreground">
            <tr>
              <th scope="col" className="sticky left-0 z-10 bg-muted px-3 py-2 font-medium">
                Interface
              </th>
              <th scope="col" className={th}>
                Messages{NBSP}/{NBSP}min
              </th>
              <th scope="col" className={th}>
                Failure rate
              </th>
              <th scope="col" className={th}>
                p50
              </th>
              <th scope="col" className={th}>
                p95
              </th>
              <th scope="col" className={th}>
                p99
              </th>
              <th scope="col" className={th}>
                SLO
              </th>
              <th scope="col" className={th}>
                Minutes above SLO
              </th>
              {AGES.map((a) => (
                <th key={a.key} scope="col" className={th}>
                  Open {a.label.replace(" ", NBSP)}
                </th>
              ))}
              <th scope="col" className={th}>
                Technical{NBSP}/ business
              </th>
            </tr>
          </thead>
          <tbody>
            {metrics.interfaces.map((i) => (
              <tr key={i.code} className="border-t border-border" data-interface={i.code}>
                <th scope="row" className="sticky left-0 z-10 bg-surface px-3 py-1.5 text-left font-normal whitespace-nowrap">
                  <span className="font-mono" title={i.name}>
                    {i.code}
                  </span>{" "}
                  <Badge tone={CRIT_TONE[i.criticality]}>{CRITICALITY_LABELS[i.criticality]}</Badge>
                </th>
                <td className={td}>{i.delivered + i.failed ? perMinute(i.throughputPerMin) : "—"}</td>
                <td className={td}>{formatShare(i.failureRate)}</td>
                <td className={td}>{msLabel(i.latency.p50)}</td>
                <td className={cn(td, i.latency.p95 !== null && i.latency.p95 > i.sloMs && "font-semibold text-danger")}>
                  {msLabel(i.latency.p95)}
                  {i.latency.p95 !== null && i.latency.p95 > i.sloMs ? <span className="sr-only"> (above the SLO)</span> : null}
                </td>
                <td className={td}>{msLabel(i.latency.p99)}</td>
                <td className={td}>{msLabel(i.sloMs)}</td>
                <td className={cn(td, i.sloBreached && "font-semibold text-danger")} data-slo-breached={i.sloBreached || undefined} data-testid="slo-minutes">
                  {i.slo.active === 0 ? "—" : `${formatCount(i.slo.breached)} of ${formatCount(i.slo.active)}${NBSP}min (${formatShare(i.slo.breachShare)})`}
                  {i.sloBreached ? <span className="sr-only"> (above the SLO)</span> : null}
                </td>
                {AGES.map((a) => (
                  <td key={a.key} className={td}>
                    {i.backlog[a.key] ? (
                      <Link className="hover:underline" href={queue(i.code, a.age ? `&age=${a.age}` : "")}>
                        {formatCount(i.backlog[a.key])}
                      </Link>
                    ) : (
                      <span className="text-muted-foreground">0</span>
                    )}
                  </td>
                ))}
                <td className={td}>
                  <Link className="hover:underline" href={queue(i.code, "&category=TECHNICAL")}>
                    {formatCount(i.openTechnical)}
                  </Link>{" "}
                  /{" "}
                  <Link className="hover:underline" href={queue(i.code, "&category=BUSINESS")}>
                    {formatCount(i.openBusiness)}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollRegion>
      {metrics.interfaces.every((i) => i.delivered + i.failed === 0) ? (
        <p className="rounded-lg border border-dashed border-border px-4 py-6 text-center text-sm text-muted-foreground">
          No messages reported for {plant.code} in this range. Connectors report through the ingest API; check the Plants page for their heartbeats.
        </p>
      ) : null}
    </div>
  );
}
