import { pool } from "../db";
import { BusinessProcess, type FindingKind } from "../db/generated/enums";
import { CLOSED_STATUSES } from "../exceptions/lifecycle";
import { forbidden } from "../http/errors";
import { type Principal, can, visiblePlantIds } from "../policy";
import { type CellState, type ProcessCounts, cellState } from "./process-cell";

/**
 * The plant manager's process view: business processes (the interfaces' `process`) × the plants the user
 * may see; each cell ok / late / flooded / failing / stopped with its counts (server/findings/process-cell.ts)
 * and links to the findings and the exceptions behind it. Three grouped queries, whatever the number of
 * plants: the interfaces each plant runs, open findings and open exceptions per plant × process.
 */
export type ProcessCell = {
  plantCode: string;
  process: BusinessProcess;
  state: CellState;
  counts: ProcessCounts;
  /** The process's interfaces the plant runs. */
  interfaces: string[];
  /** The findings queue filtered to this cell, and the exception queue filtered to its interfaces. */
  findingsHref: string;
  exceptionsHref: string | null;
};

export type ProcessView = {
  processes: BusinessProcess[];
  plants: { id: string; code: string; name: string; timezone: string }[];
  /** Row by row: for each process, one cell per plant (in `plants` order). */
  cells: ProcessCell[];
  generatedAt: string;
};

export const PROCESSES = Object.values(BusinessProcess) as BusinessProcess[];
const CLOSED = CLOSED_STATUSES.map((s) => `'${s}'`).join(", ");

export async function processView(user: Principal, now = new Date()): Promise<ProcessView> {
  if (!can(user, "finding.read") || !can(user, "dashboard.read")) throw forbidden("Your role has no process view");
  const scope = visiblePlantIds(user);
  const { rows: plants } = await pool().query<{ id: string; code: string; name: string; timezone: string }>(
    `SELECT id, code, name, timezone FROM plant ${scope === "all" ? "" : "WHERE id = ANY($1::uuid[])"} ORDER BY code`,
    scope === "all" ? [] : [[...scope]],
  );
  const ids = plants.map((p) => p.id);
  const [ifaces, findings, exceptions] = await Promise.all([
    pool().query<{ plant_id: string; process: BusinessProcess; code: string }>(
      `SELECT pi.plant_id, i.process, i.code FROM plant_interface pi JOIN interface i ON i.id = pi.interface_id
       WHERE pi.plant_id = ANY($1::uuid[]) AND pi.enabled ORDER BY i.code`,
      [ids],
    ),
    pool().query<{ plant_id: string; process: BusinessProcess; kind: FindingKind; n: number }>(
      `SELECT f.plant_id, i.process, f.kind, count(*)::int AS n FROM finding f JOIN interface i ON i.id = f.interface_id
       WHERE f.plant_id = ANY($1::uuid[]) AND f.status IN ('OPEN', 'ACKNOWLEDGED') AND f.opened_at <= $2 GROUP BY 1, 2, 3`,
      [ids, now],
    ),
    pool().query<{ plant_id: string; process: BusinessProcess; n: number }>(
      `SELECT e.plant_id, i.process, count(*)::int AS n FROM exception e JOIN interface i ON i.id = e.interface_id
       WHERE e.plant_id = ANY($1::uuid[]) AND e.status NOT IN (${CLOSED}) GROUP BY 1, 2`,
      [ids],
    ),
  ]);
  const cells: ProcessCell[] = [];
  for (const process of PROCESSES) {
    for (const p of plants) {
      const interfaces = ifaces.rows.filter((r) => r.plant_id === p.id && r.process === process).map((r) => r.code);
      const kind = (k: FindingKind) => findings.rows.find((r) => r.plant_id === p.id && r.process === process && r.kind === k)?.n ?? 0;
      const counts: ProcessCounts = {
        stopped: kind("STOPPED"),
        missedRun: kind("MISSED_RUN"),
        flood: kind("FLOOD"),
        late: kind("LATE"),
        failing: exceptions.rows.find((r) => r.plant_id === p.id && r.process === process)?.n ?? 0,
      };
      const f = new URLSearchParams({ plant: p.code, process });
      cells.push({
        plantCode: p.code,
        process,
        // A process whose interface was disabled at the plant but still has open work counts as run.
        state: cellState(interfaces.length > 0 || Object.values(counts).some((n) => n > 0), counts),
        counts,
        interfaces,
        findingsHref: `/findings?${f}`,
        exceptionsHref: interfaces.length ? `/exceptions?${new URLSearchParams({ plant: p.code, interface: interfaces.join(","), status: "open" })}` : null,
      });
    }
  }
  return { processes: PROCESSES, plants, cells, generatedAt: now.toISOString() };
}
