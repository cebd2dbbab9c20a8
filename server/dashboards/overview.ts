import { pool } from "../db";
import type { Severity } from "../db/generated/enums";
import { CLOSED_STATUSES, OPEN_STATUSES } from "../exceptions/lifecycle";
import { forbidden } from "../http/errors";
import { type Principal, can, visiblePlantIds } from "../policy";
import { type PlantFindings, findingsSummary } from "../findings/summary";
import { type PlantHealth, compareHealth, plantHealth } from "./health";
import { type SloPeriods, sloPeriods } from "./slo";

/**
 * The overview: one tile per plant the user may see, worst health first. Every number says what it
 * counts, and numbers about the same thing come from one query:
 * - open exceptions: exactly the exceptions in an open status (OPEN_STATUSES) — the queue's "Open" count;
 * - the last hour [now − 1 h, now): exceptions first seen and closed in it, messages reported, failures,
 *   and the latency SLO judged minute by minute (the plant page's 1 h table shows the same figures);
 * - the same hour yesterday and last week, for comparison, with the open backlog at the end of each;
 * - the open backlog at each of the last 24 hours (per-minute samples), ending with the exact count now;
 * - connectors in service (a disabled one is left out) that fell silent, never reported, or report a backlog;
 * - open findings of the flow monitor (late messages, stopped or flooded flows, missed batch runs).
 * One health state per plant (server/dashboards/health.ts) from these same figures.
 */
export const SILENT_AFTER_MS = 120_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A backlog sample stands for an instant when it was taken at most this long before it. */
const SAMPLE_TOLERANCE_MS = 5 * 60_000;

/** One window's figures (the last hour, or the same hour yesterday / last week). */
export type WindowFigures = {
  from: string;
  to: string;
  messages: number;
  failed: number;
  /** Minutes in which the plant delivered messages, and those in which any interface was above its SLO. */
  slo: { activeMinutes: number; breachMinutes: number };
  /** Open exceptions at the window's end: the exact count for the last hour, the last sample before it otherwise (null: none taken). */
  openAtEnd: number | null;
};

export type PlantTile = {
  id: string;
  code: string;
  name: string;
  timezone: string;
  health: PlantHealth;
  open: { total: number; bySeverity: Record<Severity, number>; oldestFirstSeenAt: string | null };
  lastHour: WindowFigures & {
    /** Exceptions first seen in the last hour, and exceptions closed (resolved or discarded) in it. */
    opened: number;
    closed: number;
    failureRate: number | null;
    /** Interfaces with minutes above their SLO in the last hour. */
    sloBreaches: { code: string; activeMinutes: number; breachMinutes: number }[];
  };
  compare: { yesterday: WindowFigures; lastWeek: WindowFigures };
  connectors: { name: string; silent: boolean; reported: boolean; backlog: number | null; lastHeartbeatAt: string | null }[];
  /** Open alerts (firing = not yet acknowledged). */
  alerts: { open: number; firing: number };
  /** Open findings of the flow monitor: late messages, stopped or flooded flows, missed batch runs. */
  findings: PlantFindings;
  /** Open backlog 24, 23, … 1 h ago (null: no sample then); the page ends the line with `open.total`, now. */
  trend: { t: string; open: number | null }[];
};

export type Overview = { generatedAt: string; plants: PlantTile[] };

type PlantRow = { id: string; code: string; name: string; timezone: string };
/** The last hour is always judged minute by minute (server/dashboards/slo.ts). */
const minutes = (s: SloPeriods) => ({ activeMinutes: s.active, breachMinutes: s.breached });

export async function overview(user: Principal, now = new Date()): Promise<Overview> {
  if (!can(user, "dashboard.read")) throw forbidden("Your role has no dashboard");
  const scope = visiblePlantIds(user);
  const { rows: plants } = await pool().query<PlantRow>(
    `SELECT id, code, name, timezone FROM plant ${scope === "all" ? "" : "WHERE id = ANY($1::uuid[])"} ORDER BY code`,
    scope === "all" ? [] : [[...scope]],
  );
  if (plants.length === 0) return { generatedAt: now.toISOString(), plants: [] };
  const ids = plants.map((p) => p.id);
  const hourAgo = new Date(now.getTime() - HOUR);
  const windows = { yesterday: DAY, lastWeek: 7 * DAY } as const;
  const shifted = (ms: number) => ({ from: new Date(hourAgo.getTime() - ms), to: new Date(now.getTime() - ms) });
  const trendTimes = Array.from({ length: 24 }, (_, i) => new Date(now.getTime() - (24 - i) * HOUR));
  const sampleTimes = [...trendTimes, shifted(windows.lastWeek).to];

  const [open, flow, connectors, alerts, samples, counts, ifaces, findings] = await Promise.all([
    pool().query<{ plant_id: string; severity: Severity; n: number; oldest: Date }>(
      `SELECT plant_id, severity, count(*)::int AS n, min(first_seen_at) AS oldest FROM exception
       WHERE plant_id = ANY($1::uuid[]) AND status = ANY($2::exception_status[]) GROUP BY plant_id, severity`,
      [ids, [...OPEN_STATUSES]],
    ),
    pool().query<{ plant_id: string; opened: number; closed: number }>(
      `SELECT p.id AS plant_id,
              (SELECT count(*)::int FROM exception e WHERE e.plant_id = p.id AND e.first_seen_at >= $2 AND e.first_seen_at < $3) AS opened,
              (SELECT count(*)::int FROM exception e WHERE e.plant_id = p.id AND e.status = ANY($4::exception_status[]) AND e.resolved_at >= $2 AND e.resolved_at < $3) AS closed
       FROM plant p WHERE p.id = ANY($1::uuid[])`,
      [ids, hourAgo, now, [...CLOSED_STATUSES]],
    ),
    pool().query<{ plant_id: string; name: string; last_heartbeat_at: Date | null; reported_backlog: number | null }>(
      "SELECT plant_id, name, last_heartbeat_at, reported_backlog FROM connector WHERE plant_id = ANY($1::uuid[]) AND disabled_at IS NULL ORDER BY name",
      [ids],
    ),
    pool().query<{ plant_id: string; open: number; firing: number }>(
      `SELECT plant_id, count(*)::int AS open, count(*) FILTER (WHERE status = 'FIRING')::int AS firing FROM alert
       WHERE plant_id = ANY($1::uuid[]) AND status <> 'RESOLVED' GROUP BY plant_id`,
      [ids],
    ),
    // The open backlog at given instants: the last sample taken at most 5 minutes before each.
    pool().query<{ plant_id: string; at: Date; open: number | null }>(
      `SELECT p.plant_id, t.at, s.open FROM unnest($1::uuid[]) AS p(plant_id) CROSS JOIN unnest($2::timestamptz[]) AS t(at)
       LEFT JOIN LATERAL (
         SELECT (lt15m + lt1h + lt4h + lt24h + older) AS open FROM backlog_sample
         WHERE plant_id = p.plant_id AND at <= t.at AND at > t.at - $3::interval ORDER BY at DESC LIMIT 1
       ) s ON true`,
      [ids, sampleTimes, `${SAMPLE_TOLERANCE_MS / 1000} seconds`],
    ),
    // Messages of the last hour per interface, from the minute rollups.
    pool().query<{ plant_id: string; interface_id: string; delivered: string | null; failed: string | null }>(
      `SELECT plant_id, interface_id, sum(count) FILTER (WHERE outcome = 'DELIVERED') AS delivered, sum(count) FILTER (WHERE outcome = 'FAILED') AS failed
       FROM telemetry_rollup_minute WHERE plant_id = ANY($1::uuid[]) AND bucket >= $2 AND bucket < $3 AND outcome IN ('DELIVERED', 'FAILED') GROUP BY plant_id, interface_id`,
      [ids, hourAgo, now],
    ),
    pool().query<{ plant_id: string; id: string; code: string; slo: number }>(
      "SELECT pi.plant_id, i.id, i.code, i.latency_slo_ms AS slo FROM plant_interface pi JOIN interface i ON i.id = pi.interface_id WHERE pi.plant_id = ANY($1::uuid[]) ORDER BY i.code",
      [ids],
    ),
    findingsSummary(ids, now),
  ]);
  const mineOf = (plantId: string) => ifaces.rows.filter((i) => i.plant_id === plantId).map((i) => ({ id: i.id, sloMs: i.slo }));
  const [lastHourSlos, pastFigures] = await Promise.all([
    Promise.all(plants.map((p) => sloPeriods(p.id, mineOf(p.id), hourAgo, now))),
    Promise.all(
      plants.flatMap((p) =>
        (Object.keys(windows) as (keyof typeof windows)[]).map(async (w) => ({
          plantId: p.id,
          w,
          figures: await pastWindow(p.id, mineOf(p.id), shifted(windows[w])),
        })),
      ),
    ),
  ]);
  const sampleAt = (plantId: string, at: Date) => samples.rows.find((s) => s.plant_id === plantId && s.at.getTime() === at.getTime())?.open ?? null;

  const tiles = plants.map((p, i): PlantTile => {
    const mine = open.rows.filter((r) => r.plant_id === p.id);
    const bySeverity: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
    for (const r of mine) bySeverity[r.severity] = r.n;
    const oldest = mine.reduce<Date | null>((o, r) => (o === null || r.oldest < o ? r.oldest : o), null);
    const total = mine.reduce((n, r) => n + r.n, 0);
    const hour = counts.rows.filter((r) => r.plant_id === p.id);
    const lastHourSlo = lastHourSlos[i]!;
    const interfaces = ifaces.rows
      .filter((x) => x.plant_id === p.id)
      .map((x) => {
        const c = hour.find((r) => r.interface_id === x.id);
        return { code: x.code, delivered: Number(c?.delivered ?? 0), failed: Number(c?.failed ?? 0), slo: lastHourSlo.byInterface.get(x.id)! };
      });
    const messages = interfaces.reduce((n, x) => n + x.delivered + x.failed, 0);
    const failed = interfaces.reduce((n, x) => n + x.failed, 0);
    const f = flow.rows.find((r) => r.plant_id === p.id);
    const past = (w: keyof typeof windows): WindowFigures => {
      const { from, to } = shifted(windows[w]);
      const figures = pastFigures.find((x) => x.plantId === p.id && x.w === w)!.figures;
      return { from: from.toISOString(), to: to.toISOString(), ...figures, openAtEnd: sampleAt(p.id, to) };
    };
    const tileConnectors = connectors.rows
      .filter((c) => c.plant_id === p.id)
      .map((c) => ({
        name: c.name,
        backlog: c.reported_backlog,
        lastHeartbeatAt: c.last_heartbeat_at?.toISOString() ?? null,
        reported: c.last_heartbeat_at !== null,
        silent: c.last_heartbeat_at !== null && now.getTime() - c.last_heartbeat_at.getTime() > SILENT_AFTER_MS,
      }));
    const alertRow = alerts.rows.find((a) => a.plant_id === p.id);
    const sloBreaches = interfaces
      .filter((x) => x.slo.breached > 0)
      .map((x) => ({ code: x.code, ...minutes(x.slo) }))
      .sort((a, b) => b.breachMinutes / b.activeMinutes - a.breachMinutes / a.activeMinutes);
    return {
      id: p.id,
      code: p.code,
      name: p.name,
      timezone: p.timezone,
      health: plantHealth({
        interfaces: sloBreaches,
        messages,
        failed,
        connectors: tileConnectors,
        alertsFiring: alertRow?.firing ?? 0,
        findings: {
          stopped: findings[p.id]!.byKind.STOPPED,
          missedRuns: findings[p.id]!.byKind.MISSED_RUN,
          late: findings[p.id]!.byKind.LATE,
          flood: findings[p.id]!.byKind.FLOOD,
        },
      }),
      open: { total, bySeverity, oldestFirstSeenAt: oldest?.toISOString() ?? null },
      lastHour: {
        from: hourAgo.toISOString(),
        to: now.toISOString(),
        opened: f?.opened ?? 0,
        closed: f?.closed ?? 0,
        messages,
        failed,
        failureRate: messages ? failed / messages : null,
        slo: minutes(lastHourSlo.plant),
        sloBreaches,
        openAtEnd: total,
      },
      compare: { yesterday: past("yesterday"), lastWeek: past("lastWeek") },
      alerts: { open: alertRow?.open ?? 0, firing: alertRow?.firing ?? 0 },
      findings: findings[p.id]!,
      trend: trendTimes.map((t) => ({ t: t.toISOString(), open: sampleAt(p.id, t) })),
      connectors: tileConnectors,
    };
  });
  return { generatedAt: now.toISOString(), plants: tiles.sort(compareHealth) };
}

/**
 * A past window's figures (the same hour yesterday or last week): messages, failures and the SLO minute by
 * minute. They do not change once their minutes are rolled up, so each instance keeps them for PAST_TTL_MS
 * (a late event for yesterday shows within that time). The window is read by whole minutes — rollup buckets
 * are minutes, so `bucket >= from` selects the same rows as `bucket >= ceil(from)` — and the key holds those
 * minutes and the interfaces' SLOs (a changed SLO is another key).
 */
const PAST_TTL_MS = 10 * 60_000;
const PAST_MAX_ENTRIES = 10_000;
type PastFigures = Pick<WindowFigures, "messages" | "failed" | "slo">;
const pastCache = new Map<string, { until: number; value: Promise<PastFigures> }>();

async function pastWindow(plantId: string, interfaces: { id: string; sloMs: number }[], window: { from: Date; to: Date }): Promise<PastFigures> {
  const ceilMinute = (d: Date) => new Date(Math.ceil(d.getTime() / 60_000) * 60_000);
  const from = ceilMinute(window.from);
  const to = ceilMinute(window.to);
  const key = `${plantId}|${from.getTime()}|${to.getTime()}|${interfaces.map((i) => `${i.id}:${i.sloMs}`).join(",")}`;
  const now = Date.now();
  const hit = pastCache.get(key);
  if (hit && hit.until > now) return hit.value;
  if (pastCache.size >= PAST_MAX_ENTRIES) for (const [k, v] of pastCache) if (v.until <= now || pastCache.size >= PAST_MAX_ENTRIES) pastCache.delete(k);
  const value = (async (): Promise<PastFigures> => {
    const [counts, slo] = await Promise.all([
      pool().query<{ delivered: string | null; failed: string | null }>(
        `SELECT sum(count) FILTER (WHERE outcome = 'DELIVERED') AS delivered, sum(count) FILTER (WHERE outcome = 'FAILED') AS failed
         FROM telemetry_rollup_minute WHERE plant_id = $1 AND bucket >= $2 AND bucket < $3 AND outcome IN ('DELIVERED', 'FAILED')`,
        [plantId, from, to],
      ),
      sloPeriods(plantId, interfaces, from, to),
    ]);
    const delivered = Number(counts.rows[0]?.delivered ?? 0);
    const failed = Number(counts.rows[0]?.failed ?? 0);
    return { messages: delivered + failed, failed, slo: minutes(slo.plant) };
  })();
  pastCache.set(key, { until: now + PAST_TTL_MS, value });
  value.catch(() => pastCache.delete(key));
  return value;
}
