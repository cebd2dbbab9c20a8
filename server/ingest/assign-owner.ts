import type { PoolClient } from "pg";
import { type AppendInput, SYSTEM_ACTOR } from "../audit";
import { PERMISSIONS, ROLES, seesAllPlants } from "../policy";
import type { ExceptionChange } from "../realtime/events";

/**
 * Owners' queues: each exception a batch opened goes to its plant × interface technical owner
 * (plant_interface.technical_owner_id) when one is set and may take it — the rule a person's assignment
 * follows (server/exceptions/assign-exception.ts): active, a role that triages, the plant in scope.
 * One statement for the whole batch (no per-row query), in the batch's transaction; each assignment is
 * audited as exception.assigned (from nobody to the owner; the status stays NEW: nobody has looked yet).
 */
const TRIAGE_ROLES = ROLES.filter((r) => (PERMISSIONS["exception.triage"] as readonly string[]).includes(r));
const ALL_PLANT_ROLES = ROLES.filter((r) => seesAllPlants({ id: "", role: r, plantIds: [] }));

export async function assignToOwners(client: PoolClient, plantId: string, opened: readonly ExceptionChange[]): Promise<AppendInput<"exception.assigned">[]> {
  if (opened.length === 0) return [];
  const { rows } = await client.query<{ id: string; email: string }>(
    `UPDATE exception x SET assignee_id = u.id, updated_at = now()
     FROM plant_interface pi JOIN app_user u ON u.id = pi.technical_owner_id
     WHERE x.id = ANY($1::uuid[]) AND x.assignee_id IS NULL AND x.status = 'NEW'
       AND pi.plant_id = x.plant_id AND pi.interface_id = x.interface_id
       AND u.active AND u.role::text = ANY($2::text[])
       AND (u.role::text = ANY($3::text[]) OR EXISTS (SELECT 1 FROM user_plant up WHERE up.user_id = u.id AND up.plant_id = x.plant_id))
     RETURNING x.id, u.email`,
    [opened.map((c) => c.id), TRIAGE_ROLES, ALL_PLANT_ROLES],
  );
  return rows
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((r) => ({
      type: "exception.assigned",
      actor: SYSTEM_ACTOR,
      plantId,
      subject: { type: "exception", id: r.id },
      data: { from: null, to: r.email, statusFrom: "NEW", statusTo: "NEW" },
    }));
}
