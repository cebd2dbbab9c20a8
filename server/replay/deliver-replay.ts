import { REPLAY_HEADERS, signReplay } from "../../connectors/sdk/replay-signature";
import { type AppendInput, type AuditEventType, appendManyWithPg } from "../audit";
import { config } from "../config";
import { db, pool } from "../db";
import { logger } from "../log";
import { publishExceptionChange } from "../realtime/live";
import { afterAttempt, gate } from "./circuit";
import { slotTimes } from "./limits";

const log = logger("replay");
const SYSTEM = { type: "system" as const, label: "andon replay" };

export type Outcome = { status: "delivered"; response?: unknown } | { status: "failed"; category: "technical" | "business"; code: string; message: string };

/**
 * One pg-boss job of the replay queue, as the worker hands it over. `attemptsBefore`: attempts made
 * under earlier jobs of the same replay (a job held back by an open circuit is re-sent as a new one
 * with what is left of its retry budget).
 */
export type ReplayJob = { id: string; data: { replayId: string; attemptsBefore?: number }; retryCount: number; retryLimit: number };
/** A job held back by an open circuit: not an attempt, so it must not use up a retry. */
export type Held = { job: ReplayJob; inMs: number };
export type Deliveries = { retry: Map<string, string>; held: Held[] };

/**
 * Delivers a batch of push replays (run by the pg-boss worker). Per target: the circuit breaker may
 * hold its replays back; the rate limit gives each delivery a send slot (shared by every instance);
 * at most `replayConcurrency` requests are in flight. Each delivery is a signed POST with the
 * replay's idempotency key. Outcomes are settled together (one transaction, one audit-chain lock).
 * Returns the jobs to retry (technical trouble before the last attempt) with the reason, which pg-boss
 * retries with backoff (same replay, same key), and the jobs the circuit held back, which the caller
 * re-sends for when the pause ends (deferredReplayJobs) without spending a retry on them.
 */
export async function deliverReplays(jobs: ReplayJob[]): Promise<Deliveries> {
  const retry = new Map<string, string>();
  const held: Held[] = [];
  if (jobs.length === 0) return { retry, held };
  const replays = await loadReplays(jobs.map((j) => j.data.replayId));
  const byId = new Map(replays.map((r) => [r.id, r]));
  // A settled replay (duplicate job) or a pull-mode one is nothing for this worker.
  const work = jobs
    .map((job) => ({ job, r: byId.get(job.data.replayId)! }))
    .filter(({ r }) => r && r.mode === "push" && (r.status === "QUEUED" || r.status === "DELIVERING"));
  const queued = work.filter((w) => w.r.status === "QUEUED").map((w) => w.r.id);
  if (queued.length) {
    // One statement: the replays are being delivered; their exceptions too, unless something else moved them meanwhile.
    await pool().query(
      `WITH r AS (UPDATE replay SET status = 'DELIVERING' WHERE id = ANY($1::uuid[]) AND status = 'QUEUED' RETURNING exception_id)
       UPDATE exception SET status = 'REPLAYING', updated_at = now() WHERE id IN (SELECT exception_id FROM r) AND status = 'REPLAY_QUEUED'`,
      [queued],
    );
  }
  const byConnector = new Map<string, typeof work>();
  for (const w of work) byConnector.set(w.r.connectorId, [...(byConnector.get(w.r.connectorId) ?? []), w]);

  const attempts: AttemptResult[] = [];
  await Promise.all(
    [...byConnector.values()].map(async (group) => {
      const c = group[0]!.r.connector;
      const breaker = gate({ failures: c.replayFailures, pausedUntil: c.replayPausedUntil }, new Date());
      if (breaker.kind === "open") {
        // The target keeps failing: leave it alone until the pause ends. Holding costs no retry.
        for (const w of group) held.push({ job: w.job, inMs: breaker.retryInMs });
        log.info({ connector: c.name, held: group.length, retryInMs: breaker.retryInMs }, "replay target paused (circuit open)");
        return;
      }
      const slots = await reserveSlots(c.id, group.length);
      // The breaker also trips inside a batch: once `threshold` deliveries in a row met technical
      // trouble (the target went down mid-batch), the rest of the batch is held, not sent into it.
      const { ANDON_REPLAY_CIRCUIT_THRESHOLD: threshold, ANDON_REPLAY_CIRCUIT_COOLDOWN_MS: coolDownMs } = config();
      let failingInARow = 0;
      let next = 0;
      const lane = async () => {
        while (next < group.length && failingInARow < threshold) {
          const i = next++;
          const wait = slots[i]! - Date.now();
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const a = await attemptPush(group[i]!.r, group[i]!.job);
          attempts.push(a);
          failingInARow = outcomeKind(a.outcome) === "technical" ? failingInARow + 1 : 0;
        }
      };
      await Promise.all(Array.from({ length: Math.min(c.replayConcurrency, group.length) }, lane));
      if (next < group.length) {
        for (const w of group.slice(next)) held.push({ job: w.job, inMs: coolDownMs });
        log.warn({ connector: c.name, held: group.length - next, failingInARow }, "replay target failing mid-batch: the rest of the batch is held");
      }
    }),
  );
  const results = await settleReplays(attempts);
  attempts.forEach((a, i) => {
    if (results[i] === "retry") {
      const o = a.outcome as { code: string; message: string };
      retry.set(a.jobId!, `${o.code}: ${o.message}`);
    }
  });
  return { retry, held };
}

const isLast = (job: ReplayJob) => job.retryCount >= job.retryLimit;
const outcomeKind = (o: Outcome) => (o.status === "delivered" ? "delivered" : o.category === "technical" ? "technical" : "business") as "delivered" | "technical" | "business";

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

async function attemptPush(r: ReplayRef, job: ReplayJob): Promise<AttemptResult> {
  const e = r.exception;
  const attempt = (job.data.attemptsBefore ?? 0) + job.retryCount + 1;
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
  return { r, jobId: job.id, attempt, mode: "push", outcome, httpStatus, durationMs: Date.now() - started.getTime(), startedAt: started, lastAttempt: isLast(job) };
}

/** What delivering and settling need of a replay (the worker loads it by SQL; pull mode through Prisma). */
export type ReplayRef = {
  id: string; exceptionId: string; connectorId: string; idempotencyKey: string; payload: unknown; mode: string; status: string;
  connector: { id: string; name: string; replayUrl: string | null; replaySecret: string | null; replayFailures: number; replayPausedUntil: Date | null; replayConcurrency: number };
  exception: { plantId: string; plant: { code: string }; interface: { code: string }; transaction: { messageId: string; correlationId: string } };
};

const REPLAY_INCLUDE = { connector: true, exception: { include: { transaction: true, interface: true, plant: true } } } as const;
export function loadReplay(replayId: string) {
  return db().replay.findUnique({ where: { id: replayId }, include: REPLAY_INCLUDE });
}

/** The worker's hot path: a batch of replays with what delivery needs, in one query. */
async function loadReplays(ids: string[]): Promise<ReplayRef[]> {
  const { rows } = await pool().query<{
    id: string; exception_id: string; connector_id: string; idempotency_key: string; payload: unknown; mode: string; status: string; name: string; replay_url: string | null;
    replay_secret: string | null; replay_failures: number; replay_paused_until: Date | null; replay_concurrency: number; plant_id: string; plant_code: string;
    interface_code: string; message_id: string; correlation_id: string;
  }>(
    `SELECT r.id, r.exception_id, r.connector_id, r.idempotency_key, r.payload, r.mode, r.status::text AS status, c.name, c.replay_url, c.replay_secret,
            c.replay_failures, c.replay_paused_until, c.replay_concurrency, e.plant_id, p.code AS plant_code, i.code AS interface_code, t.message_id, t.correlation_id
     FROM replay r JOIN connector c ON c.id = r.connector_id JOIN exception e ON e.id = r.exception_id JOIN plant p ON p.id = e.plant_id
     JOIN interface i ON i.id = e.interface_id JOIN business_transaction t ON t.id = e.transaction_id
     WHERE r.id = ANY($1::uuid[])`,
    [ids],
  );
  return rows.map((r) => ({
    id: r.id, exceptionId: r.exception_id, connectorId: r.connector_id, idempotencyKey: r.idempotency_key, payload: r.payload, mode: r.mode, status: r.status,
    connector: { id: r.connector_id, name: r.name, replayUrl: r.replay_url, replaySecret: r.replay_secret, replayFailures: r.replay_failures, replayPausedUntil: r.replay_paused_until, replayConcurrency: r.replay_concurrency },
    exception: { plantId: r.plant_id, plant: { code: r.plant_code }, interface: { code: r.interface_code }, transaction: { messageId: r.message_id, correlationId: r.correlation_id } },
  }));
}

export type AttemptResult = {
  r: ReplayRef;
  /** The pg-boss job (push mode), to retry it. */
  jobId?: string;
  attempt: number;
  mode: "push" | "pull";
  outcome: Outcome;
  httpStatus: number | null;
  durationMs: number;
  startedAt: Date;
  lastAttempt: boolean;
};

/** Settles one attempt (pull mode reports them one at a time). */
export async function settleReplay(r: ReplayRef, a: Omit<AttemptResult, "r">): Promise<"settled" | "retry"> {
  return (await settleReplays([{ r, ...a }]))[0]!;
}

/**
 * Records attempts' outcomes and settles their replays (both modes): delivered → resolved; business
 * refusal → replay failed; technical → "retry" (push: pg-boss retries; pull: back in the queue after a
 * pause) until the last attempt. The final ones are settled in one transaction with their audit events.
 */
export async function settleReplays(attempts: AttemptResult[]): Promise<("settled" | "retry")[]> {
  if (attempts.length === 0) return [];
  await pool().query(
    `INSERT INTO replay_attempt (id, replay_id, attempt, mode, started_at, duration_ms, outcome, http_status, error_code, error_message, response)
     SELECT gen_random_uuid(), x.replay_id, x.attempt, x.mode, x.started_at, x.duration_ms, x.outcome, x.http_status, x.error_code, x.error_message, x.response
     FROM jsonb_to_recordset($1::jsonb) AS x(replay_id uuid, attempt int, mode text, started_at timestamptz, duration_ms int, outcome text, http_status int,
          error_code text, error_message text, response jsonb)`,
    [JSON.stringify(attempts.map(({ r, outcome, ...a }) => ({
      replay_id: r.id, attempt: a.attempt, mode: a.mode, started_at: a.startedAt.toISOString(), duration_ms: a.durationMs, outcome: outcome.status, http_status: a.httpStatus,
      error_code: outcome.status === "failed" ? outcome.code : null, error_message: outcome.status === "failed" ? outcome.message.slice(0, 2000) : null,
      response: outcome.status === "delivered" && outcome.response !== undefined ? outcome.response : null,
    })))],
  );
  const perConnector = new Map<string, ("delivered" | "technical" | "business")[]>();
  for (const a of attempts) perConnector.set(a.r.connectorId, [...(perConnector.get(a.r.connectorId) ?? []), outcomeKind(a.outcome)]);
  for (const [connectorId, outcomes] of perConnector) await recordCircuit(connectorId, outcomes);

  const results = attempts.map((a) => (outcomeKind(a.outcome) === "technical" && !a.lastAttempt ? "retry" : "settled") as "settled" | "retry");
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
  const ids = final.map((a) => a.r.id);
  const ok = final.map((a) => a.outcome.status === "delivered");
  const client = await pool().connect();
  let changed: ExceptionRow[] = [];
  try {
    await client.query("BEGIN");
    await client.query(
      `UPDATE replay SET status = (CASE WHEN x.ok THEN 'SUCCEEDED' ELSE 'FAILED' END)::replay_status, finished_at = now()
       FROM unnest($1::uuid[], $2::bool[]) AS x(id, ok) WHERE replay.id = x.id`,
      [ids, ok],
    );
    // The replay settles the exception only while it still owns it: if the source delivered the message
    // meanwhile ("recovered at source"), that resolution stands.
    ({ rows: changed } = await client.query<ExceptionRow>(
      `UPDATE exception e SET status = (CASE WHEN x.ok THEN 'RESOLVED' ELSE 'REPLAY_FAILED' END)::exception_status,
              resolved_at = CASE WHEN x.ok THEN now() ELSE e.resolved_at END, resolution = CASE WHEN x.ok THEN 'replayed' ELSE e.resolution END, updated_at = now()
       FROM unnest($1::uuid[], $2::bool[]) AS x(id, ok)
       WHERE e.id = x.id AND e.status IN ('REPLAY_QUEUED', 'REPLAYING')
       RETURNING e.id, e.plant_id AS "plantId", e.transaction_id AS "transactionId", e.status, e.severity, e.category, e.error_code AS "errorCode",
                 e.error_message AS "errorMessage", e.occurrences, e.last_seen_at AS "lastSeenAt"`,
      [final.map((a) => a.r.exceptionId), ok],
    ));
    await appendManyWithPg(
      client,
      final.map((a): AppendInput<AuditEventType> => {
        const delivered = a.outcome.status === "delivered";
        const o = a.outcome as { code?: string; message?: string };
        return {
          type: delivered ? "replay.succeeded" : "replay.failed",
          actor: SYSTEM,
          plantId: a.r.exception.plantId,
          subject: { type: "exception", id: a.r.exceptionId },
          data: { replayId: a.r.id, idempotencyKey: a.r.idempotencyKey, attempts: a.attempt, code: delivered ? null : o.code!, message: delivered ? null : o.message! },
        };
      }),
    );
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  const meta = new Map(final.map((a) => [a.r.exceptionId, a.r.exception]));
  for (const ex of changed) {
    const m = meta.get(ex.id)!;
    publishExceptionChange(ex, m.interface.code, m.transaction.messageId);
  }
  return results;
}

type ExceptionRow = Parameters<typeof publishExceptionChange>[0];

/** Folds a target's outcomes into its breaker under a row lock, so concurrent workers on any instance agree. */
async function recordCircuit(connectorId: string, outcomes: ("delivered" | "technical" | "business")[]): Promise<void> {
  if (!outcomes.includes("technical")) {
    // The target answered: its circuit is closed (one statement, and none at all when it already was).
    await pool().query("UPDATE connector SET replay_failures = 0, replay_paused_until = NULL WHERE id = $1 AND (replay_failures <> 0 OR replay_paused_until IS NOT NULL)", [connectorId]);
    return;
  }
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
