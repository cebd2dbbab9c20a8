import { createAdapter as createPostgresAdapter } from "@socket.io/postgres-adapter";
import { createAdapter as createRedisAdapter } from "@socket.io/redis-adapter";
import pg from "pg";
import { createClient } from "redis";
import { appDbRole, config, requireDatabaseUrl } from "../config";
import { guardConnections } from "../db";
import { logger } from "../log";

const log = logger("realtime.cluster");

/** The socket.io adapter factory, and how to close what it holds. */
export type ClusterAdapter = { kind: "postgres" | "redis"; adapter: ReturnType<typeof createPostgresAdapter>; close: () => Promise<void> };

/**
 * The cluster adapter that carries every emit to the sockets of every instance: PostgreSQL
 * LISTEN/NOTIFY by default (nothing more to run; payloads over 8 kB go through the
 * socket_io_attachments table, created by a migration), or Redis pub/sub when REDIS_URL is set.
 * Always on, also for a single instance, so the path in production is the path under test.
 */
export async function createClusterAdapter(): Promise<ClusterAdapter> {
  const url = config().REDIS_URL;
  if (url) {
    const pub = createClient({ url });
    const sub = pub.duplicate();
    for (const c of [pub, sub]) c.on("error", (err: unknown) => log.error({ err }, "redis adapter connection error"));
    await Promise.all([pub.connect(), sub.connect()]);
    log.info("socket.io cluster adapter: Redis");
    return {
      kind: "redis",
      adapter: createRedisAdapter(pub, sub) as unknown as ClusterAdapter["adapter"],
      close: async () => {
        await Promise.allSettled([pub.quit(), sub.quit()]);
      },
    };
  }
  const role = appDbRole();
  // One connection LISTENs; the others NOTIFY and store large payloads.
  const pool = new pg.Pool({
    connectionString: requireDatabaseUrl(),
    max: 4,
    application_name: "andon-socket.io",
    options: role ? `-c role=${role}` : undefined,
  });
  guardConnections(pool, "andon-socket.io");
  log.info("socket.io cluster adapter: PostgreSQL LISTEN/NOTIFY");
  return {
    kind: "postgres",
    adapter: createPostgresAdapter(pool, {
      errorHandler: (err) => log.warn({ err }, "socket.io adapter error"),
      heartbeatInterval: 5_000,
      heartbeatTimeout: 15_000,
    }),
    close: async () => {
      await pool.end().catch(() => undefined);
    },
  };
}
