import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

/**
 * The application's database role (migration 20261125130000_app_role): in production the portal's
 * queries run as andon_app, which may read and write operational tables but only INSERT and SELECT
 * the audit trail. Proven here with a real connection running as that role.
 */
let app: pg.Client;

beforeAll(async () => {
  app = new pg.Client({ connectionString: inject("databaseUrl"), options: "-c role=andon_app" });
  await app.connect();
});
afterAll(async () => {
  await app?.end();
});

const refused = async (sql: string) => {
  const err = await app.query(sql).then(
    () => null,
    (e: { code?: string; message: string }) => e,
  );
  expect(err, sql).not.toBeNull();
  return err!;
};

describe("the andon_app database role", () => {
  it("runs as andon_app, reads the audit trail and may append to it, nothing else", async () => {
    expect((await app.query("SELECT current_user AS u")).rows[0].u).toBe("andon_app");
    await app.query("SELECT count(*) FROM audit_event");
    const privileges = await app.query<{ p: string; ok: boolean }>(
      "SELECT p, has_table_privilege('andon_app', 'audit_event', p) AS ok FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p",
    );
    expect(Object.fromEntries(privileges.rows.map((r) => [r.p, r.ok]))).toEqual({ SELECT: true, INSERT: true, UPDATE: false, DELETE: false, TRUNCATE: false });
    for (const sql of [
      "UPDATE audit_event SET actor_label = 'x' WHERE id = (SELECT min(id) FROM audit_event)",
      "DELETE FROM audit_event WHERE id = (SELECT min(id) FROM audit_event)",
      "TRUNCATE audit_event",
    ]) {
      const err = await refused(sql);
      expect(err.code).toBe("42501"); // insufficient_privilege: refused before the triggers run
    }
  });

  it("works the operational tables, creates telemetry partitions through the definer function, and cannot touch the migrations' record", async () => {
    const ok = await app.query<{ t: string; ok: boolean }>(
      "SELECT t, has_table_privilege('andon_app', t, 'UPDATE') AND has_table_privilege('andon_app', t, 'DELETE') AS ok FROM unnest(ARRAY['exception', 'business_transaction', 'alert', 'telemetry_rollup_day', 'backlog_sample']) AS t",
    );
    expect(ok.rows.every((r) => r.ok)).toBe(true);
    await app.query("SELECT andon_ensure_telemetry_partitions((now() AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date + 9)");
    await app.query("SELECT andon_drop_telemetry_partitions('1990-01-01')"); // retention, also through a definer function
    expect((await refused("DELETE FROM _prisma_migrations")).code).toBe("42501");
    expect((await refused("CREATE TABLE sneaky (id int)")).code).toBe("42501");
  });
});
