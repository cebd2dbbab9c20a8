import { describe, expect, it } from "vitest";
import { GENESIS_HASH, append, record, verifyChain } from "../../server/audit";
import { db, pool } from "../../server/db";

const actor = { type: "system" as const, label: "test" };

describe("audit trail (real PostgreSQL)", () => {
  it("appends inside the caller's transaction and rolls back with it", async () => {
    const before = await db().auditEvent.count();
    await expect(
      db().$transaction(async (tx) => {
        await append(tx, { type: "auth.sign_out", actor, data: {} });
        throw new Error("caller fails after appending");
      }),
    ).rejects.toThrow("caller fails");
    expect(await db().auditEvent.count()).toBe(before);
  });

  it("links each row to the previous one and verifies", async () => {
    const a = await record({ type: "auth.sign_out", actor, data: {} });
    const b = await record({
      type: "auth.sign_in_failed",
      actor: { type: "anonymous", label: "x@y" },
      data: { email: "x@y", reason: "bad_password", ip: null },
    });
    expect(b.prevHash).toBe(a.hash);
    const first = await db().auditEvent.findFirst({ orderBy: { id: "asc" } });
    expect(first?.prevHash).toBe(GENESIS_HASH);
    await expect(verifyChain()).resolves.toMatchObject({ ok: true, brokenAtId: null });
  });

  it("rejects event data that does not match the event type's schema", async () => {
    await expect(record({ type: "auth.sign_in_failed", actor, data: { email: "x", reason: "nope", ip: null } as never })).rejects.toThrow();
  });

  it("keeps one chain under concurrent writers", async () => {
    const before = await db().auditEvent.count();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => record({ type: "auth.sign_in", actor: { type: "user", id: `u${i}`, label: `u${i}` }, data: { ip: null } })),
    );
    expect(await db().auditEvent.count()).toBe(before + 40);
    const { rows } = await pool().query<{ forks: string }>(`SELECT count(*) - count(DISTINCT prev_hash) AS forks FROM audit_event`);
    expect(Number(rows[0]!.forks)).toBe(0);
    await expect(verifyChain()).resolves.toMatchObject({ ok: true });
  });

  it("refuses UPDATE, DELETE and TRUNCATE at the database level", async () => {
    await record({ type: "auth.sign_out", actor, data: {} });
    await expect(pool().query(`UPDATE audit_event SET actor_label = 'mallory'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(pool().query(`DELETE FROM audit_event`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(pool().query(`TRUNCATE audit_event`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    await expect(db().auditEvent.deleteMany({})).rejects.toThrow();
  });

  it("detects a row altered by someone who bypassed the trigger", async () => {
    const row = await record({ type: "plant.updated", actor, data: { before: { name: "A", timezone: "UTC" }, after: { name: "B", timezone: "UTC" } } });
    // A superuser can disable triggers; the hash chain is what still gives it away. All of it
    // happens in a transaction that is rolled back, so the tampering never commits.
    class Rollback extends Error {}
    let result: Awaited<ReturnType<typeof verifyChain>> | undefined;
    await expect(
      db().$transaction(async (tx) => {
        await tx.$executeRawUnsafe("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_delete");
        await tx.$executeRaw`UPDATE audit_event SET data = jsonb_set(data, '{after,name}', '"Mallory"') WHERE id = ${row.id}`;
        result = await verifyChain(tx, 7);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(result).toMatchObject({ ok: false, brokenAtId: row.id.toString(), reason: "hash" });
    await expect(verifyChain()).resolves.toMatchObject({ ok: true });
  });
});
