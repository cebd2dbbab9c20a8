import type { PoolClient } from "pg";
import { REPLAY_HEADERS, signReplay } from "../../connectors/sdk/replay-signature";
import { type AppendInput, appendManyWithPg } from "../audit";
import { config } from "../config";
import { type Lapse, approvalLapse, withdrawLapsedApproval } from "../corrections/approval-standing";
import { db, pool, withPgTransaction } from "../db";
import { transitionExceptionsWithPg } from "../exceptions/transition";
import { OutboundRefused, outboundRequest } from "../net/outbound";
import { cancelOpenReplaysWithPg, cancelledEvents } from "./cancel-replays";
import { withdrawLapsedReplayApproval } from "./withdraw-lapsed-replay-approval";
import { type Outcome, outcomeKind, parsePushAnswer, technical } from "./outcome";
import { logger } from "../log";
import { publishExceptionsById } from "../realtime/exception-live";
import { publishExceptionChange } from "../realtime/live";
import { afterAttempt, gate } from "./circuit";
import { releaseDependentsWithPg } from "../dependencies/release";
import { slotTimes } from "./limits";

const log = logger("replay");
const SYSTEM = { type: "system" as const, label: "andon replay" };

export type { Outcome };

/**
 * One pg-boss job of the replay queue, as the worker hands it over. `attemptsBefore`: attempts made
 * under earlier jobs of the same replay (a job held back by an open circuit is re-sent as a new one
 * with what is left of its retry budget).
 */
export type ReplayJob = { id: string; data: { replayId: string; attemptsBefore?: number }; retryCount: number; retryLimit: number };
/** A job held back (open circuit, or the batch's time budget spent): not an attempt, so it must not use up a retry. */
export type Held = { job: ReplayJob; inMs: number };
export type Deliveries = { retry: Map<string, string>; held: Held[] };

/** Exception statuses that still expect their replay to be sent. */
const EXPECTING = "('REPLAY_QUEUED', 'REPLAYING')";

/**
 * Delivers a batch of push replays (run by the pg-boss worker). Only replays whose exception still
 * expects them are claimed; one whose correction's approver lost the right to approve is withdrawn.
 * Per target: the circuit breaker may hold its replays back; the rate limit gives each delivery a send
 * slot (shared by every instance); at most `replayConcurrency` requests are in flight. Before each
 * attempt the replay is checked to be still wanted. Each delivery is a signed POST with the replay's
 * idempotency key, through the outbound guard; its answer is validated, and anything unexpected is a
 * technical failure of that delivery only. Every target gets the same time budget (half the job's
 * expiry to start deliveries, a quarter as request timeout), so one slow target cannot keep the
 * batch past its expiry and have it run twice; what is left is held, not failed.
 * Outcomes are settled together (one transaction, guarded by status). Returns the jobs to retry
 * (technical trouble before the last attempt) with the reason, which pg-boss retries with backoff
 * (same replay, same key), and the jobs held back, which the caller re-sends (deferredReplayJobs)
 * without spending a retry on them.
 */
export async function deliverReplays(jobs: ReplayJob[]): Promise<Deliveries> {
  const retry = new Map<string, string>();
  const held: Held[] = [];
  if (jobs.length === 0) return { retry, held };
  const startedAt = Date.now();
  const expireMs = config().ANDON_REPLAY_JOB_EXPIRE_S * 1000;
  const budget = { sendUntil: startedAt + expireMs / 2, requestTimeoutMs: Math.min(60_000, expireMs / 4) };

  const ids = jobs.map((j) => j.data.replayId);
  // Pages following these exceptions see them move to replaying (and later to their outcome) without a reload.
  await publishExceptionsById(await claim(ids));
  const replays = await loadReplays(ids);
  const byId = new Map(replays.map((r) => [r.id, r]));
  // A settled or cancelled replay (duplicate job), a pull-mode one, or one whose exception moved on is nothing for this worker.
  let work = jobs
    .map((job) => ({ job, r: byId.get(job.data.replayId)! }))
    .filter(({ r }) => r && r.mode === "push" && r.status === "DELIVERING" && r.exceptionStatus === "REPLAYING");
  const unwanted = replays.filter(
    (r) =>
      r.mode === "push" && (r.status === "QUEUED" || r.status === "DELIVERING") && r.exceptionStatus !== "REPLAYING" && r.exceptionStatus !== "REPLAY_QUEUED",
  );
  if (unwanted.length) await cancelUnwanted(unwanted.map((r) => r.id));
  work = await withStandingApprovals(work);

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
      let outOfTime = false;
      let next = 0;
      const lane = async () => {
        while (next < group.length && failingInARow < threshold) {
          const wait = slots[next]! - Date.now();
          // No delivery starts after the budget: it could end past the job's expiry.
          if (Date.now() + Math.max(0, wait) > budget.sendUntil) {
            outOfTime = true;
            return;
          }
          const i = next++;
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
          const a = await attemptIfWanted(group[i]!.r, group[i]!.job, budget.requestTimeoutMs);
          if (!a) continue;
          attempts.push(a);
          failingInARow = outcomeKind(a.outcome) === "technical" ? failingInARow + 1 : 0;
        }
      };
      await Promise.all(Array.from({ length: Math.min(c.replayConcurrency, group.length) }, lane));
      if (next < group.length) {
        const inMs = outOfTime ? 1000 : coolDownMs;
        for (const w of group.slice(next)) held.push({ job: w.job, inMs });
        log.warn(
          { connector: c.name, held: group.length - next, failingInARow, outOfTime },
          "replay batch held back: target failing mid-batch or the batch's time budget spent",
        );
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

/**
 * Claims queued replays for delivery, only where their exception still expects them, in one
 * transaction: exception rows locked first (the order every writer of both uses), the replays move to
 * delivering, their exceptions to replaying through the lifecycle's set-based writer, audited there.
 * Returns the exceptions that moved.
 */
async function claim(ids: string[]): Promise<string[]> {
  return withPgTransaction(async (client) => {
    const { rows } = await client.query<{ id: string; exception_id: string; idempotency_key: string }>(
      `WITH e AS (
         SELECT x.id FROM exception x WHERE x.id IN (SELECT exception_id FROM replay WHERE id = ANY($1::uuid[]) AND status = 'QUEUED')
           AND x.status IN ${EXPECTING} ORDER BY x.id FOR UPDATE)
       UPDATE replay SET status = 'DELIVERING' WHERE id = ANY($1::uuid[]) AND status = 'QUEUED' AND exception_id IN (SELECT id FROM e)
       RETURNING id, exception_id, idempotency_key`,
      [ids],
    );
    const { moved, events } = await toReplaying(
      client,
      rows.map((r) => ({ id: r.id, exceptionId: r.exception_id, idempotencyKey: r.idempotency_key })),
      "push",
      SYSTEM,
    );
    await appendManyWithPg(client, events);
    return moved.map((m) => m.id);
  });
}

/**
 * Moves the exceptions of replays just taken up for delivery (push claim, pull lease) from replay
 * queued to replaying, with one "replay.delivering" event each; the caller appends them last.
 * An exception already replaying (a pull lease taken again) does not move and is not audited again.
 */
export async function toReplaying(
  client: PoolClient,
  replays: { id: string; exceptionId: string; idempotencyKey: string }[],
  mode: "push" | "pull",
  actor: AppendInput<"replay.delivering">["actor"],
) {
  const byException = new Map(replays.map((r) => [r.exceptionId, r]));
  return transitionExceptionsWithPg(client, {
    moves: replays.map((r) => ({ id: r.exceptionId, to: "REPLAYING" })),
    from: ["REPLAY_QUEUED"],
    audit: (m): AppendInput<"replay.delivering"> => {
      const r = byException.get(m.id)!;
      return {
        type: "replay.delivering",
        actor,
        plantId: m.plantId,
        subject: { type: "exception", id: m.id },
        data: { replayId: r.id, idempotencyKey: r.idempotencyKey, mode, statusFrom: m.statusFrom, statusTo: m.status },
      };
    },
  });
}

/** Replays whose exception moved on without cancelling them (a backstop: every such path cancels in its own transaction). */
async function cancelUnwanted(replayIds: string[]): Promise<void> {
  await withPgTransaction(async (client) => {
    const { rows } = await client.query<{ exception_id: string }>(
      `SELECT r.exception_id FROM replay r JOIN exception e ON e.id = r.exception_id
       WHERE r.id = ANY($1::uuid[]) AND r.status IN ('QUEUED', 'DELIVERING') AND e.status NOT IN ${EXPECTING} ORDER BY e.id FOR UPDATE OF e`,
      [replayIds],
    );
    const cancelled = await cancelOpenReplaysWithPg(
      client,
      rows.map((r) => r.exception_id),
    );
    if (cancelled.length) {
      await appendManyWithPg(client, cancelledEvents(cancelled, "no_longer_wanted", SYSTEM));
      log.warn({ replays: cancelled.map((c) => c.id) }, "replays cancelled: their exceptions no longer expect them");
    }
  });
}

/** A replay of a correction is sent only while its approver may still approve it (checked once per batch and approver). */
async function withStandingApprovals<W extends { r: ReplayRef }>(work: W[]): Promise<W[]> {
  const approved = work.filter((w) => w.r.correction || w.r.request);
  if (approved.length === 0) return work;
  const lapses = new Map<string, Lapse | null>();
  const keep: W[] = [];
  for (const w of work) {
    const q = w.r.request;
    if (q) {
      // Approved through a replay request: its approver must still be entitled to approve replays here.
      const key = `replay|${q.approverId}|${w.r.exception.plantId}|${q.requesterId}`;
      if (!lapses.has(key))
        lapses.set(key, await approvalLapse({ approverId: q.approverId, authorId: q.requesterId }, w.r.exception.plantId, "replay.approve"));
      const lapse = lapses.get(key)!;
      if (lapse) {
        try {
          await db().$transaction((tx) =>
            withdrawLapsedReplayApproval(tx, { requestId: q.id, exceptionId: w.r.exceptionId, plantId: w.r.exception.plantId, why: lapse }),
          );
          log.warn({ replayId: w.r.id, replayRequestId: q.id, lapse }, "replay withdrawn: the approval of its request lapsed; asked again");
          await publishExceptionsById([w.r.exceptionId]);
        } catch (err) {
          log.warn({ err, replayId: w.r.id }, "replay with a lapsed approval not sent (its exception moved meanwhile)");
        }
        continue;
      }
    }
    const c = w.r.correction;
    if (!c) {
      keep.push(w);
      continue;
    }
    const key = `${c.approverId}|${w.r.exception.plantId}|${c.authorId}`;
    if (!lapses.has(key)) lapses.set(key, await approvalLapse(c, w.r.exception.plantId));
    const lapse = lapses.get(key)!;
    if (!lapse) {
      keep.push(w);
      continue;
    }
    try {
      await db().$transaction((tx) =>
        withdrawLapsedApproval(tx, {
          correctionId: c.id,
          approverId: c.approverId!,
          payloadHash: c.payloadHash,
          exceptionId: w.r.exceptionId,
          exceptionStatus: "REPLAYING",
          plantId: w.r.exception.plantId,
          why: lapse,
        }),
      );
      log.warn({ replayId: w.r.id, correctionId: c.id, lapse }, "replay withdrawn: its approval lapsed");
      await publishExceptionsById([w.r.exceptionId]);
    } catch (err) {
      log.warn({ err, replayId: w.r.id }, "replay with a lapsed approval not sent (its exception moved meanwhile)");
    }
  }
  return keep;
}

/** Is this replay still wanted right now (not cancelled, settled elsewhere, or its exception moved on)? */
async function stillWanted(replayId: string): Promise<boolean> {
  const { rows } = await pool().query(
    `SELECT 1 FROM replay r JOIN exception e ON e.id = r.exception_id WHERE r.id = $1 AND r.status = 'DELIVERING' AND e.status = 'REPLAYING'`,
    [replayId],
  );
  return rows.length === 1;
}

/** One delivery, unless the replay stopped being wanted since the batch began; never throws. */
async function attemptIfWanted(r: ReplayRef, job: ReplayJob, timeoutMs: number): Promise<AttemptResult | null> {
  try {
    if (!(await stillWanted(r.id))) {
      log.info({ replayId: r.id }, "replay no longer wanted: not sent");
      return null;
    }
    return await attemptPush(r, job, timeoutMs);
  } catch (err) {
    // Contained: one delivery's trouble is that delivery's technical failure, not the batch's.
    log.error({ err, replayId: r.id }, "replay delivery failed unexpectedly");
    const attempt = (job.data.attemptsBefore ?? 0) + job.retryCount + 1;
    return {
      r,
      jobId: job.id,
      attempt,
      mode: "push",
      outcome: technical("DELIVERY_ERROR", (err as Error).message ?? String(err)),
      httpStatus: null,
      durationMs: 0,
      startedAt: new Date(),
      lastAttempt: isLast(job),
    };
  }
}

const isLast = (job: ReplayJob) => job.retryCount >= job.retryLimit;

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

/** What a push answer may carry back into the database and the exception page. */
const MAX_ANSWER_BYTES = 64 * 1024;

async function attemptPush(r: ReplayRef, job: ReplayJob, timeoutMs: number): Promise<AttemptResult> {
  const e = r.exception;
  const attempt = (job.data.attemptsBefore ?? 0) + job.retryCount + 1;
  const body = JSON.stringify({
    replayId: r.id,
    idempotencyKey: r.idempotencyKey,
    plantCode: e.plant.code,
    interface: e.interface.code,
    messageId: e.transaction.messageId,
    correlationId: e.transaction.correlationId,
    payload: r.payload,
    attempt,
  });
  const ts = Math.floor(Date.now() / 1000);
  const started = new Date();
  let outcome: Outcome;
  let httpStatus: number | null = null;
  let final = isLast(job);
  if (!r.connector.replayUrl || !r.connector.replaySecret) {
    // The endpoint was cleared (key rotated or revoked) after this replay was queued: nothing to send to.
    const outcome = technical("NO_ENDPOINT", "The connector's replay endpoint was cleared (key rotated or revoked): register it again, then replay");
    return { r, jobId: job.id, attempt, mode: "push", outcome, httpStatus, durationMs: 0, startedAt: started, lastAttempt: true };
  }
  try {
    const res = await outboundRequest(r.connector.replayUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        [REPLAY_HEADERS.idempotencyKey]: r.idempotencyKey,
        [REPLAY_HEADERS.timestamp]: String(ts),
        [REPLAY_HEADERS.signature]: signReplay(r.connector.replaySecret, ts, body),
      },
      body,
      allowPrivate: r.connector.replayAllowPrivate,
      timeoutMs,
      maxResponseBytes: MAX_ANSWER_BYTES,
    });
    httpStatus = res.status;
    if (res.status >= 200 && res.status < 300 && !res.truncated) outcome = parsePushAnswer(res.bodyText);
    else if (res.status >= 200 && res.status < 300)
      outcome = technical("INVALID_RESPONSE", `The connector's answer is larger than ${MAX_ANSWER_BYTES / 1024} KB`);
    else if (res.status >= 300 && res.status < 400) outcome = technical(`HTTP-${res.status}`, `Connector answered ${res.status} (redirects are not followed)`);
    else outcome = technical(`HTTP-${res.status}`, `Connector answered ${res.status}: ${res.bodyText.slice(0, 300)}`);
  } catch (err) {
    if (err instanceof OutboundRefused) {
      // A destination an administrator has not allowed: retrying will not change that, the replay fails now.
      outcome = technical("DESTINATION_REFUSED", err.message);
      final = true;
    } else outcome = technical("CONNECTOR_UNREACHABLE", (err as Error).message);
  }
  return { r, jobId: job.id, attempt, mode: "push", outcome, httpStatus, durationMs: Date.now() - started.getTime(), startedAt: started, lastAttempt: final };
}

/** What delivering and settling need of a replay (the worker loads it by SQL; pull mode through Prisma). */
export type ReplayRef = {
  id: string;
  exceptionId: string;
  connectorId: string;
  idempotencyKey: string;
  payload: unknown;
  mode: string;
  status: string;
  connector: {
    id: string;
    name: string;
    replayUrl: string | null;
    replaySecret: string | null;
    replayAllowPrivate: boolean;
    replayFailures: number;
    replayPausedUntil: Date | null;
    replayConcurrency: number;
  };
  exception: { plantId: string; plant: { code: string }; interface: { code: string }; transaction: { messageId: string; correlationId: string } };
  /** The worker's load only: the exception's status and the approved correction it sends, if any. */
  exceptionStatus?: string;
  correction?: { id: string; approverId: string | null; authorId: string; payloadHash: string } | null;
  /** The approved replay request that created this replay (interfaces that require a second person's approval). */
  request?: { id: string; approverId: string | null; requesterId: string } | null;
};

const REPLAY_INCLUDE = { connector: true, exception: { include: { transaction: true, interface: true, plant: true } } } as const;
export function loadReplay(replayId: string) {
  return db().replay.findUnique({ where: { id: replayId }, include: REPLAY_INCLUDE });
}

/** The worker's hot path: a batch of replays with what delivery needs, in one query. */
async function loadReplays(ids: string[]): Promise<ReplayRef[]> {
  const { rows } = await pool().query<{
    id: string;
    exception_id: string;
    connector_id: string;
    idempotency_key: string;
    payload: unknown;
    mode: string;
    status: string;
    name: string;
    replay_url: string | null;
    replay_secret: string | null;
    replay_allow_private: boolean;
    replay_failures: number;
    replay_paused_until: Date | null;
    replay_concurrency: number;
    plant_id: string;
    plant_code: string;
    interface_code: string;
    message_id: string;
    correlation_id: string;
    exception_status: string;
    correction_id: string | null;
    approver_id: string | null;
    author_id: string | null;
    correction_hash: string | null;
    request_id: string | null;
    request_approver_id: string | null;
    request_requester_id: string | null;
  }>(
    `SELECT r.id, r.exception_id, r.connector_id, r.idempotency_key, r.payload, r.mode, r.status::text AS status, c.name, c.replay_url, c.replay_secret,
            c.replay_allow_private, c.replay_failures, c.replay_paused_until, c.replay_concurrency, e.plant_id, p.code AS plant_code, i.code AS interface_code,
            t.message_id, t.correlation_id, e.status::text AS exception_status,
            k.id AS correction_id, k.approver_id, k.author_id, k.payload_hash AS correction_hash,
            q.id AS request_id, q.approver_id AS request_approver_id, q.requested_by_id AS request_requester_id
     FROM replay r JOIN connector c ON c.id = r.connector_id JOIN exception e ON e.id = r.exception_id JOIN plant p ON p.id = e.plant_id
     JOIN interface i ON i.id = e.interface_id JOIN business_transaction t ON t.id = e.transaction_id
     LEFT JOIN correction k ON k.id = r.correction_id
     LEFT JOIN replay_request q ON q.replay_id = r.id AND q.status = 'APPROVED'
     WHERE r.id = ANY($1::uuid[])`,
    [ids],
  );
  return rows.map((r) => ({
    id: r.id,
    exceptionId: r.exception_id,
    connectorId: r.connector_id,
    idempotencyKey: r.idempotency_key,
    payload: r.payload,
    mode: r.mode,
    status: r.status,
    connector: {
      id: r.connector_id,
      name: r.name,
      replayUrl: r.replay_url,
      replaySecret: r.replay_secret,
      replayAllowPrivate: r.replay_allow_private,
      replayFailures: r.replay_failures,
      replayPausedUntil: r.replay_paused_until,
      replayConcurrency: r.replay_concurrency,
    },
    exception: {
      plantId: r.plant_id,
      plant: { code: r.plant_code },
      interface: { code: r.interface_code },
      transaction: { messageId: r.message_id, correlationId: r.correlation_id },
    },
    exceptionStatus: r.exception_status,
    correction: r.correction_id ? { id: r.correction_id, approverId: r.approver_id, authorId: r.author_id!, payloadHash: r.correction_hash! } : null,
    request: r.request_id ? { id: r.request_id, approverId: r.request_approver_id, requesterId: r.request_requester_id! } : null,
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
 * Records attempts' outcomes and settles their replays (both modes): delivered → resolved (and the
 * business transaction delivered); business refusal → replay failed; technical → "retry" (push:
 * pg-boss retries; pull: back in the queue after a pause) until the last attempt. Every write is
 * conditional: a replay settles only from DELIVERING (a late duplicate of a job that outlived its
 * expiry, or a replay cancelled meanwhile, changes nothing), and only exceptions whose replay moved
 * are updated. The final ones are settled in one transaction with their audit events.
 */
export async function settleReplays(attempts: AttemptResult[]): Promise<("settled" | "retry")[]> {
  if (attempts.length === 0) return [];
  await pool().query(
    `INSERT INTO replay_attempt (id, replay_id, attempt, mode, started_at, duration_ms, outcome, http_status, error_code, error_message, response)
     SELECT gen_random_uuid(), x.replay_id, x.attempt, x.mode, x.started_at, x.duration_ms, x.outcome, x.http_status, x.error_code, x.error_message, x.response
     FROM jsonb_to_recordset($1::jsonb) AS x(replay_id uuid, attempt int, mode text, started_at timestamptz, duration_ms int, outcome text, http_status int,
          error_code text, error_message text, response jsonb)`,
    [
      JSON.stringify(
        attempts.map(({ r, outcome, ...a }) => ({
          replay_id: r.id,
          attempt: a.attempt,
          mode: a.mode,
          started_at: a.startedAt.toISOString(),
          duration_ms: a.durationMs,
          outcome: outcome.status,
          http_status: a.httpStatus,
          error_code: outcome.status === "failed" ? outcome.code : null,
          error_message: outcome.status === "failed" ? outcome.message.slice(0, 2000) : null,
          // The answer: what a delivery returned, or how a failure was classified (business refusal or technical trouble).
          response: outcome.status === "delivered" ? (outcome.response ?? null) : { category: outcome.category },
        })),
      ),
    ],
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
      // Back in the queue only from the lease it was reported under (not over a cancellation or a settle).
      await pool().query("UPDATE replay SET status = 'QUEUED', lease_until = $2 WHERE id = $1 AND status = 'DELIVERING'", [
        a.r.id,
        new Date(Date.now() + Math.min(60_000, 2000 * 2 ** (a.attempt - 1))),
      ]);
    }
  }
  const final = attempts.filter((_, i) => results[i] === "settled");
  if (final.length === 0) return results;
  const { moved, changed, released } = await retryOnDeadlock(() => settleFinal(final));
  const meta = new Map(final.map((a) => [a.r.exceptionId, a.r.exception]));
  for (const ex of changed) {
    const m = meta.get(ex.id)!;
    publishExceptionChange(ex, m.interface.code, m.transaction.messageId);
  }
  await publishExceptionsById(released);
  if (moved.size < new Set(final.map((a) => a.r.id)).size)
    log.info(
      { stale: final.filter((a) => !moved.has(a.r.id)).map((a) => a.r.id) },
      "late outcomes of replays already settled or cancelled: recorded as attempts only",
    );
  return results;
}

async function settleFinal(final: AttemptResult[]): Promise<{ moved: Set<string>; changed: ExceptionRow[]; released: string[] }> {
  // One outcome per replay (a duplicate job's late answer in the same batch is just another attempt row).
  const byReplay = new Map<string, AttemptResult>();
  for (const a of final) byReplay.set(a.r.id, a);
  const ids = [...byReplay.keys()];
  const ok = [...byReplay.values()].map((a) => a.outcome.status === "delivered");
  return withPgTransaction(async (client) => {
    // Lock order shared with ingest and the user actions: transactions, exceptions, then replays.
    await client.query(
      `SELECT t.id FROM business_transaction t WHERE t.id IN (SELECT e.transaction_id FROM replay r JOIN exception e ON e.id = r.exception_id WHERE r.id = ANY($1::uuid[]))
       ORDER BY t.id FOR UPDATE`,
      [ids],
    );
    await client.query(`SELECT id FROM exception WHERE id IN (SELECT exception_id FROM replay WHERE id = ANY($1::uuid[])) ORDER BY id FOR UPDATE`, [ids]);
    const { rows: movedRows } = await client.query<{ id: string; exception_id: string; ok: boolean }>(
      `UPDATE replay SET status = (CASE WHEN x.ok THEN 'SUCCEEDED' ELSE 'FAILED' END)::replay_status, finished_at = now(), lease_until = NULL
       FROM unnest($1::uuid[], $2::bool[]) AS x(id, ok) WHERE replay.id = x.id AND replay.status = 'DELIVERING'
       RETURNING replay.id, replay.exception_id, x.ok`,
      [ids, ok],
    );
    const moved = new Set(movedRows.map((r) => r.id));
    if (movedRows.length === 0) return { moved, changed: [], released: [] };
    // The replay settles the exception only while it still awaits this replay (its one open replay just
    // moved): if the source delivered the message meanwhile ("recovered at source"), that resolution stands.
    // One event per settled replay; with its exception's move (resolved, or replay failed) when it moved.
    const attemptOf = new Map(movedRows.map((r) => [r.exception_id, byReplay.get(r.id)!]));
    const { moved: changed, events } = await transitionExceptionsWithPg(client, {
      moves: movedRows.map((r) => ({ id: r.exception_id, to: r.ok ? "RESOLVED" : "REPLAY_FAILED", resolution: r.ok ? "replayed" : null })),
      from: ["REPLAY_QUEUED", "REPLAYING"],
      audit: (m) => outcomeEvent(attemptOf.get(m.id)!, { statusFrom: m.statusFrom, statusTo: m.status }),
    });
    const changedIds = new Set(changed.map((m) => m.id));
    const unmoved = movedRows.filter((r) => !changedIds.has(r.exception_id)).map((r) => outcomeEvent(byReplay.get(r.id)!));
    // A delivered replay delivers the business message: a stale or duplicate failure reported afterwards
    // must not reopen it as if nothing had been sent (ingest compares with last_event_at).
    const delivered = movedRows.filter((r) => r.ok).map((r) => r.exception_id);
    if (delivered.length) {
      await client.query(
        `UPDATE business_transaction t SET status = 'DELIVERED', delivered_at = GREATEST(t.delivered_at, now()), last_event_at = GREATEST(t.last_event_at, now())
         WHERE t.id IN (SELECT transaction_id FROM exception WHERE id = ANY($1::uuid[]))`,
        [delivered],
      );
    }
    // Their waiting dependents that wait on nothing else now are released (server/dependencies/release.ts).
    const release = await releaseDependentsWithPg(
      client,
      changed.filter((m) => m.status === "RESOLVED").map((m) => m.id),
    );
    await appendManyWithPg(client, [...events, ...unmoved, ...release.events]);
    return { moved, changed, released: release.released };
  });
}

/** replay.succeeded / replay.failed of a settled replay, with its exception's status move when the settle moved it. */
function outcomeEvent(a: AttemptResult, move?: { statusFrom: string; statusTo: string }): AppendInput<"replay.succeeded" | "replay.failed"> {
  const isDelivered = a.outcome.status === "delivered";
  const o = a.outcome as { code?: string; message?: string };
  return {
    type: isDelivered ? "replay.succeeded" : "replay.failed",
    actor: SYSTEM,
    plantId: a.r.exception.plantId,
    subject: { type: "exception", id: a.r.exceptionId },
    data: {
      replayId: a.r.id,
      idempotencyKey: a.r.idempotencyKey,
      attempts: a.attempt,
      code: isDelivered ? null : o.code!,
      message: isDelivered ? null : o.message!,
      ...move,
    },
  };
}

async function retryOnDeadlock<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if ((code === "40P01" || code === "40001") && attempt < 4) continue;
      throw err;
    }
  }
}

type ExceptionRow = Parameters<typeof publishExceptionChange>[0];

/** Folds a target's outcomes into its breaker under a row lock, so concurrent workers on any instance agree. */
async function recordCircuit(connectorId: string, outcomes: ("delivered" | "technical" | "business")[]): Promise<void> {
  if (!outcomes.includes("technical")) {
    // The target answered: its circuit is closed (one statement, and none at all when it already was).
    await pool().query(
      "UPDATE connector SET replay_failures = 0, replay_paused_until = NULL WHERE id = $1 AND (replay_failures <> 0 OR replay_paused_until IS NOT NULL)",
      [connectorId],
    );
    return;
  }
  const cfg = config();
  const policy = {
    threshold: cfg.ANDON_REPLAY_CIRCUIT_THRESHOLD,
    coolDownMs: cfg.ANDON_REPLAY_CIRCUIT_COOLDOWN_MS,
    maxCoolDownMs: 15 * cfg.ANDON_REPLAY_CIRCUIT_COOLDOWN_MS,
  };
  await db().$transaction(async (tx) => {
    const [c] = await tx.$queryRaw<{ replay_failures: number; replay_paused_until: Date | null }[]>`
      SELECT replay_failures, replay_paused_until FROM connector WHERE id = ${connectorId}::uuid FOR UPDATE`;
    if (!c) return;
    const now = new Date();
    const next = outcomes.reduce((s, o) => afterAttempt(s, o, now, policy), { failures: c.replay_failures, pausedUntil: c.replay_paused_until });
    if (next.failures === c.replay_failures && next.pausedUntil?.getTime() === c.replay_paused_until?.getTime()) return;
    if (next.pausedUntil && next.pausedUntil.getTime() !== c.replay_paused_until?.getTime())
      log.warn({ connectorId, failures: next.failures, pausedUntil: next.pausedUntil }, "replay target paused (circuit open)");
    await tx.connector.update({ where: { id: connectorId }, data: { replayFailures: next.failures, replayPausedUntil: next.pausedUntil } });
  });
}
