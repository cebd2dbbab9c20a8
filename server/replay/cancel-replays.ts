import type { PoolClient } from "pg";
import type { AppendInput, AuditEventType } from "../audit";
import type { Prisma } from "../db";

/**
 * Cancels the open replays (queued, or being delivered between attempts) of exceptions that no longer
 * expect them, in the caller's transaction, and gives the audit events to append there. A cancelled
 * replay is never sent again: the push worker and the pull lease claim only replays whose status and
 * exception still expect them, and settling is conditional on the replay's status.
 */
export type CancelledReplay = { id: string; exceptionId: string; idempotencyKey: string; statusFrom: string; plantId: string };
export type CancelWhy = "exception_discarded" | "recovered_at_source" | "no_longer_wanted" | "approval_lapsed";

const SQL = `
  WITH open AS (
    SELECT r.id, r.status::text AS status_from FROM replay r
    WHERE r.exception_id = ANY($1::uuid[]) AND r.status IN ('QUEUED', 'DELIVERING')
    FOR UPDATE)
  UPDATE replay r SET status = 'CANCELLED', finished_at = now(), lease_until = NULL
  FROM open, exception e
  WHERE r.id = open.id AND e.id = r.exception_id
  RETURNING r.id, r.exception_id AS "exceptionId", r.idempotency_key AS "idempotencyKey", open.status_from AS "statusFrom", e.plant_id AS "plantId"`;

/** In a Prisma transaction. */
export async function cancelOpenReplays(tx: Prisma.TransactionClient, exceptionIds: string[]): Promise<CancelledReplay[]> {
  if (exceptionIds.length === 0) return [];
  return tx.$queryRawUnsafe<CancelledReplay[]>(SQL, exceptionIds);
}

/** In a pg transaction (ingest's hot path). */
export async function cancelOpenReplaysWithPg(client: PoolClient, exceptionIds: string[]): Promise<CancelledReplay[]> {
  if (exceptionIds.length === 0) return [];
  return (await client.query<CancelledReplay>(SQL, [exceptionIds])).rows;
}

export function cancelledEvents(
  cancelled: CancelledReplay[],
  why: CancelWhy,
  actor: AppendInput<"replay.cancelled">["actor"],
  via: { bulkId?: string } = {},
): AppendInput<AuditEventType>[] {
  return cancelled.map((r) => ({
    type: "replay.cancelled" as const,
    actor,
    plantId: r.plantId,
    subject: { type: "exception", id: r.exceptionId },
    data: { replayId: r.id, idempotencyKey: r.idempotencyKey, statusFrom: r.statusFrom, why, ...via },
  }));
}
