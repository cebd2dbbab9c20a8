import type { PoolClient } from "pg";
import { pool } from "../db";

/**
 * Hourly compaction of the per-minute rollups, and the per-minute samples behind the "over time"
 * charts (backlog by age, connector heartbeat and backlog).
 *
 * Compaction keeps a watermark: hours before it are in telemetry_rollup_hour, later ones are read
 * from the minute rollups (readers split a range at the watermark, so nothing is counted twice or
 * missed). Telemetry for an hour that has already ended marks that hour dirty at ingest (one
 * conflict-free insert per plant and hour); each run first takes the dirty marks, then recompacts
 * those hours, so late telemetry is never lost from the hourly figures.
 */
export const HOURLY_WATERMARK = "rollup.hour";
/** Hours that have ended this long ago are compacted (ingest transactions are far shorter). */
const GRACE_MS = 5 * 60_000;
const HOUR = 3_600_000;

/** The hours (epoch ms) of telemetry that arrive after their hour ended: ingest marks them dirty. */
export function lateHours(occurredAt: readonly Date[], now = Date.now()): number[] {
  const current = Math.floor(now / HOUR) * HOUR;
  return [...new Set(occurredAt.filter((d) => d.getTime() < current).map((d) => Math.floor(d.getTime() / HOUR) * HOUR))].sort((a, b) => a - b);
}

async function withTx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await pool().connect();
  try {
    await c.query("BEGIN");
    const out = await fn(c);
    await c.query("COMMIT");
    return out;
  } catch (err) {
    await c.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
}

/** Rebuilds the hour rows of [from, to) (whole hours), optionally for one plant, from the minute rollups. */
async function compactRange(c: PoolClient, from: Date, to: Date, plantId?: string): Promise<number> {
  const params: unknown[] = [from, to];
  const plant = plantId ? (params.push(plantId), "AND plant_id = $3") : "";
  await c.query(`DELETE FROM telemetry_rollup_hour WHERE bucket >= $1 AND bucket < $2 ${plant}`, params);
  const res = await c.query(
    `INSERT INTO telemetry_rollup_hour (bucket, plant_id, interface_id, outcome, count, latency_sum, latency_max, histogram)
     SELECT date_trunc('hour', bucket), plant_id, interface_id, outcome, sum(count), sum(latency_sum), max(latency_max), andon_histogram_sum(histogram)
     FROM telemetry_rollup_minute WHERE bucket >= $1 AND bucket < $2 ${plant}
     GROUP BY 1, 2, 3, 4`,
    params,
  );
  return res.rowCount ?? 0;
}

/** Compacts every complete hour up to now − 5 min; returns the new watermark and the rows written. */
export async function compactHourly(now = new Date()): Promise<{ until: Date; rows: number }> {
  const end = new Date(Math.floor((now.getTime() - GRACE_MS) / HOUR) * HOUR);
  const { rows: wm } = await pool().query<{ until: Date }>("SELECT until FROM job_watermark WHERE name = $1", [HOURLY_WATERMARK]);
  let start: Date;
  if (wm[0]) start = wm[0].until;
  else {
    const { rows } = await pool().query<{ first: Date | null }>("SELECT min(bucket) AS first FROM telemetry_rollup_minute");
    start = rows[0]?.first ? new Date(Math.floor(rows[0].first.getTime() / HOUR) * HOUR) : end;
  }
  // Dirty marks first: a mark is taken only once its telemetry has committed (same ingest
  // transaction), so the recompaction below, a later statement, sees that telemetry.
  let written = await withTx(async (c) => {
    let n = 0;
    const { rows: dirty } = await c.query<{ hour: Date; plant_id: string }>(
      "DELETE FROM telemetry_rollup_dirty WHERE hour < $1 RETURNING hour, plant_id", [start < end ? start : end],
    );
    for (const d of dirty) n += await compactRange(c, d.hour, new Date(d.hour.getTime() + HOUR), d.plant_id);
    return n;
  });
  // New hours, a day per transaction: the first run over a long history stays in bounded transactions.
  for (let from = start; from < end; from = new Date(Math.min(from.getTime() + 24 * HOUR, end.getTime()))) {
    const to = new Date(Math.min(from.getTime() + 24 * HOUR, end.getTime()));
    written += await withTx(async (c) => {
      await c.query("DELETE FROM telemetry_rollup_dirty WHERE hour >= $1 AND hour < $2", [from, to]);
      const n = await compactRange(c, from, to);
      await c.query(
        "INSERT INTO job_watermark (name, until) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET until = GREATEST(job_watermark.until, EXCLUDED.until)",
        [HOURLY_WATERMARK, to],
      );
      return n;
    });
  }
  return { until: end > start ? end : start, rows: written };
}

/** The hourly watermark (null before the first compaction: readers then use minute rollups only). */
export async function hourlyWatermark(): Promise<Date | null> {
  const { rows } = await pool().query<{ until: Date }>("SELECT until FROM job_watermark WHERE name = $1", [HOURLY_WATERMARK]);
  return rows[0]?.until ?? null;
}

/**
 * The sources of a range: hour rows for the whole hours before the watermark (except hours marked
 * dirty by late telemetry, read from their minute rows until recompacted), minute rows for the rest.
 * Always exact: a dirty mark commits with its telemetry, and compaction swaps hour rows and removes
 * the mark in one transaction. Returns SQL selecting `columns` for the plant in $1; the boundaries
 * are appended to `params`.
 */
export function rollupSource(params: unknown[], from: Date, to: Date, watermark: Date | null, columns = "bucket, interface_id, outcome, count, histogram"): string {
  const hs = new Date(Math.ceil(from.getTime() / HOUR) * HOUR);
  const he = new Date(Math.min(watermark?.getTime() ?? 0, Math.floor(to.getTime() / HOUR) * HOUR));
  const p = (v: unknown) => `$${params.push(v)}`;
  if (!watermark || hs >= he) return `SELECT ${columns} FROM telemetry_rollup_minute WHERE plant_id = $1 AND bucket >= ${p(from)} AND bucket < ${p(to)}`;
  const [a, b] = [p(hs), p(he)];
  const m = columns.split(",").map((c) => `m.${c.trim()}`).join(", ");
  return `SELECT ${columns} FROM telemetry_rollup_minute WHERE plant_id = $1 AND bucket >= ${p(from)} AND bucket < ${a}
          UNION ALL SELECT ${columns} FROM telemetry_rollup_hour h WHERE plant_id = $1 AND bucket >= ${a} AND bucket < ${b}
            AND NOT EXISTS (SELECT 1 FROM telemetry_rollup_dirty d WHERE d.plant_id = $1 AND d.hour = h.bucket)
          UNION ALL SELECT ${m} FROM telemetry_rollup_dirty d JOIN telemetry_rollup_minute m ON m.plant_id = d.plant_id AND m.bucket >= d.hour AND m.bucket < d.hour + interval '1 hour'
            WHERE d.plant_id = $1 AND d.hour >= ${a} AND d.hour < ${b}
          UNION ALL SELECT ${columns} FROM telemetry_rollup_minute WHERE plant_id = $1 AND bucket >= ${b} AND bucket < ${p(to)}`;
}

/** Samples every plant's backlog and every connector's heartbeat age and backlog for this minute (idempotent). */
export async function sampleMinute(now = new Date()): Promise<void> {
  const at = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  await pool().query(
    `INSERT INTO backlog_sample (plant_id, at, lt15m, lt1h, lt4h, lt24h, older, technical, business)
     SELECT p.id, $1,
            count(e.id) FILTER (WHERE e.first_seen_at >= $1::timestamptz - interval '15 minutes'),
            count(e.id) FILTER (WHERE e.first_seen_at < $1::timestamptz - interval '15 minutes' AND e.first_seen_at >= $1::timestamptz - interval '1 hour'),
            count(e.id) FILTER (WHERE e.first_seen_at < $1::timestamptz - interval '1 hour' AND e.first_seen_at >= $1::timestamptz - interval '4 hours'),
            count(e.id) FILTER (WHERE e.first_seen_at < $1::timestamptz - interval '4 hours' AND e.first_seen_at >= $1::timestamptz - interval '24 hours'),
            count(e.id) FILTER (WHERE e.first_seen_at < $1::timestamptz - interval '24 hours'),
            count(e.id) FILTER (WHERE e.category = 'TECHNICAL'),
            count(e.id) FILTER (WHERE e.category = 'BUSINESS')
     FROM plant p LEFT JOIN exception e ON e.plant_id = p.id AND e.status::text <> ALL(ARRAY['RESOLVED', 'DISCARDED'])
     GROUP BY p.id
     ON CONFLICT (plant_id, at) DO NOTHING`,
    [at],
  );
  await pool().query(
    `INSERT INTO connector_sample (connector_id, at, plant_id, heartbeat_age_s, backlog)
     SELECT id, $1, plant_id, CASE WHEN last_heartbeat_at IS NULL THEN NULL ELSE GREATEST(0, extract(epoch FROM $2::timestamptz - last_heartbeat_at))::int END, reported_backlog
     FROM connector
     ON CONFLICT (connector_id, at) DO NOTHING`,
    [at, now],
  );
}

/** Samples older than the telemetry retention go (they only feed charts). */
export async function purgeSamples(keepDays = 90): Promise<number> {
  const a = await pool().query("DELETE FROM backlog_sample WHERE at < now() - $1::int * interval '1 day'", [keepDays]);
  const b = await pool().query("DELETE FROM connector_sample WHERE at < now() - $1::int * interval '1 day'", [keepDays]);
  return (a.rowCount ?? 0) + (b.rowCount ?? 0);
}
