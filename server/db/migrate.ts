import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/**
 * Applies the committed SQL migrations in prisma/migrations (Prisma Migrate's layout) and records
 * them in `_prisma_migrations` exactly as `prisma migrate deploy` does (same table, sha256 checksum
 * of migration.sql), so either tool can take over a database the other migrated.
 *
 * Differences from Prisma's runner, deliberately: each migration runs in one transaction (a failure
 * leaves nothing half-applied), and a session advisory lock lets several instances start at once.
 */
export const MIGRATIONS_DIR = path.resolve(process.cwd(), "prisma/migrations");
const LOCK_KEY = 72_616_101; // arbitrary, constant: "andon migrate"

export type MigrationResult = { applied: string[]; alreadyApplied: number };

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<{ name: string; sql: string; checksum: string }[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

export async function migrate(connectionString: string, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString, application_name: "andon-migrate" });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL,
        "checksum" VARCHAR(64) NOT NULL,
        "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL,
        "logs" TEXT,
        "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
        "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      )`);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
    );
    const recorded = new Map(rows.map((r) => [r.migration_name, r]));
    const applied: string[] = [];
    let alreadyApplied = 0;
    for (const m of await listMigrations(dir)) {
      const row = recorded.get(m.name);
      if (row) {
        if (!row.finished_at) {
          throw new Error(`Migration ${m.name} is recorded as started but not finished; resolve it by hand before starting Andon`);
        }
        if (row.checksum !== m.checksum) {
          throw new Error(`Migration ${m.name} was modified after it was applied (checksum differs); add a new migration instead`);
        }
        alreadyApplied++;
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), m.checksum, m.name],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`Migration ${m.name} failed and was rolled back: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.name);
    }
    return { applied, alreadyApplied };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
