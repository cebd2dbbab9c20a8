import type PgBoss from "pg-boss";
import type { Prisma } from "../db";

/** The replay job queue (pg-boss, in PostgreSQL). The workers module hands its instance over at start. */
export const REPLAY_QUEUE = "replay.deliver";
export const REPLAY_RETRY = { retryLimit: 6, retryDelay: 5, retryBackoff: true } as const;

const g = globalThis as { __andonBoss?: PgBoss };
export function setBoss(boss: PgBoss | undefined): void {
  g.__andonBoss = boss;
}

/** Enqueue inside the caller's transaction: the job exists if and only if the replay row commits. */
export async function enqueueReplayJob(tx: Prisma.TransactionClient, replayId: string): Promise<void> {
  const boss = g.__andonBoss;
  if (!boss) throw new Error("Background workers are not running in this process (ANDON_WORKERS=false): replays cannot be queued");
  await boss.send(REPLAY_QUEUE, { replayId }, {
    ...REPLAY_RETRY,
    db: { executeSql: async (text: string, values: unknown[]) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }) },
  });
}
