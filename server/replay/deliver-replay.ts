import { REPLAY_HEADERS, signReplay } from "../../connectors/sdk/replay-signature";
import { type AppendInput, type AuditEventType, appendMany } from "../audit";
import { config } from "../config";
import { Prisma, db, pool } from "../db";
import { logger } from "../log";
import { publishExceptionChange } from "../realtime/live";
import { afterAttempt, gate } from "./circuit";
import { slotTimes } from "./limits";

const log = logger("replay");
const SYSTEM = { type: "system" as const, label: "andon replay" };

export type Outcome = { status: "delivered"; response?: unknown } | { status: "failed"; category: "technical" | "business"; code: string; message: string };

/** One pg-boss job of the replay queue, as the worker hands it over. */
export type ReplayJob = { id: string; data: { replayId: string }; retryCount: number; retryLimit: number };

/**
 * Delivers a batch of push replays (run by the pg-boss worker). Per target: the circuit breaker may
 * hold its replays back; the rate limit gives each delivery a send slot (shared by every instance);
 * at most `replayConcurrency` requests are in flight. Each delivery is a signed POST with the
 * replay's idempotency key. Outcomes are settled together (one transaction, one audit-chain lock).
 * Returns the jobs to retry (technical trouble before the last attempt) with the reason; pg-boss
 * retries those with backoff (same replay, same key) and completes the rest.
 */
export async function deliverReplays(jobs: ReplayJob[]): Promise<Map<string, string>> {
  const retry = new Map<string, string>();
  if (jobs.length === 0) return retry;
  const replays = await db().replay.findMany({ where: { id: { in: jobs.map((j) => j.data.replayId) } }, include: REPLAY_INCLUDE });
  const byId = new Map(replays.map((r) => [r.id, r]));
  // A settled replay (duplicate job) or a pull-mode one is nothing for this worker.
  const work = jobs
    .map((job) => ({ job, r: byId.get(job.data.replayId)! }))
    .filter(({ r }) => r && r.mode === "push" && (r.status === "QUEUED" || r.status === "DELIVERING"));
  const queued = work.filter((w) => w.r.status === "QUEUED").map((w) => w.r);
  if (queued.length) {
    await db().$transaction([
      db().replay.updateMany({ where: { id: { in: queued.map((r) => r.id) }, status: "QUEUED" }, data: { status: "DELIVERING" } }),
      // Only exceptions nothing else moved meanwhile (e.g. recovered at source).
      db().exception.updateMany({ where: { id: { in: queued.map((r) => r.exceptionId) }, status: "REPLAY_QUEUED" }, data: { status: "REPLAYING" } }),
    ]);
  }
  const byConnector = new Map<string, typeof work>();
  for (const w of work) byConnector.set(w.r.connectorId, [...(byConnector.get(w.r.connectorId) ?? []), w]);

  const attempts: AttemptResult[] = [];
  await Promise.all(
    [...byConnector.values()].map(async (group) => {
      const c = group[0]!.r.connector;
      const breaker = gate({ failures: c.replayFailures, pausedUntil: c.replayPausedUntil }, new Date());
      let send = group;
      if (breaker.kind === "open") {
        // The target keeps failing: leave it alone until the pause ends (a last attempt still goes out).
        for (const w of group) if (!isLast(w.job)) retry.set(w.job.id, `circuit open for ${c.name} (retry in ${Math.ceil(breaker.retryInMs / 1000)} s)`);
        send = group.filter((w) => isLast(w.job));
        if (send.length < group.length) log.info({ connector: c.name, held: group.length - send.length, retryInMs: breaker.retryInMs }, "replay target paused (circuit open)");
      }
      if (send.length === 0) return;
      const slots = await reserveSlots(c.id, send.length);
      let next = 0;
      const lane = async () => {
        while (next < send.length) {
          const i = next++;
          const wait = slots[i]! - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          attempts.push(await attemptPush(send[i]!.r, send[i]!.job));
        }
      };
      await Promise.all(Array.from({ length: Math.min(c.replayConcurrency, send.length) }, lane));
    }),
  );
  const results = await settleReplays(attempts);
  attempts.forEach((a, i) => {
    if (results[i] === "retry") {
      const o = a.outcome as { code: string; message: string };
      retry.set(jobOf(a), `${o.code}: ${o.message}`);
    }
  });
  return retry;
}

const isLast = (job: ReplayJob) => job.retryCount >= job.retryLimit;
const jobIds = new WeakMap<AttemptResult, string>();
const jobOf = (a: AttemptResult) => jobIds.get(a)!;

/** Rate limit (GCRA): one statement reserves n consecutive send slots of 1/rate s on the target. */
async function reserveSlots(connectorId: string, n: number): Promise<number[]> {
  const { rows } = await pool().query<{ first: Date; rate: number; db_now: Date }>(
    `UPDATE connector SET replay_next_slot_at = greatest(coalesce(replay_next_slot_at, now()), now()) + make_interval(secs => $2::float8 / replay_rate_per_sec)
     WHERE id = $1 RETURNING replay_next_slot_at - make_interval(secs => $2::float8 / replay_rate_per_sec) AS first, replay_rate_per_sec AS rate, now() AS db_now`,
    [connectorId, n],
  );
  const row = rows[0];
  if (!row) return Array.from({ length: n }, () => 0);
  // The database clock decided the slots (so every instance shares them); read them on this process's clock.
  return slotTimes(row.first.getTime() - row.db_now.getTime() + Date.now(), row.rate, n);
}

async function attemptPush(r: LoadedReplay, job: ReplayJob): Promise<AttemptResult> {
  const e = r.exception;
  const attempt = job.retryCount + 1;
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
  const result: AttemptResult = { r, attempt, mode: "push", outcome, httpStatus, durationMs: Date.now() - started.getTime(), startedAt: started, lastAttempt: isLast(job) };
  jobIds.set(result, job.id);
  return result;
}

const REPLAY_INCLUDE = { connector: true, exception: { include: { transaction: true, interface: true, plant: true } } } as const;
type LoadedReplay = NonNullable<Awaited<ReturnType<typeof loadReplay>>>;
export function loadReplay(replayId: string) {
  return db().replay.findUnique({ where: { id: replayId }, include: REPLAY_INCLUDE });
}

export type AttemptResult = {
  r: LoadedReplay;
  attempt: number;
  mode: "push" | "pull";
  outcome: Outcome;
  httpStatus: number | null;
  durationMs: number;
  startedAt: Date;
  lastAttempt: boolean;
};

/** Settles one attempt (pull mode reports them one at a time). */
export async function settleReplay(r: LoadedReplay, a: Omit<AttemptResult, "r">): Promise<"settled" | "retry"> {
  return (await settleReplays([{ r, ...a }]))[0]!;
}

/**
 * Records attempts' outcomes and settles their replays (both modes): delivered → resolved; business
 * refusal → replay failed; technical → "retry" (push: pg-boss retries; pull: back in the queue after a
 * pause) until the last attempt. The final ones are settled in one transaction with their audit events.
 */
export async function settleReplays(attempts: AttemptResult[]): Promise<("settled" | "retry")[]> {
  if (attempts.length === 0) return [];
  await db().replayAttempt.createMany({
    data: attempts.map(({ r, outcome, ...a }) => ({
      replayId: r.id, attempt: a.attempt, mode: a.mode, startedAt: a.startedAt, durationMs: a.durationMs, outcome: outcome.status, httpStatus: a.httpStatus,
      errorCode: outcome.status === "failed" ? outcome.code : null, errorMessage: outcome.status === "failed" ? outcome.message.slice(0, 2000) : null,
      response: outcome.status === "delivered" && outcome.response !== undefined ? (outcome.response as Prisma.InputJsonValue) : Prisma.DbNull,
    })),
  });
  const kind = (o: Outcome) => (o.status === "delivered" ? "delivered" : o.category === "technical" ? "technical" : "business") as "delivered" | "technical" | "business";
  const perConnector = new Map<string, ("delivered" | "technical" | "business")[]>();
  for (const a of attempts) perConnector.set(a.r.connectorId, [...(perConnector.get(a.r.connectorId) ?? []), kind(a.outcome)]);
  for (const [connectorId, outcomes] of perConnector) await recordCircuit(connectorId, outcomes);

  const results = attempts.map((a) => (kind(a.outcome) === "technical" && !a.lastAttempt ? "retry" : "settled") as "settled" | "retry");
  for (const [i, a] of attempts.entries()) {
    if (results[i] !== "retry") continue;
    const o = a.outcome as { code: string; message: string };
    log.warn({ replayId: a.r.id, attempt: a.attempt, mode: a.mode, code: o.code, message: o.message }, "replay attempt failed (technical), will retry");
    if (a.mode === "pull") {
      await db().replay.update({ where: { id: a.r.id }, data: { status: "QUEUED", leaseUntil: new Date(Date.now() + Math.min(60_000, 2000 * 2 ** (a.attempt - 1))) } });
    }
  }
  const final = attempts.filter((_, i) => results[i] === "settled");
  if (final.length === 0) return results;
  const delivered = final.filter((a) => a.outcome.status === "delivered");
  const failed = final.filter((a) => a.outcome.status !== "delivered");
  const now = new Date();
  const updated = await db().$transaction(async (tx) => {
    await tx.replay.updateMany({ where: { id: { in: delivered.map((a) => a.r.id) } }, data: { status: "SUCCEEDED", finishedAt: now } });
    await tx.replay.updateMany({ where: { id: { in: failed.map((a) => a.r.id) } }, data: { status: "FAILED", finishedAt: now } });
    // The replay settles the exception only while it still owns it: if the source delivered the message
    // meanwhile ("recovered at source"), that resolution stands.
    const owned = ["REPLAY_QUEUED", "REPLAYING"] as const;
    await tx.exception.updateMany({ where: { id: { in: delivered.map((a) => a.r.exceptionId) }, status: { in: [...owned] } }, data: { status: "RESOLVED", resolvedAt: now, resolution: "replayed" } });
    await tx.exception.updateMany({ where: { id: { in: failed.map((a) => a.r.exceptionId) }, status: { in: [...owned] } }, data: { status: "REPLAY_FAILED" } });
    await appendMany(
      tx,
      final.map((a): AppendInput<AuditEventType> => {
        const ok = a.outcome.status === "delivered";
        const o = a.outcome as { code?: string; message?: string };
        return {
          type: ok ? "replay.succeeded" : "replay.failed",
          actor: SYSTEM,
          plantId: a.r.exception.plantId,
          subject: { type: "exception", id: a.r.exceptionId },
          data: { replayId: a.r.id, idempotencyKey: a.r.idempotencyKey, attempts: a.attempt, code: ok ? null : o.code!, message: ok ? null : o.message! },
        };
      }),
    );
    return tx.exception.findMany({ where: { id: { in: final.map((a) => a.r.exceptionId) } } });
  });
  const meta = new Map(final.map((a) => [a.r.exceptionId, a.r.exception]));
  for (const ex of updated) {
    const m = meta.get(ex.id)!;
    publishExceptionChange(ex, m.interface.code, m.transaction.messageId);
  }
  return results;
}

/** Folds a target's outcomes into its breaker under a row lock, so concurrent workers on any instance agree. */
async function recordCircuit(connectorId: string, outcomes: ("delivered" | "technical" | "business")[]): Promise<void> {
  const cfg = config();
  const policy = { threshold: cfg.ANDON_REPLAY_CIRCUIT_THRESHOLD, coolDownMs: cfg.ANDON_REPLAY_CIRCUIT_COOLDOWN_MS, maxCoolDownMs: 15 * cfg.ANDON_REPLAY_CIRCUIT_COOLDOWN_MS };
  await db().$transaction(async (tx) => {
    const [c] = await tx.$queryRaw<{ replay_failures: number; replay_paused_until: Date | null }[]>`
      SELECT replay_failures, replay_paused_until FROM connector WHERE id = ${connectorId}::uuid FOR UPDATE`;
    if (!c) return;
    const now = new Date();
    const next = outcomes.reduce((s, o) => afterAttempt(s, o, now, policy), { failures: c.replay_failures, pausedUntil: c.replay_paused_until });
    if (next.failures === c.replay_failures && next.pausedUntil?.getTime() === c.replay_paused_until?.getTime()) return;
    if (next.pausedUntil && next.pausedUntil.getTime() !== c.replay_paused_until?.getTime()) log.warn({ connectorId, failures: next.failures, pausedUntil: next.pausedUntil }, "replay target paused (circuit open)");
    await tx.connector.update({ where: { id: connectorId }, data: { replayFailures: next.failures, replayPausedUntil: next.pausedUntil } });
  });
}
