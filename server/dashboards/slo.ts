import { pool } from "../db";
import { BUCKETS, bucketBounds } from "../metrics/histogram";
import { type RollupQuery, rollupSources } from "./rollup";

/**
 * The latency SLO judged period by period, never on a whole range's p95 (a burst of fast messages would
 * hide minutes at 70 s against a 60 s SLO). A period is *above the SLO* when the p95 latency of the
 * messages an interface delivered in it exceeds the interface's SLO — the same p95 the charts draw (from
 * the period's merged histogram, server/metrics/histogram.ts `percentile`). The period is a minute for
 * ranges up to 24 h (the overview's last hour, the plant page's 1 h and 24 h); an hour beyond that, where
 * reading every minute of 30 days would cost seconds — and where the charts' own steps are hours.
 */
export const SLO_QUANTILE = 0.95;
export type SloUnit = "minute" | "hour";
export const SLO_UNIT_MS: Record<SloUnit, number> = { minute: 60_000, hour: 3_600_000 };
const MINUTE_UNIT_UP_TO_MS = 24 * 3_600_000;

export function sloUnitFor(spanMs: number): SloUnit {
  return spanMs <= MINUTE_UNIT_UP_TO_MS ? "minute" : "hour";
}

/**
 * The first histogram bucket whose representative latency (what `percentile` answers for it) is above
 * `sloMs`: a period is above the SLO exactly when its p95 falls in this bucket or a later one. Pure.
 */
export function firstBucketAbove(sloMs: number): number {
  for (let i = 0; i < BUCKETS; i++) {
    const [lo, hi] = bucketBounds(i);
    const representative = i === 0 ? 0.5 : Math.sqrt(lo * hi);
    if (representative > sloMs) return i;
  }
  return BUCKETS;
}

/** Periods with delivered messages, and those of them above the SLO. */
export type SloPeriods = { unit: SloUnit; active: number; breached: number };

export type SloReport = {
  unit: SloUnit;
  byInterface: Map<string, SloPeriods>;
  /** The plant as a whole: periods in which any interface delivered, and in which any was above its SLO. */
  plant: SloPeriods;
  /** The periods (epoch ms of their start) above the SLO, per interface id: the charts mark the steps holding them. */
  breaches: Map<string, number[]>;
};

/**
 * Per-period SLO judgement of a plant's interfaces over [from, to). In the database: each period's
 * delivered count and how many of those fall below the first bucket above the SLO (a row whose slowest
 * message is below that bucket counts whole, without reading its histogram); the period is above the SLO
 * when fewer than ceil(0.95 · n) do (nearest rank, in float8 as `percentile` computes it in JavaScript).
 * Read from the rollups no coarser than the period (rollupSources).
 */
export async function sloPeriods(
  plantId: string,
  interfaces: { id: string; sloMs: number }[],
  from: Date,
  to: Date,
  unit: SloUnit = sloUnitFor(to.getTime() - from.getTime()),
): Promise<SloReport> {
  const none = (): SloPeriods => ({ unit, active: 0, breached: 0 });
  const byInterface = new Map<string, SloPeriods>(interfaces.map((i) => [i.id, none()]));
  const breaches = new Map<string, number[]>();
  if (interfaces.length === 0 || from >= to) return { unit, byInterface, plant: none(), breaches };
  const [src] = (await rollupSources(plantId, from, to, ["bucket, interface_id, outcome, count, latency_max, histogram"], {
    stepMs: SLO_UNIT_MS[unit],
  })) as [RollupQuery];
  const params = [...src.params];
  const p = (v: unknown) => `$${params.push(v)}`;
  const ks = interfaces.map((i) => firstBucketAbove(i.sloMs));
  const { rows } = await pool().query<{ interface_id: string | null; active: number; breached: number; periods: Date[] | null }>(
    `WITH slo AS (SELECT unnest(${p(interfaces.map((i) => i.id))}::uuid[]) AS interface_id, unnest(${p(ks)}::int[]) AS k,
                         unnest(${p(ks.map((k) => (k === 0 ? 0 : bucketBounds(k)[0] * (1 - 1e-9))))}::float8[]) AS lo),
     r AS (
       SELECT r.interface_id, date_bin(${p(`${SLO_UNIT_MS[unit] / 1000} seconds`)}::interval, r.bucket, TIMESTAMPTZ '2000-01-01') AS period, r.count,
              CASE WHEN r.latency_max < slo.lo THEN r.count ELSE (SELECT coalesce(sum(x), 0) FROM unnest(r.histogram[1:slo.k]) AS x) END AS within
       FROM (${src.sql}) r JOIN slo ON slo.interface_id = r.interface_id
       WHERE r.outcome = 'DELIVERED' AND r.count > 0
     ),
     m AS (SELECT interface_id, period, sum(count)::float8 AS n, sum(within)::float8 AS within FROM r GROUP BY 1, 2),
     j AS (SELECT interface_id, period, within < ceil(${p(SLO_QUANTILE)}::float8 * n) AS breach FROM m)
     SELECT interface_id, count(*)::int AS active, count(*) FILTER (WHERE breach)::int AS breached,
            array_agg(period ORDER BY period) FILTER (WHERE breach) AS periods
     FROM j GROUP BY interface_id
     UNION ALL
     SELECT NULL, count(DISTINCT period)::int, count(DISTINCT period) FILTER (WHERE breach)::int, NULL FROM j`,
    params,
  );
  let plant = none();
  for (const r of rows) {
    if (r.interface_id === null) plant = { unit, active: r.active, breached: r.breached };
    else {
      byInterface.set(r.interface_id, { unit, active: r.active, breached: r.breached });
      if (r.periods?.length)
        breaches.set(
          r.interface_id,
          r.periods.map((d) => d.getTime()),
        );
    }
  }
  return { unit, byInterface, plant, breaches };
}

/** The share of active periods above the SLO (0..1), or null without deliveries. */
export function breachShare(s: SloPeriods): number | null {
  return s.active > 0 ? s.breached / s.active : null;
}
