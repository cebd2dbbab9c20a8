import { z } from "zod";
import type { ConnectorPrincipal } from "../connectors/keys";
import { db, pool } from "../db";
import { AppError, notFound } from "../http/errors";
import { loadReplay, settleReplay } from "./deliver-replay";
import { resultSchema } from "./outcome";

/**
 * Pull mode, for plants behind firewalls: the connector leases its replay jobs (long poll; a lease
 * hides a job for the visibility timeout, after which an unreported job can be leased again with the
 * same idempotency key) and reports each outcome. The queue is the replay table itself
 * (FOR UPDATE SKIP LOCKED: concurrent pollers never get the same job).
 */
export const leaseQuerySchema = z.object({
  wait: z.coerce.number().min(0).max(30).default(20),
  max: z.coerce.number().int().min(1).max(50).default(10),
  visibility: z.coerce.number().int().min(2).max(900).default(60),
});

export const MAX_PULL_ATTEMPTS = 8;

export async function leaseReplays(connector: ConnectorPrincipal, query: unknown, signal?: AbortSignal) {
  const { wait, max, visibility } = leaseQuerySchema.parse(query);
  const deadline = Date.now() + wait * 1000;
  for (;;) {
    // Only replays whose exception still expects them (not discarded, not recovered at source), exception
    // rows locked first; replay and exception move to delivering in the same statement.
    const { rows } = await pool().query<{ id: string }>(
      `WITH e AS (
         SELECT x.id FROM exception x
         WHERE x.id IN (SELECT exception_id FROM replay WHERE connector_id = $1 AND mode = 'pull' AND status IN ('QUEUED', 'DELIVERING'))
           AND x.status IN ('REPLAY_QUEUED', 'REPLAYING')
         ORDER BY x.id FOR UPDATE SKIP LOCKED),
       next AS (
         SELECT id FROM replay
         WHERE connector_id = $1 AND mode = 'pull' AND exception_id IN (SELECT id FROM e)
           AND ((status = 'QUEUED' AND (lease_until IS NULL OR lease_until <= now())) OR (status = 'DELIVERING' AND lease_until < now()))
         ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT $2),
       leased AS (
         UPDATE replay r SET status = 'DELIVERING', lease_until = now() + make_interval(secs => $3), leases = r.leases + 1
         FROM next WHERE r.id = next.id RETURNING r.id, r.exception_id),
       moved AS (
         UPDATE exception x SET status = 'REPLAYING', updated_at = now() FROM leased WHERE x.id = leased.exception_id AND x.status = 'REPLAY_QUEUED' RETURNING x.id)
       SELECT id FROM leased`,
      [connector.connectorId, max, visibility],
    );
    if (rows.length) {
      const replays = await db().replay.findMany({
        where: { id: { in: rows.map((r) => r.id) } },
        include: { exception: { include: { transaction: true, interface: true, plant: true } } },
        orderBy: { createdAt: "asc" },
      });
      return replays.map((r) => ({
        replayId: r.id, idempotencyKey: r.idempotencyKey, plantCode: r.exception.plant.code, interface: r.exception.interface.code,
        messageId: r.exception.transaction.messageId, correlationId: r.exception.transaction.correlationId, payload: r.payload, attempt: r.leases,
        leaseUntil: r.leaseUntil?.toISOString() ?? null,
      }));
    }
    if (Date.now() >= deadline || signal?.aborted) return [];
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export { resultSchema };

export async function reportReplayResult(connector: ConnectorPrincipal, replayId: string, input: unknown): Promise<{ status: string }> {
  const outcome = resultSchema.parse(input);
  if (!z.uuid().safeParse(replayId).success) throw notFound("Replay");
  const r = await loadReplay(replayId);
  if (!r || r.connectorId !== connector.connectorId || r.mode !== "pull") throw notFound("Replay");
  // A repeated report, or one for a replay cancelled meanwhile (its exception discarded or recovered at source), changes nothing.
  if (r.status === "SUCCEEDED" || r.status === "FAILED" || r.status === "CANCELLED") return { status: r.status };
  if (r.status !== "DELIVERING") throw new AppError(409, "not_leased", "This replay is not leased: lease it first");
  const result = await settleReplay(r, {
    attempt: r.leases, mode: "pull", outcome, httpStatus: null, durationMs: outcome.durationMs, startedAt: new Date(Date.now() - outcome.durationMs),
    lastAttempt: r.leases >= MAX_PULL_ATTEMPTS,
  });
  return { status: result === "retry" ? "QUEUED" : (await db().replay.findUniqueOrThrow({ where: { id: replayId } })).status };
}
