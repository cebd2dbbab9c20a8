import { pool } from "../db";
import { dependencyDepths } from "./order";

/**
 * A bulk replay's next pending items in dependency order — prerequisites first (their interface's depth
 * in the catalog), then the time the failure was first seen, then id (stable) — so a prerequisite is
 * sent before its dependents. A dependent whose prerequisite is still open when its turn comes is
 * refused (blocked_by_prerequisite: the item is skipped with that reason) and is released, and where
 * its interface allows replayed by Andon, once the prerequisite is delivered.
 */
export async function pendingInDependencyOrder(bulkId: string, take: number): Promise<{ exceptionId: string }[]> {
  const depth = await dependencyDepths();
  const { rows } = await pool().query<{ exceptionId: string }>(
    `SELECT i.exception_id AS "exceptionId" FROM bulk_operation_item i JOIN exception e ON e.id = i.exception_id
     LEFT JOIN unnest($2::uuid[], $3::int[]) AS d(interface_id, depth) ON d.interface_id = e.interface_id
     WHERE i.bulk_id = $1 AND i.status = 'PENDING'
     ORDER BY COALESCE(d.depth, 0), e.first_seen_at, e.id LIMIT $4`,
    [bulkId, [...depth.keys()], [...depth.values()], take],
  );
  return rows;
}
