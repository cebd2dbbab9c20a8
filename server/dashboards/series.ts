import { pool } from "../db";
import { notFound } from "../http/errors";
import { BUCKETS, percentile } from "../metrics/histogram";
import { type Principal, can, canSeePlant } from "../policy";
import { metricsQuerySchema, resolveRange } from "./plant-metrics";
import { type RollupQuery, rollupSources } from "./rollup";
import { type SloUnit, sloPeriods } from "./slo";

/**
 * The plant page's charts: the same rollups as the table, bucketed over time. Latency percentiles
 * (of delivered messages, optionally of one interface, with its SLO and the periods above it per step,
 * as the table judges them) and delivered vs failed per step; the open backlog by age and each connector
 * in service's heartbeat age and backlog from the per-minute samples. Steps keep every chart at ≤ 180
 * points. Every series has one point per step of the range (a complete time axis): an empty step is
 * explicit (0 messages; null latency, backlog or heartbeat where nothing was measured), so a gap in time
 * is drawn as a gap, never as a shorter line. Rollups coarser than the step are not used (an hour's row
 * would fill one 5-minute step and leave eleven empty).
 */
export const STEPS = [60_000, 300_000, 900_000, 3_600_000, 6 * 3_600_000, 86_400_000] as const;
const MAX_POINTS = 180;

export function stepFor(spanMs: number): number {
  return STEPS.find((s) => spanMs / s <= MAX_POINTS) ?? STEPS[STEPS.length - 1]!;
}

export type TrafficPoint = {
  t: string;
  delivered: number;
  failed: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** With an interface: the periods (minutes, or hours beyond 24 h) of this step whose p95 was above its SLO, as the table judges them; null without one. */
  breaches: number | null;
};
export type BacklogPoint = { t: string; lt15m: number | null; lt1h: number | null; lt4h: number | null; lt24h: number | null; older: number | null };
export type ConnectorSeries = { id: string; name: string; points: { t: string; heartbeatAgeS: number | null; backlog: number | null }[] };
export type PlantSeries = {
  plant: { code: string; timezone: string };
  interface: { code: string; sloMs: number } | null;
  /** The period the SLO is judged on (a minute, over every range). */
  sloUnit: SloUnit;
  from: string;
  to: string;
  stepMs: number;
  traffic: TrafficPoint[];
  backlog: BacklogPoint[];
  connectors: ConnectorSeries[];
};

export async function plantSeries(user: Principal, plantCode: string, query: Record<string, string | undefined>, now = new Date()): Promise<PlantSeries> {
  const q = metricsQuerySchema.parse(query);
  const { rows: plants } = await pool().query<{ id: string; code: string; timezone: string }>("SELECT id, code, timezone FROM plant WHERE code = $1", [
    plantCode,
  ]);
  const plant = plants[0];
  if (!plant || !canSeePlant(user, plant.id) || !can(user, "dashboard.read", { plantId: plant.id })) throw notFound("Plant");
  let iface: { id: string; code: string; slo: number } | null = null;
  if (query.interface) {
    const { rows } = await pool().query<{ id: string; code: string; slo: number }>(
      "SELECT i.id, i.code, i.latency_slo_ms AS slo FROM interface i JOIN plant_interface pi ON pi.interface_id = i.id AND pi.plant_id = $1 WHERE i.code = $2",
      [plant.id, query.interface],
    );
    if (!rows[0]) throw notFound("Interface");
    iface = rows[0];
  }
  const { from, to } = resolveRange(q, now);
  const step = stepFor(to.getTime() - from.getTime());
  const stepSql = `${step / 1000} seconds`;
  const [src] = (await rollupSources(plant.id, from, to, ["bucket, interface_id, outcome, count, histogram"], { stepMs: step })) as [RollupQuery];
  const trafficParams = src.params;
  const ifaceFilter = iface ? `AND interface_id = $${trafficParams.push(iface.id)}` : "";
  const stepParam = `$${trafficParams.push(stepSql)}::interval`;
  const sqlIfaceFilter = ifaceFilter.replace("interface_id", "r.interface_id");
  const [counts, hists, backlog, connectors, slo] = await Promise.all([
    pool().query<{ t: Date; outcome: string; n: string }>(
      `SELECT date_bin(${stepParam}, bucket, TIMESTAMPTZ '2000-01-01') AS t, outcome::text, sum(count) AS n
       FROM (${src.sql}) r WHERE outcome IN ('DELIVERED', 'FAILED') ${ifaceFilter} GROUP BY 1, 2`,
      trafficParams,
    ),
    // Latency is charted per interface only (each has its own SLO): no histograms without one.
    iface
      ? pool().query<{ t: Date; i: number; n: string }>(
          `SELECT date_bin(${stepParam}, r.bucket, TIMESTAMPTZ '2000-01-01') AS t, h.i::int, sum(h.n) AS n
           FROM (${src.sql}) r, unnest(r.histogram) WITH ORDINALITY AS h(n, i)
           WHERE r.outcome = 'DELIVERED' AND h.n > 0 ${sqlIfaceFilter} GROUP BY 1, 2`,
          trafficParams,
        )
      : Promise.resolve({ rows: [] as { t: Date; i: number; n: string }[] }),
    // The backlog at the end of each step: its last sample (none: a gap).
    pool().query<{ t: Date; lt15m: number | null; lt1h: number | null; lt4h: number | null; lt24h: number | null; older: number | null }>(
      `SELECT s.t, b.lt15m, b.lt1h, b.lt4h, b.lt24h, b.older
       FROM generate_series(date_bin($4::interval, $2::timestamptz, TIMESTAMPTZ '2000-01-01'), $3::timestamptz - interval '1 millisecond', $4::interval) AS s(t)
       LEFT JOIN LATERAL (
         SELECT lt15m, lt1h, lt4h, lt24h, older FROM backlog_sample
         WHERE plant_id = $1 AND at >= greatest(s.t, $2::timestamptz) AND at < least(s.t + $4::interval, $3::timestamptz) ORDER BY at DESC LIMIT 1
       ) b ON true ORDER BY s.t`,
      [plant.id, from, to, stepSql],
    ),
    pool().query<{ id: string; name: string; t: Date | null; age: number | null; backlog: number | null }>(
      `SELECT c.id, c.name, s.t, s.age, s.backlog FROM connector c
       LEFT JOIN LATERAL (
         SELECT date_bin($4::interval, at, TIMESTAMPTZ '2000-01-01') AS t, max(heartbeat_age_s) AS age, max(backlog) AS backlog
         FROM connector_sample WHERE connector_id = c.id AND at >= $2 AND at < $3 GROUP BY 1
       ) s ON true
       WHERE c.plant_id = $1 AND c.disabled_at IS NULL ORDER BY c.name, s.t`,
      [plant.id, from, to, stepSql],
    ),
    iface ? sloPeriods(plant.id, [{ id: iface.id, sloMs: iface.slo }], from, to) : null,
  ]);

  const first = Math.floor(from.getTime() / step) * step; // date_bin's origin (2000-01-01) is a multiple of every step
  const times: number[] = [];
  for (let t = first; t < to.getTime(); t += step) times.push(t);
  const histByT = new Map<number, number[]>();
  for (const h of hists.rows) {
    const t = h.t.getTime();
    let hist = histByT.get(t);
    if (!hist) {
      hist = new Array<number>(BUCKETS).fill(0);
      histByT.set(t, hist);
    }
    hist[h.i - 1] = Number(h.n);
  }
  const count = (t: number, outcome: string) => Number(counts.rows.find((c) => c.t.getTime() === t && c.outcome === outcome)?.n ?? 0);
  const within = (t: number, all: number[]) => all.filter((m) => m >= t && m < t + step).length;
  const breachPeriods = iface ? (slo?.breaches.get(iface.id) ?? []) : [];
  const traffic = times.map((t): TrafficPoint => {
    const hist = histByT.get(t);
    return {
      t: new Date(t).toISOString(),
      delivered: count(t, "DELIVERED"),
      failed: count(t, "FAILED"),
      p50: hist ? percentile(hist, 0.5) : null,
      p95: hist ? percentile(hist, 0.95) : null,
      p99: hist ? percentile(hist, 0.99) : null,
      breaches: iface ? within(t, breachPeriods) : null,
    };
  });
  // Each connector gets a point per step: null where no sample was taken (a gap in the line).
  const byConnector = new Map<string, { id: string; name: string; at: Map<number, { age: number | null; backlog: number | null }> }>();
  for (const r of connectors.rows) {
    let c = byConnector.get(r.id);
    if (!c) {
      c = { id: r.id, name: r.name, at: new Map() };
      byConnector.set(r.id, c);
    }
    if (r.t) c.at.set(r.t.getTime(), { age: r.age, backlog: r.backlog });
  }
  const connectorSeries = [...byConnector.values()].map(
    (c): ConnectorSeries => ({
      id: c.id,
      name: c.name,
      points: times.map((t) => ({ t: new Date(t).toISOString(), heartbeatAgeS: c.at.get(t)?.age ?? null, backlog: c.at.get(t)?.backlog ?? null })),
    }),
  );
  return {
    plant: { code: plant.code, timezone: plant.timezone },
    interface: iface ? { code: iface.code, sloMs: iface.slo } : null,
    sloUnit: "minute",
    from: from.toISOString(),
    to: to.toISOString(),
    stepMs: step,
    traffic,
    backlog: backlog.rows.map((b) => ({ t: b.t.toISOString(), lt15m: b.lt15m, lt1h: b.lt1h, lt4h: b.lt4h, lt24h: b.lt24h, older: b.older })),
    connectors: connectorSeries,
  };
}
