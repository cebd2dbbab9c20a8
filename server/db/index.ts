import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { logger } from "../log";
import { appDbRole, requireDatabaseUrl } from "../config";
import { PrismaClient, Prisma } from "./generated/client";

export { Prisma };
export type Db = PrismaClient;
/** A client or an open transaction: domain services accept either (callers choose the transaction). */
export type DbClient = PrismaClient | Prisma.TransactionClient;

type Handles = { pool: pg.Pool; prisma: PrismaClient };

// One pool and one client per process, shared by the custom server and the Next.js route
// handlers (which are bundled separately and would otherwise open their own pools).
const g = globalThis as { __andonDb?: Handles };

function open(): Handles {
  // JIT off: our queries are short; its compile time (45–160 ms measured on dashboard reads) dwarfs them.
  // In production every query runs as the application role (no UPDATE/DELETE on the audit trail).
  const role = appDbRole();
  const options = `-c jit=off${role ? ` -c role=${role}` : ""}`;
  const pool = new pg.Pool({ connectionString: requireDatabaseUrl(), max: 20, application_name: "andon", options });
  guardConnections(pool, "andon");
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { pool, prisma };
}

function handles(): Handles {
  g.__andonDb ??= open();
  return g.__andonDb;
}

export function db(): PrismaClient {
  return handles().prisma;
}

/** Raw pg pool, for the few hot paths and admin statements Prisma cannot express. */
export function pool(): pg.Pool {
  return handles().pool;
}

export async function closeDb(): Promise<void> {
  const handles = g.__andonDb;
  g.__andonDb = undefined;
  if (!handles) return;
  await handles.prisma.$disconnect();
  await handles.pool.end();
}

/** A transaction on one pooled pg connection (hot paths and jobs that write with plain SQL). */
export async function withPgTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    const out = await fn(client);
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * A connection the database drops (restart, failover, pg_terminate_backend) must fail the query that
 * used it — answered 503 — never crash the process: idle connections are handled by the pool's
 * "error" event, checked-out ones (a LISTEN, a held advisory lock) by their own listener.
 */
export function guardConnections(pool: pg.Pool, name: string): void {
  const log = logger("db");
  pool.on("error", (err) => log.warn({ err: err.message, pool: name }, "idle database connection lost"));
  pool.on("connect", (client) => client.on("error", (err) => log.warn({ err: err.message, pool: name }, "database connection lost")));
}
