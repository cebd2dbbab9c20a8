import { pool } from "../db";
import type { FindingKind } from "../db/generated/enums";

/**
 * Open findings (not resolved) per plant, for the dashboard's plant tiles ("14 late · 1 stopped flow"):
 * counts per kind and per interface, the unacknowledged ones, the oldest. The caller has already scoped
 * `plantIds` to the user's plants (server/dashboards/overview.ts). Findings opened after `now` are left
 * out, so the tile and the rest of the overview describe the same instant.
 */
export type PlantFindings = {
  /** Open (not resolved) findings of the plant; `unacknowledged` of them nobody has acknowledged yet. */
  open: number;
  unacknowledged: number;
  byKind: Record<FindingKind, number>;
  /** Per interface and kind, most first (e.g. PRODORD_CONFIRM · LATE · 14). */
  byInterface: { code: string; name: string; kind: FindingKind; count: number }[];
  oldestOpenedAt: string | null;
};

export const emptyPlantFindings = (): PlantFindings => ({
  open: 0,
  unacknowledged: 0,
  byKind: { LATE: 0, STOPPED: 0, FLOOD: 0, MISSED_RUN: 0 },
  byInterface: [],
  oldestOpenedAt: null,
});

/** Kinds in the order they matter: a flow that stopped before a late message. */
export const KIND_ORDER: Record<FindingKind, number> = { STOPPED: 0, MISSED_RUN: 1, FLOOD: 2, LATE: 3 };

export async function findingsSummary(plantIds: readonly string[], now = new Date()): Promise<Record<string, PlantFindings>> {
  const out: Record<string, PlantFindings> = Object.fromEntries(plantIds.map((id) => [id, emptyPlantFindings()]));
  if (plantIds.length === 0) return out;
  const { rows } = await pool().query<{ plant_id: string; code: string; name: string; kind: FindingKind; n: number; unack: number; oldest: Date }>(
    `SELECT f.plant_id, i.code, i.name, f.kind, count(*)::int AS n, count(*) FILTER (WHERE f.status = 'OPEN')::int AS unack, min(f.opened_at) AS oldest
     FROM finding f JOIN interface i ON i.id = f.interface_id
     WHERE f.plant_id = ANY($1::uuid[]) AND f.status IN ('OPEN', 'ACKNOWLEDGED') AND f.opened_at <= $2
     GROUP BY f.plant_id, i.code, i.name, f.kind`,
    [[...plantIds], now],
  );
  for (const r of rows) {
    const p = out[r.plant_id];
    if (!p) continue;
    p.open += r.n;
    p.unacknowledged += r.unack;
    p.byKind[r.kind] += r.n;
    p.byInterface.push({ code: r.code, name: r.name, kind: r.kind, count: r.n });
    if (!p.oldestOpenedAt || r.oldest.toISOString() < p.oldestOpenedAt) p.oldestOpenedAt = r.oldest.toISOString();
  }
  for (const p of Object.values(out))
    p.byInterface.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || b.count - a.count || a.code.localeCompare(b.code));
  return out;
}
