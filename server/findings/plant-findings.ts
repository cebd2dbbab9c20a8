import { pool } from "../db";
import type { FindingStatus, SystemKind } from "../db/generated/enums";
import { SILENT_AFTER_MS } from "../dashboards/overview";
import { notFound } from "../http/errors";
import { type Principal, can, canSeePlant } from "../policy";
import { FINDING_COLUMNS, FINDING_FROM, type FindingRow, type FindingSqlRow, toFindingRow } from "./finding-row";
import { type PlantFindings, findingsSummary } from "./summary";

/**
 * The plant page's findings panel: the plant's open findings (newest first), their counts, and the three
 * silences told apart — connector down (no heartbeat), flow stopped (heartbeats, no traffic: an open
 * STOPPED finding), target down (deliveries failing: the replay circuit to that system is open).
 * A plant outside the user's scope does not exist (404).
 */
export type Silences = {
  connectorDown: { name: string; system: SystemKind; lastHeartbeatAt: string | null }[];
  flowStopped: { findingId: string; interfaceCode: string; interfaceName: string; status: FindingStatus; openedAt: string }[];
  targetDown: { name: string; system: SystemKind; failures: number; pausedUntil: string | null }[];
};

export type PlantFindingsPanel = {
  plant: { id: string; code: string; timezone: string };
  summary: PlantFindings;
  /** Open findings, newest first (at most OPEN_SHOWN; `summary.open` counts them all). */
  open: FindingRow[];
  silences: Silences;
  now: string;
};

export const OPEN_SHOWN = 20;

export async function plantFindings(user: Principal, plantCode: string, now = new Date()): Promise<PlantFindingsPanel> {
  const { rows } = await pool().query<{ id: string; code: string; timezone: string }>("SELECT id, code, timezone FROM plant WHERE code = $1", [
    plantCode.slice(0, 60),
  ]);
  const plant = rows[0];
  if (!plant || !canSeePlant(user, plant.id) || !can(user, "finding.read", { plantId: plant.id })) throw notFound("Plant");
  const [summary, open, silences] = await Promise.all([
    findingsSummary([plant.id], now),
    pool().query<FindingSqlRow>(
      `SELECT ${FINDING_COLUMNS} ${FINDING_FROM} WHERE f.plant_id = $1 AND f.status IN ('OPEN', 'ACKNOWLEDGED') ORDER BY f.opened_at DESC, f.id DESC LIMIT ${OPEN_SHOWN}`,
      [plant.id],
    ),
    silencesOf(plant.id, now),
  ]);
  return { plant, summary: summary[plant.id]!, open: open.rows.map(toFindingRow), silences, now: now.toISOString() };
}

/** The three silences from what the plant page already knows: connector heartbeats, STOPPED findings, replay circuits. */
async function silencesOf(plantId: string, now: Date): Promise<Silences> {
  const [connectors, stopped] = await Promise.all([
    pool().query<{ name: string; system: SystemKind; last: Date | null; failures: number; paused_until: Date | null }>(
      `SELECT c.name, s.kind AS system, c.last_heartbeat_at AS last, c.replay_failures AS failures, c.replay_paused_until AS paused_until
       FROM connector c JOIN plant_system s ON s.id = c.system_id WHERE c.plant_id = $1 AND c.disabled_at IS NULL ORDER BY c.name`,
      [plantId],
    ),
    pool().query<{ id: string; code: string; name: string; status: FindingStatus; opened_at: Date }>(
      `SELECT f.id, i.code, i.name, f.status, f.opened_at FROM finding f JOIN interface i ON i.id = f.interface_id
       WHERE f.plant_id = $1 AND f.kind = 'STOPPED' AND f.status IN ('OPEN', 'ACKNOWLEDGED') ORDER BY f.opened_at, i.code`,
      [plantId],
    ),
  ]);
  return {
    connectorDown: connectors.rows
      .filter((c) => c.last !== null && now.getTime() - c.last.getTime() > SILENT_AFTER_MS)
      .map((c) => ({ name: c.name, system: c.system, lastHeartbeatAt: c.last?.toISOString() ?? null })),
    flowStopped: stopped.rows.map((f) => ({
      findingId: f.id,
      interfaceCode: f.code,
      interfaceName: f.name,
      status: f.status,
      openedAt: f.opened_at.toISOString(),
    })),
    targetDown: connectors.rows
      .filter((c) => c.paused_until !== null && c.paused_until > now)
      .map((c) => ({ name: c.name, system: c.system, failures: c.failures, pausedUntil: c.paused_until?.toISOString() ?? null })),
  };
}
