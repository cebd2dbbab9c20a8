import { z } from "zod";
import { pool } from "../db";
import type { Criticality } from "../db/generated/enums";
import { AppError, notFound } from "../http/errors";
import { BUCKETS, percentile } from "../metrics/histogram";
import { OPEN_STATUSES } from "../exceptions/lifecycle";
import { type Principal, can, canSeePlant } from "../policy";
import { type RollupQuery, rollupSources } from "./rollup";
import { type SloPeriods, breachShare, sloPeriods } from "./slo";

/**
 * Per-interface operations figures of one plant over a time range, from the per-minute rollups
 * (never raw telemetry): throughput, failure rate, latency percentiles of delivered messages from the
 * merged histograms (≤ 4.9 % relative error), the latency SLO judged minute by minute over every range (the
 * share of minutes above it, server/dashboards/slo.ts), and the open backlog (exceptions in an open status) by
 * age. Scoped through the policy: a plant the user may not see does not exist for them.
 */
export const RANGES = { "1h": 3_600_000, "24h": 24 * 3_600_000, "7d": 7 * 24 * 3_600_000, "30d": 30 * 24 * 3_600_000 } as const;

const MAX_SPAN_MS = 90 * 24 * 3_600_000;
/** The rollups' time origin (their date_bin): nothing is older, and dates before year 1 are not dates to PostgreSQL. */
const EARLIEST_MS = Date.UTC(2000, 0, 1);

export const metricsQuerySchema = z
  .object({
    range: z.enum(Object.keys(RANGES) as [keyof typeof RANGES, ...(keyof typeof RANGES)[]]).default("24h"),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: "from must be before to" })
  .refine((q) => !q.from || !q.to || new Date(q.to).getTime() - new Date(q.from).getTime() <= MAX_SPAN_MS, {
    message: "A range spans at most 90 days (the telemetry retention)",
  });
export type MetricsQuery = z.infer<typeof metricsQuerySchema>;

/** Age buckets of the open backlog. */
export const BACKLOG_AGES = ["lt15m", "lt1h", "lt4h", "lt24h", "older"] as const;
export type BacklogAge = (typeof BACKLOG_AGES)[number];

export type InterfaceMetrics = {
  code: string;
  name: string;
  criticality: Criticality;
  sloMs: number;
  delivered: number;
  failed: number;
  throughputPerMin: number;
  failureRate: number | null;
  latency: { p50: number | null; p95: number | null; p99: number | null };
  /** Minutes with delivered messages, those whose p95 was above the SLO, and their share. */
  slo: SloPeriods & { breachShare: number | null };
  /** Any minute of the range above the SLO (the range's p95 may still be below it). */
  sloBreached: boolean;
  backlog: Record<BacklogAge, number>;
  openTechnical: number;
  openBusiness: number;
};

/**
 * The range asked for, checked once its defaults are filled in: `from` alone runs to now, so "from year 0"
 * must be refused here too (a 2,000-year axis would be millions of points). 400, never a long computation.
 */
export function resolveRange(q: MetricsQuery, now = new Date()): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - RANGES[q.range]);
  if (!(from < to)) throw new AppError(400, "invalid_range", "from must be before to");
  if (to.getTime() - from.getTime() > MAX_SPAN_MS) throw new AppError(400, "invalid_range", "A range spans at most 90 days (the telemetry retention)");
  if (from.getTime() < EARLIEST_MS) throw new AppError(400, "invalid_range", "A range starts in the year 2000 or later (no telemetry is older)");
  return { from, to };
}

export async function plantInterfaceMetrics(user: Principal, plantCode: string, query: unknown, now = new Date()) {
  const q = metricsQuerySchema.parse(query ?? {});
  const { rows: plants } = await pool().query<{ id: string; code: string; name: string; timezone: string }>(
    "SELECT id, code, name, timezone FROM plant WHERE code = $1",
    [plantCode],
  );
  const plant = plants[0];
  if (!plant || !canSeePlant(user, plant.id) || !can(user, "dashboard.read", { plantId: plant.id })) throw notFound("Plant");
  const { from, to } = resolveRange(q, now);

  const [[totalsSrc, histSrc], { rows: ifaceRows }] = await Promise.all([
    rollupSources(plant.id, from, to, ["interface_id, outcome, count", "interface_id, outcome, histogram"]) as Promise<[RollupQuery, RollupQuery]>,
    pool().query<{ id: string; code: string; name: string; criticality: Criticality; slo: number }>(
      `SELECT i.id, i.code, i.name, i.criticality, i.latency_slo_ms AS slo FROM plant_interface pi JOIN interface i ON i.id = pi.interface_id
       WHERE pi.plant_id = $1 ORDER BY i.code`,
      [plant.id],
    ),
  ]);
  const [slo, totals, histograms, backlog] = await Promise.all([
    sloPeriods(
      plant.id,
      ifaceRows.map((i) => ({ id: i.id, sloMs: i.slo })),
      from,
      to,
    ),
    pool().query<{ interface_id: string; outcome: string; n: string }>(
      `SELECT interface_id, outcome::text, sum(count) AS n FROM (${totalsSrc.sql}) r WHERE outcome IN ('DELIVERED', 'FAILED') GROUP BY interface_id, outcome`,
      totalsSrc.params,
    ),
    // Histograms merge element-wise (fixed buckets): summed per index in the database.
    pool().query<{ interface_id: string; i: number; n: string }>(
      `SELECT r.interface_id, h.i::int, sum(h.n) AS n FROM (${histSrc.sql}) r, unnest(r.histogram) WITH ORDINALITY AS h(n, i)
       WHERE r.outcome = 'DELIVERED' AND h.n > 0 GROUP BY r.interface_id, h.i`,
      histSrc.params,
    ),
    pool().query<{ interface_id: string; age: BacklogAge; category: string; n: number }>(
      `SELECT interface_id, CASE WHEN first_seen_at >= $2::timestamptz - interval '15 minutes' THEN 'lt15m' WHEN first_seen_at >= $2::timestamptz - interval '1 hour' THEN 'lt1h'
                                 WHEN first_seen_at >= $2::timestamptz - interval '4 hours' THEN 'lt4h' WHEN first_seen_at >= $2::timestamptz - interval '24 hours' THEN 'lt24h' ELSE 'older' END AS age,
              category::text, count(*)::int AS n
       FROM exception WHERE plant_id = $1 AND status = ANY($3::exception_status[]) GROUP BY 1, 2, 3`,
      [plant.id, now, [...OPEN_STATUSES]],
    ),
  ]);

  const minutes = Math.max(1, (to.getTime() - from.getTime()) / 60_000);
  const result: InterfaceMetrics[] = ifaceRows.map((i) => {
    const count = (outcome: string) => Number(totals.rows.find((t) => t.interface_id === i.id && t.outcome === outcome)?.n ?? 0);
    const hist = new Array<number>(BUCKETS).fill(0);
    for (const h of histograms.rows) if (h.interface_id === i.id) hist[h.i - 1] = Number(h.n);
    const delivered = count("DELIVERED");
    const failed = count("FAILED");
    const p95 = percentile(hist, 0.95);
    const mine = backlog.rows.filter((b) => b.interface_id === i.id);
    const sloOf = slo.byInterface.get(i.id) ?? { unit: slo.unit, active: 0, breached: 0 };
    const ages = Object.fromEntries(BACKLOG_AGES.map((a) => [a, mine.filter((b) => b.age === a).reduce((n, b) => n + b.n, 0)])) as Record<BacklogAge, number>;
    return {
      code: i.code,
      name: i.name,
      criticality: i.criticality,
      sloMs: i.slo,
      delivered,
      failed,
      throughputPerMin: (delivered + failed) / minutes,
      failureRate: delivered + failed > 0 ? failed / (delivered + failed) : null,
      latency: { p50: percentile(hist, 0.5), p95, p99: percentile(hist, 0.99) },
      slo: { ...sloOf, breachShare: breachShare(sloOf) },
      sloBreached: sloOf.breached > 0,
      backlog: ages,
      openTechnical: mine.filter((b) => b.category === "TECHNICAL").reduce((n, b) => n + b.n, 0),
      openBusiness: mine.filter((b) => b.category === "BUSINESS").reduce((n, b) => n + b.n, 0),
    };
  });
  return {
    plant: { id: plant.id, code: plant.code, name: plant.name, timezone: plant.timezone },
    from: from.toISOString(),
    to: to.toISOString(),
    /** The plant as a whole: periods in which any interface delivered, and in which any was above its SLO. */
    slo: { ...slo.plant, breachShare: breachShare(slo.plant) },
    interfaces: result,
  };
}

export type PlantMetrics = Awaited<ReturnType<typeof plantInterfaceMetrics>>;

/** The plant of a dashboard page, if the user may see its dashboard (pages answer 404 otherwise). */
export async function visibleDashboardPlant(user: Principal, plantCode: string): Promise<{ id: string; code: string } | null> {
  const { rows } = await pool().query<{ id: string; code: string }>("SELECT id, code FROM plant WHERE code = $1", [plantCode]);
  const plant = rows[0];
  return plant && canSeePlant(user, plant.id) && can(user, "dashboard.read", { plantId: plant.id }) ? plant : null;
}
