import type { PoolClient } from "pg";
import type PgBoss from "pg-boss";
import type { Prisma } from "../db";

/**
 * The process's pg-boss instance (durable jobs in PostgreSQL). The workers module hands it over at
 * start; route handlers (bundled separately by Next.js) reach it through globalThis.
 */
const g = globalThis as { __andonBoss?: PgBoss };
export function setBoss(boss: PgBoss | undefined): void {
  g.__andonBoss = boss;
}

/** Enqueue inside the caller's transaction: the job exists if and only if the caller's rows commit. */
export async function enqueueInTx(tx: Prisma.TransactionClient, queue: string, data: object, options: PgBoss.SendOptions = {}): Promise<void> {
  const boss = g.__andonBoss;
  if (!boss) throw new Error("The job queue is not open in this process: background work cannot be queued");
  await boss.send(queue, data, {
    ...options,
    db: { executeSql: async (text: string, values: unknown[]) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }) },
  });
}

/** enqueueInTx for code that holds a raw pg client in an open transaction (replay settle, ingest). */
export async function enqueueWithPg(client: PoolClient, queue: string, data: object, options: PgBoss.SendOptions = {}): Promise<void> {
  const boss = g.__andonBoss;
  if (!boss) throw new Error("The job queue is not open in this process: background work cannot be queued");
  await boss.send(queue, data, {
    ...options,
    db: { executeSql: async (text: string, values: unknown[]) => ({ rows: (await client.query(text, values)).rows }) },
  });
}

/** Several jobs in one insert (outside any transaction). */
export async function insertJobs(jobs: PgBoss.JobInsert[]): Promise<void> {
  const boss = g.__andonBoss;
  if (!boss) throw new Error("The job queue is not open in this process: background work cannot be queued");
  if (jobs.length) await boss.insert(jobs);
}

/** Enqueue now (outside any transaction), e.g. "evaluate the alert rules now". */
export async function enqueueNow(queue: string, data: object, options: PgBoss.SendOptions = {}): Promise<string | null> {
  const boss = g.__andonBoss;
  if (!boss) throw new Error("The job queue is not open in this process: background work cannot be queued");
  return boss.send(queue, data, options);
}
