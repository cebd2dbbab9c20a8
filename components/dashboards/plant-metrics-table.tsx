import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { cn } from "@/lib/utils";
import type { BacklogAge, InterfaceMetrics } from "@/server/dashboards/plant-metrics";

/**
 * The plant's interfaces over a time range: throughput, failure rate, latency percentiles against the
 * SLO (breaches highlighted) and the open backlog by age, each number linking to the exception queue
 * pre-filtered. Times are shown in the plant's timezone.
 */
const CRIT_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
const AGES: { key: BacklogAge; label: string; age: string | null }[] = [
  { key: "lt15m", label: "< 15 min", age: "15m" },
  { key: "lt1h", label: "< 1 h", age: "1h" },
  { key: "lt4h", label: "< 4 h", age: "4h" },
  { key: "lt24h", label: "< 24 h", age: "24h" },
  { key: "older", label: "older", age: "older" },
];
function ms(v: number | null): string {
  if (v === null) return "—";
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 120_000) return `${(v / 1000).toFixed(1)} s`;
  return `${(v / 60_000).toFixed(1)} min`;
}

type Props = {
  metrics: { plant: { id: string; code: string; name: string; timezone: string }; from: string; to: string; interfaces: InterfaceMetrics[] };
  rangeLabel: string;
};

/** The per-interface table; the page around it (PlantDashboard) owns the range, live updates and charts. */
export function PlantMetricsTable({ metrics, rangeLabel }: Props) {
  const { plant } = metrics;
  const queue = (i: string, extra = "") => `/exceptions?plant=${plant.code}&interface=${i}${extra}`;
  return (
    <div className="space-y-3">
      <section
        aria-label="Interface metrics"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
        tabIndex={0}
        className="overflow-x-auto rounded-lg border border-border bg-surface focus-visible:outline-2 focus-visible:outline-ring"
      >
        <table className="w-full text-left text-xs">
          <caption className="sr-only">
            Interfaces of {plant.name}, {rangeLabel}
          </caption>
          <thead className="bg-muted text-muted-foreground">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">
                Interface
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                Messages / min
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                Failure rate
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                p50
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                p95
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                p99
              </th>
              <th scope="col" className="px-3 py-2 text-right font-medium">
                SLO
              </th>
              {AGES.map((a) => (
                <th key={a.key} scope="col" className="px-3 py-2 text-right font-medium">
                  Open {a.label}
                </th>
              ))}
              <th scope="col" className="px-3 py-2 text-right font-medium">
                Technical / business
              </th>
            </tr>
          </thead>
          <tbody>
            {metrics.interfaces.map((i) => (
              <tr key={i.code} className="border-t border-border" data-interface={i.code}>
                <th scope="row" className="px-3 py-1.5 text-left font-normal">
                  <span className="font-mono">{i.code}</span> <Badge tone={CRIT_TONE[i.criticality]}>{i.criticality.toLowerCase()}</Badge>
                </th>
                <td className="px-3 py-1.5 text-right tabular-nums">{i.delivered + i.failed ? i.throughputPerMin.toFixed(1) : "—"}</td>
                <td className="px-3 py-1.5 text-right tabular-nums">{i.failureRate === null ? "—" : `${(100 * i.failureRate).toFixed(1)} %`}</td>
                <td className="px-3 py-1.5 text-right tabular-nums">{ms(i.latency.p50)}</td>
                <td
                  className={cn("px-3 py-1.5 text-right tabular-nums", i.sloBreached && "font-semibold text-danger")}
                  data-slo-breached={i.sloBreached || undefined}
                >
                  {ms(i.latency.p95)}
                  {i.sloBreached ? <span className="sr-only"> (above the SLO)</span> : null}
                </td>
                <td className="px-3 py-1.5 text-right tabular-nums">{ms(i.latency.p99)}</td>
                <td className="px-3 py-1.5 text-right tabular-nums">{ms(i.sloMs)}</td>
                {AGES.map((a) => (
                  <td key={a.key} className="px-3 py-1.5 text-right tabular-nums">
                    {i.backlog[a.key] ? (
                      <Link className="hover:underline" href={queue(i.code, a.age ? `&age=${a.age}` : "")}>
                        {i.backlog[a.key]}
                      </Link>
                    ) : (
                      <span className="text-muted-foreground">0</span>
                    )}
                  </td>
                ))}
                <td className="px-3 py-1.5 text-right tabular-nums">
                  <Link className="hover:underline" href={queue(i.code, "&category=TECHNICAL")}>
                    {i.openTechnical}
                  </Link>{" "}
                  /{" "}
                  <Link className="hover:underline" href={queue(i.code, "&category=BUSINESS")}>
                    {i.openBusiness}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {metrics.interfaces.every((i) => i.delivered + i.failed === 0) ? (
        <p className="rounded-lg border border-dashed border-border px-4 py-6 text-center text-sm text-muted-foreground">
          No messages reported for {plant.code} in this range. Connectors report through the ingest API; check the Plants page for their heartbeats.
        </p>
      ) : null}
    </div>
  );
}
