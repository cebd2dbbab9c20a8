import { pool } from "../db";
import type { FindingStatus, SystemKind } from "../db/generated/enums";
import { DEFAULT_CIRCUIT } from "../replay/circuit";

/**
 * The three silences of a plant, told apart (for the plant page): a connector down (no heartbeat), a
 * flow stopped (its connector sends heartbeats, the flow carries no traffic: an unresolved STOPPED
 * finding), a target down (replay deliveries to a system keep failing: its circuit is open, or its
 * last deliveries failed in a row). A connector out of service (disabled) is in none of them.
 * No policy check here: the caller has checked that the user may see the plant.
 */
export type PlantSilences = {
  connectorDown: {
    connectorId: string;
    name: string;
    system: SystemKind;
    lastHeartbeatAt: string | null;
    /** Seconds since its last heartbeat (since it was created when it never sent one). */
    silentForS: number;
  }[];
  flowStopped: {
    findingId: string;
    interfaceCode: string;
    interfaceName: string;
    summary: string;
    status: FindingStatus;
    openedAt: string;
  }[];
  targetDown: {
    connectorId: string;
    name: string;
    system: SystemKind;
    /** Technical failures in a row of replay deliveries to it. */
    failures: number;
    /** The circuit is open until then (null: closed, but the last deliveries failed in a row). */
    pausedUntil: string | null;
  }[];
};

/** Without a CONNECTOR_SILENT rule covering the plant, a connector is down after this long without a heartbeat. */
export const DEFAULT_SILENT_AFTER_S = 300;

export async function plantSilences(plantId: string, now: Date = new Date()): Promise<PlantSilences> {
  const [rule, connectors, stopped] = await Promise.all([
    pool().query<{ threshold: number | null }>(
      "SELECT min(threshold) AS threshold FROM alert_rule WHERE kind = 'CONNECTOR_SILENT' AND enabled AND (plant_id IS NULL OR plant_id = $1)",
      [plantId],
    ),
    pool().query<{ id: string; name: string; system: SystemKind; last: Date | null; seen: Date; failures: number; paused_until: Date | null }>(
      `SELECT c.id, c.name, s.kind AS system, c.last_heartbeat_at AS last, coalesce(c.last_heartbeat_at, c.created_at) AS seen,
              c.replay_failures AS failures, c.replay_paused_until AS paused_until
       FROM connector c JOIN plant_system s ON s.id = c.system_id WHERE c.plant_id = $1 AND c.disabled_at IS NULL ORDER BY c.name`,
      [plantId],
    ),
    pool().query<{ id: string; code: string; name: string; summary: string; status: FindingStatus; opened_at: Date }>(
      `SELECT f.id, i.code, i.name, f.summary, f.status, f.opened_at FROM finding f JOIN interface i ON i.id = f.interface_id
       WHERE f.plant_id = $1 AND f.kind = 'STOPPED' AND f.status <> 'RESOLVED' ORDER BY f.opened_at, i.code`,
      [plantId],
    ),
  ]);
  const silentAfterS = Number(rule.rows[0]?.threshold ?? DEFAULT_SILENT_AFTER_S);
  const silentFor = (c: { seen: Date }) => Math.max(0, Math.floor((now.getTime() - c.seen.getTime()) / 1000));
  return {
    connectorDown: connectors.rows
      .filter((c) => silentFor(c) > silentAfterS)
      .map((c) => ({ connectorId: c.id, name: c.name, system: c.system, lastHeartbeatAt: c.last?.toISOString() ?? null, silentForS: silentFor(c) })),
    flowStopped: stopped.rows.map((f) => ({
      findingId: f.id,
      interfaceCode: f.code,
      interfaceName: f.name,
      summary: f.summary,
      status: f.status,
      openedAt: f.opened_at.toISOString(),
    })),
    targetDown: connectors.rows
      .filter((c) => (c.paused_until && c.paused_until > now) || c.failures >= DEFAULT_CIRCUIT.threshold)
      .map((c) => ({
        connectorId: c.id,
        name: c.name,
        system: c.system,
        failures: c.failures,
        pausedUntil: c.paused_until && c.paused_until > now ? c.paused_until.toISOString() : null,
      })),
  };
}
