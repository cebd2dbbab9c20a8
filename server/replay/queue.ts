import { config } from "../config";
import type { Prisma } from "../db";
import { enqueueInTx } from "../workers/boss";

/** The replay job queue (pg-boss, in PostgreSQL). */
export const REPLAY_QUEUE = "replay.deliver";
/** Jobs a worker fetches at once (deliveries to one target still respect its rate and concurrency). */
export const REPLAY_BATCH = 100;
/** Six retries with exponential backoff from ANDON_REPLAY_RETRY_DELAY_S (5 s: 5, 10, 20, 40, 80, 160 s). */
export const replayRetry = () => ({ retryLimit: 6, retryDelay: config().ANDON_REPLAY_RETRY_DELAY_S, retryBackoff: true }) as const;

/** Enqueue inside the caller's transaction: the job exists if and only if the replay row commits. */
export async function enqueueReplayJob(tx: Prisma.TransactionClient, replayId: string): Promise<void> {
  await enqueueInTx(tx, REPLAY_QUEUE, { replayId }, replayRetry());
}
