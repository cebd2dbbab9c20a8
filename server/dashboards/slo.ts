import { pool } from "../db";
import { BUCKETS, SLO_QUANTILE, bucketBounds } from "../metrics/histogram";
import { rollupPlan, rollupSql } from "./rollup";

/**
 * The latency SLO judged minute by minute over any range, never on a whole range's p95 (a burst of fast
 * messages would hide minutes at 70 s against a 60 s SLO). A minute is *above the SLO* when the p95
 * latency of the messages an interface delivered in it exceeds the interface's SLO — the same p95 the
 * charts draw (from the minute's merged histogram, server/metrics/histogram.ts `percentile`).
 *
 * Minutes of compacted hours are judged from what compaction kept of them (rollup.ts: each minute's p95
 * bucket, the minutes with deliveries as a bit mask, the hour's highest bucket), so 30 days cost one small
 * array per hour, and only for hours whose highest minute is above the SLO; the range's edges and hours
 * that received late telemetry are judged from their minute rows' histograms.
 */
export type SloUnit = "minute";
const HOUR = 3_600_000;

/**
 * The first histogram bucket whose representative latency (what `percentile` answers for it) is above
 * `sloMs`: a minute is above the SLO exactly when its p95 falls in this bucket or a later one. Pure.
 */
export function firstBucketAbove(sloMs: number): number {
  for (let i = 0; i < BUCKETS; i++) {
    const [lo, hi] = bucketBounds(i);
    const representative = i === 0 ? 0.5 : Math.sqrt(lo * hi);
    if (representative > sloMs) return i;
  }
  return BUCKETS;
}

/** Minutes with delivered messages, and those of them above the SLO. */
export type SloPeriods = { unit: SloUnit; active: number; breached: number };

export type SloReport = {
  unit: SloUnit;
  byInterface: Map<string, SloPeriods>;
  /** The plant as a whole: minutes in which any interface delivered, and in which any was above its SLO. */
  plant: SloPeriods;
  /** The minutes (epoch ms of their start) above the SLO, per interface id: the charts mark the steps holding them. */
  breaches: Map<string, number[]>;
};

/**
 * Per-minute SLO judgement of a plant's interfaces over [from, to). Minute rows (edges, late hours): each
 * minute's delivered count and how many of those fall below the first bucket above the SLO (a row whose
 * slowest message is below that bucket counts whole, without reading its histogram); the minute is above
 * the SLO when fewer than ceil(0.95 · n) do (nearest rank, in float8 as `percentile` computes it in
 * JavaScript) — which is when its p95 bucket, as compaction keeps it for the hour rows, is that bucket or
 * later. The two parts never overlap (planRollupRead), so their counts add; the plant's minutes are the
 * union over its interfaces (bit masks per hour).
 */
export async function sloPeriods(plantId: string, interfaces: { id: string; sloMs: number }[], from: Date, to: Date): Promise<SloReport> {
  const none = (): SloPeriods => ({ unit: "minute", active: 0, breached: 0 });
  const byInterface = new Map<string, SloPeriods>(interfaces.map((i) => [i.id, none()]));
  const breaches = new Map<string, number[]>();
  if (interfaces.length === 0 || from >= to) return { unit: "minute", byInterface, plant: none(), breaches };
  // Hour rows but never day rows (they keep no minutes).
  const plan = await rollupPlan(plantId, from, to, { stepMs: HOUR });
  const minuteRows = rollupSql(
    plantId,
    { ...plan, hours: [], days: null, dirtyDays: [], dirtyDayHours: [] },
    "bucket, interface_id, outcome, count, latency_max, histogram",
  );
  const params = [...minuteRows.params];
  const p = (v: unknown) => `$${params.push(v)}`;
  const ks = interfaces.map((i) => firstBucketAbove(i.sloMs));
  const slo = `SELECT unnest(${p(interfaces.map((i) => i.id))}::uuid[]) AS interface_id, unnest(${p(ks)}::int[]) AS k,
                      unnest(${p(ks.map((k) => (k === 0 ? 0 : bucketBounds(k)[0] * (1 - 1e-9))))}::float8[]) AS lo`;
  const minutes = minuteRows.sql
    ? `SELECT r.interface_id, r.bucket AS period, r.count,
              CASE WHEN r.latency_max < slo.lo THEN r.count ELSE (SELECT coalesce(sum(x), 0) FROM unnest(r.histogram[1:slo.k]) AS x) END AS within
       FROM (${minuteRows.sql}) r JOIN slo ON slo.interface_id = r.interface_id
       WHERE r.outcome = 'DELIVERED' AND r.count > 0`
    : "SELECT NULL::uuid AS interface_id, NULL::timestamptz AS period, 0::bigint AS count, 0::bigint AS within WHERE false";
  if (!minuteRows.sql && plan.hours.length === 0) return { unit: "minute", byInterface, plant: none(), breaches };
  const hourRanges = plan.hours.map(([a, b]) => `(h.bucket >= ${p(a)} AND h.bucket < ${p(b)})`);
  const notDirty = plan.dirtyHours.length ? `AND h.bucket <> ALL(${p(plan.dirtyHours)}::timestamptz[])` : "";
  const hours = hourRanges.length
    ? `SELECT h.bucket, h.interface_id, h.minutes_active, h.minute_p95, h.minute_p95_max, slo.k
       FROM telemetry_rollup_hour h JOIN slo ON slo.interface_id = h.interface_id
       WHERE h.plant_id = $1 AND h.outcome = 'DELIVERED' AND h.minutes_active IS NOT NULL AND (${hourRanges.join(" OR ")}) ${notDirty}`
    : "SELECT NULL::timestamptz AS bucket, NULL::uuid AS interface_id, 0::bigint AS minutes_active, NULL::smallint[] AS minute_p95, 0::smallint AS minute_p95_max, 0 AS k WHERE false";
  const { rows } = await pool().query<{ interface_id: string | null; active: number; breached: number; periods: Date[] | null }>(
    `WITH slo AS (${slo}),
     r AS (${minutes}),
     m AS (SELECT interface_id, period, sum(count)::float8 AS n, sum(within)::float8 AS within FROM r GROUP BY 1, 2),
     j AS (SELECT interface_id, period, within < ceil(${p(SLO_QUANTILE)}::float8 * n) AS breach FROM m),
     hr AS (${hours}),
     hb AS (SELECT hr.bucket, hr.interface_id, b.mask FROM hr
            CROSS JOIN LATERAL (SELECT bit_or(1::bigint << (x.i - 1)::int) AS mask FROM unnest(hr.minute_p95) WITH ORDINALITY AS x(v, i) WHERE x.v >= hr.k) b
            WHERE hr.minute_p95_max >= hr.k),
     per_interface AS (
       SELECT interface_id, count(*)::bigint AS active, count(*) FILTER (WHERE breach)::bigint AS breached FROM j GROUP BY 1
       UNION ALL SELECT interface_id, sum(bit_count(minutes_active::bit(64)))::bigint, 0 FROM hr GROUP BY 1
       UNION ALL SELECT interface_id, 0, sum(bit_count(mask::bit(64)))::bigint FROM hb GROUP BY 1
     ),
     breach_minutes AS (
       SELECT interface_id, period FROM j WHERE breach
       UNION ALL SELECT hb.interface_id, hb.bucket + g.m * interval '1 minute' FROM hb, generate_series(0, 59) AS g(m) WHERE (hb.mask >> g.m) & 1 = 1
     ),
     plant AS (
       SELECT count(DISTINCT period)::bigint AS active, count(DISTINCT period) FILTER (WHERE breach)::bigint AS breached FROM j
       UNION ALL
       SELECT sum(bit_count(a)), sum(bit_count(b))
       FROM (SELECT bit_or(hr.minutes_active)::bit(64) AS a, coalesce(bit_or(hb.mask), 0)::bit(64) AS b
             FROM hr LEFT JOIN hb ON hb.bucket = hr.bucket AND hb.interface_id = hr.interface_id GROUP BY hr.bucket) x
     )
     SELECT s.interface_id, sum(s.active)::int AS active, sum(s.breached)::int AS breached,
            (SELECT array_agg(b.period ORDER BY b.period) FROM breach_minutes b WHERE b.interface_id = s.interface_id) AS periods
     FROM per_interface s GROUP BY s.interface_id
     UNION ALL
     SELECT NULL, coalesce(sum(active), 0)::int, coalesce(sum(breached), 0)::int, NULL FROM plant`,
    params,
  );
  let plant = none();
  for (const r of rows) {
    if (r.interface_id === null) plant = { unit: "minute", active: r.active, breached: r.breached };
    else {
      byInterface.set(r.interface_id, { unit: "minute", active: r.active, breached: r.breached });
      if (r.periods?.length)
        breaches.set(
          r.interface_id,
          r.periods.map((d) => d.getTime()),
        );
    }
  }
  return { unit: "minute", byInterface, plant, breaches };
}

/** The share of active minutes above the SLO (0..1), or null without deliveries. */
export function breachShare(s: SloPeriods): number | null {
  return s.active > 0 ? s.breached / s.active : null;
}
