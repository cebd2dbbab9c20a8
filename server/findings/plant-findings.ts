import { pool } from "../db";
import { type PlantSilences, plantSilences } from "../escalation/silences";
import { notFound } from "../http/errors";
import { type Principal, can, canSeePlant } from "../policy";
import { FINDING_COLUMNS, FINDING_FROM, type FindingRow, type FindingSqlRow, toFindingRow } from "./finding-row";
import { type PlantFindings, findingsSummary } from "./summary";

/**
 * The plant page's findings panel: the plant's open findings (newest first), their counts, and the three
 * silences told apart (server/escalation/silences.ts): connector down (no heartbeat), flow stopped
 * (heartbeats, no traffic: an open STOPPED finding), target down (deliveries to a system failing).
 * A plant outside the user's scope does not exist (404).
 */
export type PlantFindingsPanel = {
  plant: { id: string; code: string; timezone: string };
  summary: PlantFindings;
  /** Open findings, newest first (at most OPEN_SHOWN; `summary.open` counts them all). */
  open: FindingRow[];
  silences: PlantSilences;
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
    plantSilences(plant.id, now),
  ]);
  return { plant, summary: summary[plant.id]!, open: open.rows.map(toFindingRow), silences, now: now.toISOString() };
}
