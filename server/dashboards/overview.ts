import { pool } from "../db";
import type { Severity } from "../db/generated/enums";
import { forbidden } from "../http/errors";
import { type Principal, can, visiblePlantIds } from "../policy";
import { plantInterfaceMetrics } from "./plant-metrics";

/**
 * The overview: one tile per plant the user may see. Open exceptions by severity and the oldest one's
 * age, the backlog's trend over the last hour (opened vs closed), throughput and failure rate over the
 * last hour with the interfaces breaching their latency SLO (from the same per-interface figures as the
 * plant page), and connectors that are silent or report a backlog of their own.
 */
export const SILENT_AFTER_MS = 120_000;

export type PlantTile = {
  id: string;
  code: string;
  name: string;
  timezone: string;
  open: { total: number; bySeverity: Record<Severity, number>; oldestFirstSeenAt: string | null };
  lastHour: { opened: number; closed: number; messages: number; failed: number; failureRate: number | null; sloBreaches: string[] };
  connectors: { name: string; silent: boolean; backlog: number | null; lastHeartbeatAt: string | null }[];
  /** Open alerts (firing = not yet acknowledged). */
  alerts: { open: number; firing: number };
  /** Open backlog over the last 24 h, one point per hour (from the per-minute samples; empty before the first). */
  trend: { t: string; open: number }[];
};

export async function overview(user: Principal, now = new Date()): Promise<PlantTile[]> {
  if (!can(user, "dashboard.read")) throw forbidden("Your role has no dashboard");
  const scope = visiblePlantIds(user);
  const { rows: plants } = await pool().query<{ id: string; code: string; name: string; timezone: string }>(
    `SELECT id, code, name, timezone FROM plant ${scope === "all" ? "" : "WHERE id = ANY($1::uuid[])"} ORDER BY code`,
    scope === "all" ? [] : [[...scope]],
  );
  if (plants.length === 0) return [];
  const ids = plants.map((p) => p.id);
  const hourAgo = new Date(now.getTime() - 3_600_000);
  const [open, flow, connectors, metrics, alerts, trend] = await Promise.all([
    pool().query<{ plant_id: string; severity: Severity; n: number; oldest: Date }>(
      `SELECT plant_id, severity, count(*)::int AS n, min(first_seen_at) AS oldest FROM exception
       WHERE plant_id = ANY($1::uuid[]) AND status NOT IN ('RESOLVED', 'DISCARDED') GROUP BY plant_id, severity`,
      [ids],
    ),
    pool().query<{ plant_id: string; opened: number; closed: number }>(
      `SELECT p.id AS plant_id,
              (SELECT count(*)::int FROM exception e WHERE e.plant_id = p.id AND e.first_seen_at >= $2) AS opened,
              (SELECT count(*)::int FROM exception e WHERE e.plant_id = p.id AND e.resolved_at >= $2) AS closed
       FROM plant p WHERE p.id = ANY($1::uuid[])`,
      [ids, hourAgo],
    ),
    pool().query<{ plant_id: string; name: string; last_heartbeat_at: Date | null; reported_backlog: number | null }>(
      "SELECT plant_id, name, last_heartbeat_at, reported_backlog FROM connector WHERE plant_id = ANY($1::uuid[]) ORDER BY name",
      [ids],
    ),
    Promise.all(plants.map((p) => plantInterfaceMetrics(user, p.code, { range: "1h" }, now))),
    pool().query<{ plant_id: string; open: number; firing: number }>(
      `SELECT plant_id, count(*)::int AS open, count(*) FILTER (WHERE status = 'FIRING')::int AS firing FROM alert
       WHERE plant_id = ANY($1::uuid[]) AND status <> 'RESOLVED' GROUP BY plant_id`,
      [ids],
    ),
    pool().query<{ plant_id: string; t: Date; open: number }>(
      `SELECT DISTINCT ON (plant_id, 2) plant_id, date_trunc('hour', at) AS t, (lt15m + lt1h + lt4h + lt24h + older) AS open
       FROM backlog_sample WHERE plant_id = ANY($1::uuid[]) AND at >= $2 ORDER BY plant_id, 2, at DESC`,
      [ids, new Date(now.getTime() - 24 * 3_600_000)],
    ),
  ]);
  return plants.map((p, i) => {
    const mine = open.rows.filter((r) => r.plant_id === p.id);
    const bySeverity: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 };
    for (const r of mine) bySeverity[r.severity] = r.n;
    const oldest = mine.reduce<Date | null>((o, r) => (o === null || r.oldest < o ? r.oldest : o), null);
    const ifaces = metrics[i]!.interfaces;
    const messages = ifaces.reduce((n, x) => n + x.delivered + x.failed, 0);
    const failed = ifaces.reduce((n, x) => n + x.failed, 0);
    const f = flow.rows.find((r) => r.plant_id === p.id);
    return {
      id: p.id,
      code: p.code,
      name: p.name,
      timezone: p.timezone,
      open: { total: mine.reduce((n, r) => n + r.n, 0), bySeverity, oldestFirstSeenAt: oldest?.toISOString() ?? null },
      lastHour: {
        opened: f?.opened ?? 0,
        closed: f?.closed ?? 0,
        messages,
        failed,
        failureRate: messages ? failed / messages : null,
        sloBreaches: ifaces.filter((x) => x.sloBreached).map((x) => x.code),
      },
      alerts: { open: alerts.rows.find((a) => a.plant_id === p.id)?.open ?? 0, firing: alerts.rows.find((a) => a.plant_id === p.id)?.firing ?? 0 },
      trend: trend.rows.filter((r) => r.plant_id === p.id).map((r) => ({ t: r.t.toISOString(), open: r.open })),
      connectors: connectors.rows
        .filter((c) => c.plant_id === p.id)
        .map((c) => ({
          name: c.name,
          backlog: c.reported_backlog,
          lastHeartbeatAt: c.last_heartbeat_at?.toISOString() ?? null,
          silent: !c.last_heartbeat_at || now.getTime() - c.last_heartbeat_at.getTime() > SILENT_AFTER_MS,
        })),
    };
  });
}
