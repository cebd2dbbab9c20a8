import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { inject, describe, expect, it } from "vitest";
import { listMigrations, migrate } from "../../server/db/migrate";
import { pool } from "../../server/db";
import { createFreshDatabase } from "../support/database";

describe("migration runner", () => {
  it("records every committed migration like prisma migrate deploy and is idempotent", async () => {
    const committed = await listMigrations();
    const { rows } = await pool().query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name`,
    );
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(committed.map((m) => [m.name, m.checksum]));
    expect(rows.every((r) => r.finished_at && r.applied_steps_count === 1)).toBe(true);
    await expect(migrate(inject("databaseUrl"))).resolves.toEqual({ applied: [], alreadyApplied: committed.length });
  });

  it("refuses an applied migration whose file changed, and rolls back a failing one whole", async () => {
    const fresh = await createFreshDatabase(inject("databaseUrl"), "andon_migrate");
    try {
      const dir = await mkdtemp(path.join(tmpdir(), "andon-mig-"));
      await mkdir(path.join(dir, "001_a"));
      await writeFile(path.join(dir, "001_a", "migration.sql"), "CREATE TABLE t_a (id int);");
      await expect(migrate(fresh.url, dir)).resolves.toEqual({ applied: ["001_a"], alreadyApplied: 0 });
      await writeFile(path.join(dir, "001_a", "migration.sql"), "CREATE TABLE t_a (id bigint);");
      await expect(migrate(fresh.url, dir)).rejects.toThrow(/modified after it was applied/);

      await writeFile(path.join(dir, "001_a", "migration.sql"), "CREATE TABLE t_a (id int);");
      await mkdir(path.join(dir, "002_b"));
      await writeFile(path.join(dir, "002_b", "migration.sql"), "CREATE TABLE t_b (id int); SELECT no_such_function();");
      await expect(migrate(fresh.url, dir)).rejects.toThrow(/002_b failed and was rolled back/);
      const pg = await import("pg");
      const c = new pg.default.Client({ connectionString: fresh.url });
      await c.connect();
      const t = await c.query(`SELECT to_regclass('t_b') AS t, (SELECT count(*) FROM _prisma_migrations WHERE migration_name = '002_b') AS n`);
      await c.end();
      expect(t.rows[0]).toEqual({ t: null, n: "0" });
    } finally {
      await fresh.drop();
    }
  });
});
