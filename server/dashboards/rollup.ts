import type { PoolClient } from "pg";
import { pool, withPgTransaction } from "../db";
import { OPEN_STATUSES } from "../exceptions/lifecycle";
import { SLO_QUANTILE } from "../metrics/histogram";

/**
 * Hourly and daily compaction of the per-minute rollups, and the per-minute samples behind the
 * "over time" charts (backlog by age, connector heartbeat and backlog).
 *
 * Compaction keeps watermarks: hours before the hourly one are in telemetry_rollup_hour, whole days
 * before the daily one in telemetry_rollup_day; readers split a range at them (planRollupRead), so
 * nothing is counted twice or missed. Telemetry for an hour that has already ended marks that hour
 * dirty at ingest (one conflict-free insert per plant and hour, in the same transaction); readers
 * take a dirty hour from its minute rows and its day hour by hour, and each compaction run first
 * takes the dirty marks, then recompacts those hours and their days in the same transaction, so late
 * telemetry is never lost from the compacted figures.
 */
export const HOURLY_WATERMARK = "rollup.hour";
export const DAILY_WATERMARK = "rollup.day";
/** Hours that have ended this long ago are compacted (ingest transactions are far shorter). */
const GRACE_MS = 5 * 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The hours (epoch ms) of telemetry that arrive after their hour ended: ingest marks them dirty. */
export function lateHours(occurredAt: readonly Date[], now = Date.now()): number[] {
  const current = Math.floor(now / HOUR) * HOUR;
  return [...new Set(occurredAt.filter((d) => d.getTime() < current).map((d) => Math.floor(d.getTime() / HOUR) * HOUR))].sort((a, b) => a - b);
}

/**
 * Rebuilds the rows of `into` for [from, to) (whole buckets), optionally for one plant, by summing the
 * finer rows of its source per coarser bucket: minutes → hours, hours → days.
 */
const LEVELS = {
  hour: { into: "telemetry_rollup_hour", source: "telemetry_rollup_minute", bucket: "date_bin('1 hour', bucket, TIMESTAMPTZ '2000-01-01 00:00:00Z')" },
  day: { into: "telemetry_rollup_day", source: "telemetry_rollup_hour", bucket: "date_bin('1 day', bucket, TIMESTAMPTZ '2000-01-01 00:00:00Z')" },
} as const;

async function compactLevel(c: PoolClient, level: keyof typeof LEVELS, from: Date, to: Date, plantId?: string): Promise<number> {
  const { into, source, bucket } = LEVELS[level];
  const params: unknown[] = [from, to];
  let plant = "";
  if (plantId) {
    params.push(plantId);
    plant = "AND plant_id = $3";
  }
  await c.query(`DELETE FROM ${into} WHERE bucket >= $1 AND bucket < $2 ${plant}`, params);
  if (level === "day") {
    const res = await c.query(
      `INSERT INTO ${into} (bucket, plant_id, interface_id, outcome, count, latency_sum, latency_max, histogram)
       SELECT ${bucket}, plant_id, interface_id, outcome, sum(count), sum(latency_sum), max(latency_max), andon_histogram_sum(histogram)
       FROM ${source} WHERE bucket >= $1 AND bucket < $2 ${plant}
       GROUP BY 1, 2, 3, 4`,
      params,
    );
    return res.rowCount ?? 0;
  }
  // An hour of delivered messages also keeps each minute's p95 bucket (shards merged), the minutes with
  // deliveries and the highest of those buckets: the SLO is judged per minute from them (slo.ts).
  const res = await c.query(
    `WITH a AS (
       SELECT ${bucket} AS bucket, plant_id, interface_id, outcome, sum(count) AS count, sum(latency_sum) AS latency_sum,
              max(latency_max) AS latency_max, andon_histogram_sum(histogram) AS histogram
       FROM ${source} WHERE bucket >= $1 AND bucket < $2 ${plant}
       GROUP BY 1, 2, 3, 4
     ), pm AS (
       SELECT bucket, plant_id, interface_id, andon_histogram_rank(andon_histogram_sum(histogram), ${SLO_QUANTILE}) AS p95
       FROM ${source} WHERE bucket >= $1 AND bucket < $2 ${plant} AND outcome = 'DELIVERED' AND count > 0
       GROUP BY 1, 2, 3
     ), ph AS (
       SELECT ${bucket} AS bucket, plant_id, interface_id,
              andon_minute_array(((extract(epoch FROM bucket)::bigint / 60) % 60)::int, p95) AS minute_p95,
              bit_or(1::bigint << ((extract(epoch FROM bucket)::bigint / 60) % 60)::int) AS minutes_active,
              max(p95) AS minute_p95_max
       FROM pm WHERE p95 IS NOT NULL GROUP BY 1, 2, 3
     )
     INSERT INTO ${into} (bucket, plant_id, interface_id, outcome, count, latency_sum, latency_max, histogram, minute_p95, minutes_active, minute_p95_max)
     SELECT a.bucket, a.plant_id, a.interface_id, a.outcome, a.count, a.latency_sum, a.latency_max, a.histogram, ph.minute_p95, ph.minutes_active, ph.minute_p95_max
     FROM a LEFT JOIN ph ON a.outcome = 'DELIVERED' AND ph.bucket = a.bucket AND ph.plant_id = a.plant_id AND ph.interface_id = a.interface_id`,
    params,
  );
  return res.rowCount ?? 0;
}

const setWatermark = (c: PoolClient, name: string, until: Date) =>
  c.query("INSERT INTO job_watermark (name, until) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET until = GREATEST(job_watermark.until, EXCLUDED.until)", [
    name,
    until,
  ]);

async function watermark(name: string): Promise<Date | null> {
  const { rows } = await pool().query<{ until: Date }>("SELECT until FROM job_watermark WHERE name = $1", [name]);
  return rows[0]?.until ?? null;
}

/** Compacts every complete hour up to now − 5 min, then every complete day before that; returns the watermarks and rows written. */
export async function compactHourly(now = new Date()): Promise<{ until: Date; days: Date; rows: number }> {
  const end = new Date(Math.floor((now.getTime() - GRACE_MS) / HOUR) * HOUR);
  const hourWm = await watermark(HOURLY_WATERMARK);
  let start: Date;
  if (hourWm) start = hourWm;
  else {
    const { rows } = await pool().query<{ first: Date | null }>("SELECT min(bucket) AS first FROM telemetry_rollup_minute");
    start = rows[0]?.first ? new Date(Math.floor(rows[0].first.getTime() / HOUR) * HOUR) : end;
  }
  const dayWm = await watermark(DAILY_WATERMARK);
  // Dirty marks first: a mark is taken only once its telemetry has committed (same ingest
  // transaction), so the recompaction below, a later statement, sees that telemetry. Its day is
  // recompacted in the same transaction, so readers never see a day without its late hour.
  let written = await withPgTransaction(async (c) => {
    let n = 0;
    const { rows: dirty } = await c.query<{ hour: Date; plant_id: string }>("DELETE FROM telemetry_rollup_dirty WHERE hour < $1 RETURNING hour, plant_id", [
      start < end ? start : end,
    ]);
    for (const d of dirty) n += await compactLevel(c, "hour", d.hour, new Date(d.hour.getTime() + HOUR), d.plant_id);
    const days = new Map<string, { day: number; plantId: string }>();
    for (const d of dirty) {
      const day = Math.floor(d.hour.getTime() / DAY) * DAY;
      if (dayWm && day < dayWm.getTime()) days.set(`${day}|${d.plant_id}`, { day, plantId: d.plant_id });
    }
    for (const { day, plantId } of days.values()) n += await compactLevel(c, "day", new Date(day), new Date(day + DAY), plantId);
    return n;
  });
  // New hours, a day per transaction: the first run over a long history stays in bounded transactions.
  for (let from = start; from < end; from = new Date(Math.min(from.getTime() + DAY, end.getTime()))) {
    const to = new Date(Math.min(from.getTime() + DAY, end.getTime()));
    written += await withPgTransaction(async (c) => {
      await c.query("DELETE FROM telemetry_rollup_dirty WHERE hour >= $1 AND hour < $2", [from, to]);
      const n = await compactLevel(c, "hour", from, to);
      await setWatermark(c, HOURLY_WATERMARK, to);
      return n;
    });
  }
  // New whole days from the hour rows, up to the hourly watermark, a day per transaction.
  const hoursUntil = end > start ? end : start;
  const dayEnd = new Date(Math.floor(hoursUntil.getTime() / DAY) * DAY);
  let dayStart = dayWm;
  if (!dayStart) {
    const { rows } = await pool().query<{ first: Date | null }>("SELECT min(bucket) AS first FROM telemetry_rollup_hour");
    dayStart = rows[0]?.first ? new Date(Math.floor(rows[0].first.getTime() / DAY) * DAY) : dayEnd;
  }
  for (let day = dayStart; day < dayEnd; day = new Date(day.getTime() + DAY)) {
    const next = new Date(day.getTime() + DAY);
    written += await withPgTransaction(async (c) => {
      const n = await compactLevel(c, "day", day, next);
      await setWatermark(c, DAILY_WATERMARK, next);
      return n;
    });
  }
  return { until: hoursUntil, days: dayEnd > dayStart ? dayEnd : dayStart, rows: written };
}

/**
 * Which rows answer a range exactly: day rows for whole days before the daily watermark, hour rows for
 * whole hours before the hourly watermark, minute rows for the edges and the rest. A dirty hour (late
 * telemetry not yet recompacted) is read from its minutes, and its day hour by hour. Pure (tested).
 */
export type RollupPlan = {
  minutes: [Date, Date][];
  hours: [Date, Date][];
  /** Whole days, except `dirtyDays` (read from their hours). */
  days: [Date, Date] | null;
  dirtyDays: Date[];
  /** Hours of the dirty days (read from the hour table except the dirty hours themselves, read from minutes). */
  dirtyDayHours: Date[];
  dirtyHours: Date[];
};

export function planRollupRead(from: Date, to: Date, hourWm: Date | null, dayWm: Date | null, dirtyHours: Date[]): RollupPlan {
  const f = from.getTime();
  const t = to.getTime();
  const hs = Math.ceil(f / HOUR) * HOUR;
  // No watermark: nothing is compacted (−∞, not the epoch: a range before 1970 has no hour rows either).
  const he = Math.min(hourWm?.getTime() ?? Number.NEGATIVE_INFINITY, Math.floor(t / HOUR) * HOUR);
  if (hs >= he) return { minutes: [[from, to]], hours: [], days: null, dirtyDays: [], dirtyDayHours: [], dirtyHours: [] };
  const dirty = [...new Set(dirtyHours.map((d) => d.getTime()))].filter((d) => d >= hs && d < he).sort((a, b) => a - b);
  const ds = Math.ceil(f / DAY) * DAY;
  const de = Math.min(dayWm?.getTime() ?? Number.NEGATIVE_INFINITY, Math.floor(he / DAY) * DAY);
  const useDays = ds < de;
  const dirtyDays = useDays ? [...new Set(dirty.filter((d) => d >= ds && d < de).map((d) => Math.floor(d / DAY) * DAY))] : [];
  const toDate = (ms: number) => new Date(ms);
  return {
    minutes: (
      [
        [f, hs],
        [he, t],
      ] as [number, number][]
    )
      .filter(([a, b]) => a < b)
      .map(([a, b]) => [toDate(a), toDate(b)]),
    hours: (
      (useDays
        ? [
            [hs, ds],
            [de, he],
          ]
        : [[hs, he]]) as [number, number][]
    )
      .filter(([a, b]) => a < b)
      .map(([a, b]) => [toDate(a), toDate(b)]),
    days: useDays ? [toDate(ds), toDate(de)] : null,
    dirtyDays: dirtyDays.map(toDate),
    dirtyDayHours: dirtyDays.flatMap((d) => Array.from({ length: 24 }, (_, i) => toDate(d + i * HOUR))),
    dirtyHours: dirty.map(toDate),
  };
}

/**
 * SQL selecting each set of columns of the rollup rows that answer [from, to) for one plant (the plant
 * id is $1 of each returned params; callers append theirs), following planRollupRead. The watermarks
 * and dirty hours are read once for all the column sets. `stepMs`: the finest step the caller bins
 * the rows into (charts); coarser rollups than that step are not used.
 */
export type RollupQuery = { sql: string; params: unknown[] };

export async function rollupSources(plantId: string, from: Date, to: Date, columnSets: string[], opts: { stepMs?: number } = {}): Promise<RollupQuery[]> {
  const plan = await rollupPlan(plantId, from, to, opts);
  return columnSets.map((columns) => rollupSql(plantId, plan, columns));
}

/** The plan of a read (planRollupRead) with the watermarks and dirty hours read now; see rollupSources for `stepMs`. */
export async function rollupPlan(plantId: string, from: Date, to: Date, { stepMs }: { stepMs?: number } = {}): Promise<RollupPlan> {
  const { rows: wms } = await pool().query<{ name: string; until: Date }>("SELECT name, until FROM job_watermark WHERE name = ANY($1)", [
    [HOURLY_WATERMARK, DAILY_WATERMARK],
  ]);
  // A chart binned finer than an hour (or a day) cannot use the coarser rows: an hour's row binned into
  // the first 5-minute step of its hour would draw 1 step of 12 and leave the others empty.
  const hourWm = stepMs !== undefined && stepMs < HOUR ? null : (wms.find((w) => w.name === HOURLY_WATERMARK)?.until ?? null);
  const dayWm = stepMs !== undefined && stepMs < DAY ? null : (wms.find((w) => w.name === DAILY_WATERMARK)?.until ?? null);
  const { rows: dirty } = hourWm
    ? await pool().query<{ hour: Date }>("SELECT hour FROM telemetry_rollup_dirty WHERE plant_id = $1 AND hour >= $2 AND hour < $3", [
        plantId,
        new Date(from.getTime() - HOUR),
        hourWm,
      ])
    : { rows: [] };
  return planRollupRead(
    from,
    to,
    hourWm,
    dayWm,
    dirty.map((d) => d.hour),
  );
}

/** The SQL of one plan for one set of columns (pure); empty when the plan reads nothing. */
export function rollupSql(plantId: string, plan: RollupPlan, columns: string): RollupQuery {
  const params: unknown[] = [plantId];
  const p = (v: unknown) => `$${params.push(v)}`;
  const ranges = (rs: [Date, Date][]) => rs.map(([a, b]) => `(bucket >= ${p(a)} AND bucket < ${p(b)})`);
  const parts: string[] = [];
  const minuteRanges = ranges(plan.minutes);
  if (minuteRanges.length) parts.push(`SELECT ${columns} FROM telemetry_rollup_minute WHERE plant_id = $1 AND (${minuteRanges.join(" OR ")})`);
  if (plan.dirtyHours.length) {
    const m = columns
      .split(",")
      .map((c) => `m.${c.trim()}`)
      .join(", ");
    parts.push(`SELECT ${m} FROM unnest(${p(plan.dirtyHours)}::timestamptz[]) AS d(hour)
                JOIN telemetry_rollup_minute m ON m.plant_id = $1 AND m.bucket >= d.hour AND m.bucket < d.hour + interval '1 hour'`);
  }
  const hourConds = ranges(plan.hours);
  if (plan.dirtyDayHours.length) hourConds.push(`bucket = ANY(${p(plan.dirtyDayHours)}::timestamptz[])`);
  if (hourConds.length) {
    const notDirty = plan.dirtyHours.length ? ` AND bucket <> ALL(${p(plan.dirtyHours)}::timestamptz[])` : "";
    parts.push(`SELECT ${columns} FROM telemetry_rollup_hour WHERE plant_id = $1 AND (${hourConds.join(" OR ")})${notDirty}`);
  }
  if (plan.days) {
    const notDirty = plan.dirtyDays.length ? ` AND bucket <> ALL(${p(plan.dirtyDays)}::timestamptz[])` : "";
    parts.push(`SELECT ${columns} FROM telemetry_rollup_day WHERE plant_id = $1 AND bucket >= ${p(plan.days[0])} AND bucket < ${p(plan.days[1])}${notDirty}`);
  }
  return { sql: parts.join("\n UNION ALL "), params };
}

/**
 * Samples every plant's open backlog (the exceptions in an open status) and every connector in service's
 * heartbeat age and backlog for this minute (idempotent). A disabled connector is not sampled.
 */
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
     FROM plant p LEFT JOIN exception e ON e.plant_id = p.id AND e.status = ANY($2::exception_status[])
     GROUP BY p.id
     ON CONFLICT (plant_id, at) DO NOTHING`,
    [at, [...OPEN_STATUSES]],
  );
  await pool().query(
    `INSERT INTO connector_sample (connector_id, at, plant_id, heartbeat_age_s, backlog)
     SELECT id, $1, plant_id, CASE WHEN last_heartbeat_at IS NULL THEN NULL ELSE GREATEST(0, extract(epoch FROM $2::timestamptz - last_heartbeat_at))::int END, reported_backlog
     FROM connector WHERE disabled_at IS NULL
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
