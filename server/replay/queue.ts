import type { Prisma } from "../db";
import { enqueueInTx } from "../workers/boss";

/** The replay job queue (pg-boss, in PostgreSQL). */
export const REPLAY_QUEUE = "replay.deliver";
/** Jobs a worker fetches at once (deliveries to one target still respect its rate and concurrency). */
export const REPLAY_BATCH = 100;
export const REPLAY_RETRY = { retryLimit: 6, retryDelay: 5, retryBackoff: true } as const;

/** Enqueue inside the caller's transaction: the job exists if and only if the replay row commits. */
export async function enqueueReplayJob(tx: Prisma.TransactionClient, replayId: string): Promise<void> {
  await enqueueInTx(tx, REPLAY_QUEUE, { replayId }, REPLAY_RETRY);
}
