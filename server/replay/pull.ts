import { z } from "zod";
import type { ConnectorPrincipal } from "../connectors/keys";
import { appendManyWithPg } from "../audit";
import { db, withPgTransaction } from "../db";
import { AppError, notFound } from "../http/errors";
import { assertJsonDepth } from "../http/json-depth";
import { loadReplay, settleReplay, toReplaying } from "./deliver-replay";
import { resultSchema } from "./outcome";
import { publishExceptionsById } from "../realtime/exception-live";

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
    const rows = await lease(connector, max, visibility);
    if (rows.length) {
      const replays = await db().replay.findMany({
        where: { id: { in: rows.map((r) => r.id) } },
        include: { exception: { include: { transaction: true, interface: true, plant: true } } },
        orderBy: { createdAt: "asc" },
      });
      return replays.map((r) => ({
        replayId: r.id,
        idempotencyKey: r.idempotencyKey,
        plantCode: r.exception.plant.code,
        interface: r.exception.interface.code,
        messageId: r.exception.transaction.messageId,
        correlationId: r.exception.transaction.correlationId,
        payload: r.payload,
        attempt: r.leases,
        leaseUntil: r.leaseUntil?.toISOString() ?? null,
      }));
    }
    if (Date.now() >= deadline || signal?.aborted) return [];
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * One lease, one transaction: only replays whose exception still expects them (not discarded, not
 * recovered at source), exception rows locked first; the replays move to delivering, their exceptions
 * to replaying through the lifecycle's set-based writer, audited (attributed to the connector) before commit.
 */
async function lease(connector: ConnectorPrincipal, max: number, visibility: number): Promise<{ id: string }[]> {
  const leased = await withPgTransaction(async (client) => {
    const { rows } = await client.query<{ id: string; exception_id: string; idempotency_key: string }>(
      `WITH e AS (
         SELECT x.id FROM exception x
         WHERE x.id IN (SELECT exception_id FROM replay WHERE connector_id = $1 AND mode = 'pull' AND status IN ('QUEUED', 'DELIVERING'))
           AND x.status IN ('REPLAY_QUEUED', 'REPLAYING')
         ORDER BY x.id FOR UPDATE SKIP LOCKED),
       next AS (
         SELECT id FROM replay
         WHERE connector_id = $1 AND mode = 'pull' AND exception_id IN (SELECT id FROM e)
           AND ((status = 'QUEUED' AND (lease_until IS NULL OR lease_until <= now())) OR (status = 'DELIVERING' AND lease_until < now()))
         ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT $2)
       UPDATE replay r SET status = 'DELIVERING', lease_until = now() + make_interval(secs => $3), leases = r.leases + 1
       FROM next WHERE r.id = next.id RETURNING r.id, r.exception_id, r.idempotency_key`,
      [connector.connectorId, max, visibility],
    );
    if (rows.length === 0) return { rows: [], moved: [] };
    const actor = { type: "connector" as const, id: connector.connectorId, label: connector.connectorName };
    const { moved, events } = await toReplaying(
      client,
      rows.map((r) => ({ id: r.id, exceptionId: r.exception_id, idempotencyKey: r.idempotency_key })),
      "pull",
      actor,
    );
    await appendManyWithPg(client, events);
    return { rows, moved: moved.map((m) => m.id) };
  });
  await publishExceptionsById(leased.moved);
  return leased.rows;
}

export { resultSchema };

export async function reportReplayResult(connector: ConnectorPrincipal, replayId: string, input: unknown): Promise<{ status: string }> {
  // The route's body reader refuses deep JSON already; this guards other callers (details and response are stored and hashed).
  const outcome = resultSchema.parse(assertJsonDepth(input, "The report"));
  if (!z.uuid().safeParse(replayId).success) throw notFound("Replay");
  const r = await loadReplay(replayId);
  if (!r || r.connectorId !== connector.connectorId || r.mode !== "pull") throw notFound("Replay");
  // A repeated report, or one for a replay cancelled meanwhile (its exception discarded or recovered at source), changes nothing.
  if (r.status === "SUCCEEDED" || r.status === "FAILED" || r.status === "CANCELLED") return { status: r.status };
  if (r.status !== "DELIVERING") throw new AppError(409, "not_leased", "This replay is not leased: lease it first");
  const result = await settleReplay(r, {
    attempt: r.leases,
    mode: "pull",
    outcome,
    httpStatus: null,
    durationMs: outcome.durationMs,
    startedAt: new Date(Date.now() - outcome.durationMs),
    lastAttempt: r.leases >= MAX_PULL_ATTEMPTS,
  });
  return { status: result === "retry" ? "QUEUED" : (await db().replay.findUniqueOrThrow({ where: { id: replayId } })).status };
}
