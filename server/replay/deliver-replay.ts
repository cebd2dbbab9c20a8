import { REPLAY_HEADERS, signReplay } from "../../connectors/sdk/replay-signature";
import { append } from "../audit";
import { config } from "../config";
import { afterAttempt, gate } from "./circuit";
import { Prisma, db } from "../db";
import { logger } from "../log";
import { publishExceptionChange } from "../realtime/live";

const log = logger("replay");
const SYSTEM = { type: "system" as const, label: "andon replay" };

export type Outcome = { status: "delivered"; response?: unknown } | { status: "failed"; category: "technical" | "business"; code: string; message: string };

export class RetryableReplayError extends Error {}

/**
 * One delivery attempt of a replay (run by a pg-boss worker). Push: a signed POST with the
 * replay's idempotency key to the connector's replay endpoint. Delivered → exception resolved;
 * business refusal → replay failed, back to the operators; technical trouble → thrown, so pg-boss
 * retries with backoff (same key), and after the last retry the replay is failed.
 */
export async function deliverReplay(replayId: string, attempt: number, lastAttempt: boolean): Promise<void> {
  const r = await loadReplay(replayId);
  if (!r || r.status === "SUCCEEDED" || r.status === "FAILED") return; // already settled: a duplicate job is harmless
  const e = r.exception;
  if (r.status === "QUEUED") {
    await db().$transaction([
      db().replay.update({ where: { id: r.id }, data: { status: "DELIVERING" } }),
      // Only if nothing else moved it meanwhile (e.g. recovered at source).
      db().exception.updateMany({ where: { id: e.id, status: "REPLAY_QUEUED" }, data: { status: "REPLAYING" } }),
    ]);
  }
  // Circuit breaker: a target that keeps failing technically is left alone for a while.
  const breaker = gate({ failures: r.connector.replayFailures, pausedUntil: r.connector.replayPausedUntil }, new Date());
  if (breaker.kind === "open" && !lastAttempt) {
    log.info({ replayId, connector: r.connector.name, retryInMs: breaker.retryInMs }, "replay target paused (circuit open); will retry");
    throw new RetryableReplayError(`circuit open for ${r.connector.name}`);
  }
  const body = JSON.stringify({
    replayId: r.id, idempotencyKey: r.idempotencyKey, plantCode: e.plant.code, interface: e.interface.code, messageId: e.transaction.messageId,
    correlationId: e.transaction.correlationId, payload: r.payload, attempt,
  });
  const ts = Math.floor(Date.now() / 1000);
  const started = new Date();
  let outcome: Outcome;
  let httpStatus: number | null = null;
  try {
    const res = await fetch(r.connector.replayUrl!, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [REPLAY_HEADERS.idempotencyKey]: r.idempotencyKey,
        [REPLAY_HEADERS.timestamp]: String(ts),
        [REPLAY_HEADERS.signature]: signReplay(r.connector.replaySecret!, ts, body),
      },
      body,
      signal: AbortSignal.timeout(60_000),
    });
    httpStatus = res.status;
    outcome = res.ok
      ? ((await res.json()) as Outcome)
      : { status: "failed", category: "technical", code: `HTTP-${res.status}`, message: `Connector answered ${res.status}: ${(await res.text().catch(() => "")).slice(0, 500)}` };
  } catch (err) {
    outcome = { status: "failed", category: "technical", code: "CONNECTOR_UNREACHABLE", message: (err as Error).message };
  }
  const durationMs = Date.now() - started.getTime();
  const result = await settleReplay(r, { attempt, mode: "push", outcome, httpStatus, durationMs, startedAt: started, lastAttempt });
  if (result === "retry") throw new RetryableReplayError(`${(outcome as { code: string }).code}: ${(outcome as { message: string }).message}`);
}

type LoadedReplay = NonNullable<Awaited<ReturnType<typeof loadReplay>>>;
export function loadReplay(replayId: string) {
  return db().replay.findUnique({ where: { id: replayId }, include: { connector: true, exception: { include: { transaction: true, interface: true, plant: true } } } });
}

/**
 * Records an attempt's outcome and settles the replay (both modes): delivered → resolved; business
 * refusal → replay failed; technical → "retry" (push: pg-boss retries; pull: back in the queue after a
 * pause) until the last attempt.
 */
export async function settleReplay(
  r: LoadedReplay,
  a: { attempt: number; mode: "push" | "pull"; outcome: Outcome; httpStatus: number | null; durationMs: number; startedAt: Date; lastAttempt: boolean },
): Promise<"settled" | "retry"> {
  const { outcome } = a;
  const e = r.exception;
  await db().replayAttempt.create({
    data: {
      replayId: r.id, attempt: a.attempt, mode: a.mode, startedAt: a.startedAt, durationMs: a.durationMs, outcome: outcome.status, httpStatus: a.httpStatus,
      errorCode: outcome.status === "failed" ? outcome.code : null, errorMessage: outcome.status === "failed" ? outcome.message.slice(0, 2000) : null,
      response: outcome.status === "delivered" && outcome.response !== undefined ? (outcome.response as Prisma.InputJsonValue) : Prisma.DbNull,
    },
  });
  const technical = outcome.status === "failed" && outcome.category === "technical";
  await recordCircuit(r.connectorId, outcome.status === "delivered" ? "delivered" : technical ? "technical" : "business");
  if (technical && !a.lastAttempt) {
    log.warn({ replayId: r.id, attempt: a.attempt, mode: a.mode, code: (outcome as { code: string }).code, message: (outcome as { message: string }).message }, "replay attempt failed (technical), will retry");
    if (a.mode === "pull") {
      await db().replay.update({ where: { id: r.id }, data: { status: "QUEUED", leaseUntil: new Date(Date.now() + Math.min(60_000, 2000 * 2 ** (a.attempt - 1))) } });
    }
    return "retry";
  }
  const delivered = outcome.status === "delivered";
  const attempt = a.attempt;
  const updated = await db().$transaction(async (tx) => {
    await tx.replay.update({ where: { id: r.id }, data: { status: delivered ? "SUCCEEDED" : "FAILED", finishedAt: new Date() } });
    // The replay settles the exception only while it still owns it: if the source delivered the message
    // meanwhile ("recovered at source"), that resolution stands.
    await tx.exception.updateMany({
      where: { id: e.id, status: { in: ["REPLAY_QUEUED", "REPLAYING"] } },
      data: delivered ? { status: "RESOLVED", resolvedAt: new Date(), resolution: "replayed" } : { status: "REPLAY_FAILED" },
    });
    const ex = await tx.exception.findUniqueOrThrow({ where: { id: e.id } });
    await append(tx, {
      type: delivered ? "replay.succeeded" : "replay.failed",
      actor: SYSTEM,
      plantId: e.plantId,
      subject: { type: "exception", id: e.id },
      data: { replayId: r.id, idempotencyKey: r.idempotencyKey, attempts: attempt, code: delivered ? null : (outcome as { code: string }).code, message: delivered ? null : (outcome as { message: string }).message },
    });
    return ex;
  });
  publishExceptionChange(updated, e.interface.code, e.transaction.messageId);
  return "settled";
}

/** Updates the target's breaker under a row lock, so concurrent workers on any instance agree. */
async function recordCircuit(connectorId: string, outcome: "delivered" | "technical" | "business"): Promise<void> {
  const cfg = config();
  const policy = { threshold: cfg.ANDON_REPLAY_CIRCUIT_THRESHOLD, coolDownMs: cfg.ANDON_REPLAY_CIRCUIT_COOLDOWN_MS, maxCoolDownMs: 15 * cfg.ANDON_REPLAY_CIRCUIT_COOLDOWN_MS };
  await db().$transaction(async (tx) => {
    const [c] = await tx.$queryRaw<{ replay_failures: number; replay_paused_until: Date | null }[]>`
      SELECT replay_failures, replay_paused_until FROM connector WHERE id = ${connectorId}::uuid FOR UPDATE`;
    if (!c) return;
    const next = afterAttempt({ failures: c.replay_failures, pausedUntil: c.replay_paused_until }, outcome, new Date(), policy);
    if (next.pausedUntil && next.pausedUntil.getTime() !== c.replay_paused_until?.getTime()) log.warn({ connectorId, failures: next.failures, pausedUntil: next.pausedUntil }, "replay target paused (circuit open)");
    await tx.connector.update({ where: { id: connectorId }, data: { replayFailures: next.failures, replayPausedUntil: next.pausedUntil } });
  });
}
