import { config } from "../config";
import type { Prisma } from "../db";
import type PgBoss from "pg-boss";
import { enqueueInTx } from "../workers/boss";
import type { Held } from "./deliver-replay";

/** The replay job queue (pg-boss, in PostgreSQL). */
export const REPLAY_QUEUE = "replay.deliver";
/** Jobs a worker fetches at once (deliveries to one target still respect its rate and concurrency). */
export const REPLAY_BATCH = 100;
/** Six retries with exponential backoff from ANDON_REPLAY_RETRY_DELAY_S (5 s: 5–10, 10–20, … 160–320 s; pg-boss adds jitter). */
export const replayRetry = () => ({ retryLimit: 6, retryDelay: config().ANDON_REPLAY_RETRY_DELAY_S, retryBackoff: true }) as const;

/** Enqueue inside the caller's transaction: the job exists if and only if the replay row commits. */
export async function enqueueReplayJob(tx: Prisma.TransactionClient, replayId: string): Promise<void> {
  await enqueueInTx(tx, REPLAY_QUEUE, { replayId }, replayRetry());
}

/**
 * Jobs the circuit held back, to be sent again (one insert) for when the pause ends, each with the
 * retries and backoff it has left (the hold was no attempt). The caller then completes the held jobs.
 * Should the process die in between, a held job also comes back after its expiry: two jobs for one
 * replay deliver it once (the second finds it settled or sends the same idempotency key, which the
 * target applies once).
 */
export function deferredReplayJobs(held: Held[], now = Date.now()): PgBoss.JobInsert[] {
  const retry = replayRetry();
  return held.map(({ job, inMs }) => {
    const attemptsBefore = (job.data.attemptsBefore ?? 0) + job.retryCount;
    return {
      name: REPLAY_QUEUE,
      data: { replayId: job.data.replayId, attemptsBefore },
      ...retry,
      retryLimit: job.retryLimit - job.retryCount,
      // The backoff goes on where it was (pg-boss restarts it from retryDelay for a new job).
      retryDelay: Math.min(3600, retry.retryDelay * 2 ** attemptsBefore),
      // Spread over a second so that a paused target's backlog does not return all at one instant.
      startAfter: new Date(now + Math.max(1000, inMs) + Math.floor(Math.random() * 1000)),
    };
  });
}
