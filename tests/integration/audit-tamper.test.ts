import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type VerifyProgress, append, appendMany, appendManyWithPg, eventHash, record, verifyChain } from "../../server/audit";
import { db, pool } from "../../server/db";

/**
 * Tampering as the database superuser: the append-only triggers refuse UPDATE for every role, but
 * a superuser (or the table owner) can switch them off. The hash chain is what still gives it away.
 * Every tampering is committed (so verifyChain reads it through the app's own pool, as in
 * production) and restored in a finally block: the other test files share this database and verify
 * the chain too.
 */
const TRIGGER = "audit_event_no_update_delete";
const HEX64 = /^[0-9a-f]{64}$/;

let su: pg.Client;
const plantId = randomUUID();
const user = { type: "user" as const, id: randomUUID(), label: "Zoë Müller <zoe@plant.example>" };
const connector = { type: "connector" as const, id: randomUUID(), label: "SAP ERP · DE-HAM" };
const system = { type: "system" as const, label: "andon" };
const exceptionId = randomUUID();
const subject = { type: "exception", id: exceptionId };
let ids: bigint[] = [];

/** Runs `change` with the UPDATE/DELETE trigger disabled, in one superuser transaction that commits. */
async function asSuperuser(change: (client: pg.Client) => Promise<unknown>): Promise<void> {
  await su.query("BEGIN");
  try {
    await su.query(`ALTER TABLE audit_event DISABLE TRIGGER ${TRIGGER}`);
    await change(su);
    await su.query(`ALTER TABLE audit_event ENABLE TRIGGER ${TRIGGER}`);
    await su.query("COMMIT");
  } catch (err) {
    await su.query("ROLLBACK"); // ALTER TABLE is transactional: the trigger is enabled again
    throw err;
  }
}

type Stored = { id: string; occurred_at: Date; actor_label: string; plant_id: string | null; data: string; prev_hash: string; hash: string };
async function stored(id: bigint | string): Promise<Stored> {
  const { rows } = await su.query<Stored>(
    `SELECT id::text, occurred_at, actor_label, plant_id::text, data::text, prev_hash, hash FROM audit_event WHERE id = $1`,
    [id.toString()],
  );
  return rows[0]!;
}

/** Tampers with one row, runs `check`, and always puts the row back exactly as it was. */
async function tampered(id: bigint, setSql: string, params: unknown[], check: () => Promise<void>): Promise<void> {
  const original = await stored(id);
  await asSuperuser((c) => c.query(`UPDATE audit_event SET ${setSql} WHERE id = $1`, [id.toString(), ...params]));
  try {
    await check();
  } finally {
    await asSuperuser((c) =>
      c.query(`UPDATE audit_event SET occurred_at = $2, actor_label = $3, plant_id = $4::uuid, data = $5::jsonb, prev_hash = $6, hash = $7 WHERE id = $1`, [
        id.toString(),
        original.occurred_at,
        original.actor_label,
        original.plant_id,
        original.data,
        original.prev_hash,
        original.hash,
      ]),
    );
    expect(await stored(id)).toEqual(original);
  }
}

async function countBefore(id: bigint): Promise<number> {
  const { rows } = await su.query<{ n: string }>(`SELECT count(*) AS n FROM audit_event WHERE id < $1`, [id.toString()]);
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  su = new pg.Client({ connectionString: inject("databaseUrl") });
  await su.connect();
  const { rows } = await su.query<{ rolsuper: boolean }>(`SELECT rolsuper FROM pg_roles WHERE rolname = current_user`);
  expect(rows[0]!.rolsuper).toBe(true);

  // Events written the app's four ways, covering every hashed column: each actor type, plant and
  // subject present and absent, non-ASCII text, escapes, nested arrays, awkward numbers, an old timestamp.
  const a = await record({ type: "auth.sign_in", actor: user, subject: { type: "user", id: user.id }, data: { ip: "10.0.0.7" } });
  const b = await record({
    type: "auth.sign_in_failed",
    actor: { type: "anonymous", label: "mallory@example.com" },
    data: { email: "mallory@example.com", reason: "bad_password", ip: null },
  });
  const c = await db().$transaction((tx) =>
    append(tx, {
      type: "exception.assigned",
      actor: user,
      plantId,
      subject,
      occurredAt: new Date("1999-12-31T23:59:59.999Z"),
      data: { from: null, to: user.id, statusFrom: "NEW", statusTo: "TRIAGED" },
    }),
  );
  const d = await record({
    type: "plant.updated",
    actor: user,
    plantId,
    data: { before: { name: 'Hamburg "Nord"\n\\ 工場', timezone: "Europe/Berlin" }, after: { name: "Hamburg 🏭", timezone: "Europe/Berlin" } },
  });
  await db().$transaction((tx) =>
    appendMany(tx, [
      {
        type: "correction.saved",
        actor: user,
        plantId,
        subject,
        data: {
          correctionId: randomUUID(),
          patch: [
            { op: "replace", path: "/items/0/qty", value: 0.1 + 0.2 },
            { op: "add", path: "/big", value: 1e21 },
            { op: "add", path: "/neg", value: -0 },
          ],
          schemaValid: true,
          payloadHash: "a".repeat(64),
        },
      },
      {
        type: "replay.requested",
        actor: user,
        plantId,
        subject,
        data: {
          replayId: randomUUID(),
          idempotencyKey: `${exceptionId}:1`,
          correctionId: null,
          payloadHash: "b".repeat(64),
          mode: "push",
          asIs: false,
          bulkId: randomUUID(),
        },
      },
    ]),
  );
  const client = await pool().connect();
  try {
    await client.query("BEGIN");
    await appendManyWithPg(client, [
      {
        type: "replay.failed",
        actor: system,
        plantId,
        subject,
        data: { replayId: randomUUID(), idempotencyKey: `${exceptionId}:1`, attempts: 3, code: "E_LOCKED", message: "Material gesperrt – retry" },
      },
      {
        type: "exception.resolved",
        actor: connector,
        plantId,
        subject,
        data: {
          resolution: "recovered_at_source",
          transactionId: randomUUID(),
          interfaceCode: "GOODS_MOVEMENT",
          messageId: "MSG-1",
          deliveredAt: new Date().toISOString(),
        },
      },
    ]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  } finally {
    client.release();
  }
  const e = await record({ type: "auth.sign_out", actor: user, data: {} });
  const { rows: all } = await su.query<{ id: string }>(`SELECT id::text FROM audit_event WHERE id >= $1 ORDER BY id`, [a.id.toString()]);
  ids = all.map((r) => BigInt(r.id));
  expect(ids).toContain(b.id);
  expect(ids).toContain(c.id);
  expect(ids).toContain(d.id);
  expect(ids).toHaveLength(9);
  expect(ids.at(-1)).toBe(e.id);
});

afterAll(async () => {
  await su?.end();
});

describe("audit chain tampering as superuser", () => {
  it("verifies the events the app wrote: chain intact, head = last event", async () => {
    const progress: VerifyProgress[] = [];
    const result = await verifyChain(undefined, { onProgress: (p) => progress.push(p) });
    const total = Number((await su.query<{ n: string }>(`SELECT count(*) AS n FROM audit_event`)).rows[0]!.n);
    const last = await stored(ids.at(-1)!);
    expect(result).toEqual({ ok: true, checked: total, brokenAtId: null, lastId: last.id, headHash: last.hash });
    expect(progress.at(-1)).toEqual({ checked: total, lastId: last.id });
    // Any batch size, the Prisma path and a raw pg client give the same answer.
    for (const batchSize of [1, 2, 7, 1000]) await expect(verifyChain(pool(), { batchSize })).resolves.toEqual(result);
    await expect(verifyChain(db(), 3)).resolves.toEqual(result);
    await expect(db().$transaction((tx) => verifyChain(tx, 4))).resolves.toEqual(result);
    await expect(verifyChain(su, 5)).resolves.toEqual(result);
  });

  it("refuses UPDATE and DELETE while the trigger is on, even for the superuser", async () => {
    await expect(su.query(`UPDATE audit_event SET actor_label = 'mallory' WHERE id = $1`, [ids[1]!.toString()])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(su.query(`DELETE FROM audit_event WHERE id = $1`, [ids[1]!.toString()])).rejects.toThrow(/append-only: DELETE refused/);
    // The app's own pool: refused by the trigger (demo mode, superuser login) or already by privileges (andon_app role).
    await expect(pool().query(`UPDATE audit_event SET data = '{}' WHERE id = $1`, [ids[1]!.toString()])).rejects.toThrow(
      /append-only: UPDATE refused|permission denied/,
    );
  });

  it("finds a changed data field: that exact id, reason hash, expected and found hash", async () => {
    const target = ids[3]!; // the plant.updated event
    const before = await stored(target);
    const checkedBefore = await countBefore(target);
    await tampered(target, `data = jsonb_set(data, '{after,name}', '"Mallory"')`, [], async () => {
      const result = await verifyChain();
      // What the tampered row should hash to, computed independently of verifyChain:
      const expectedHash = eventHash(before.prev_hash, {
        occurredAt: before.occurred_at.toISOString(),
        type: "plant.updated",
        actor: user,
        plantId,
        subject: null,
        data: { before: { name: 'Hamburg "Nord"\n\\ 工場', timezone: "Europe/Berlin" }, after: { name: "Mallory", timezone: "Europe/Berlin" } },
      });
      expect(result).toMatchObject({ ok: false, brokenAtId: target.toString(), reason: "hash", checked: checkedBefore, expectedHash, foundHash: before.hash });
      expect(result.lastId).toBe(ids[2]!.toString());
    });
    await expect(verifyChain()).resolves.toMatchObject({ ok: true, brokenAtId: null });
  });

  it("finds a changed actor label, timestamp or plant (every hashed column counts)", async () => {
    const cases: [bigint, string, unknown[]][] = [
      [ids[0]!, `actor_label = $2`, ["someone-else@plant.example"]],
      [ids[2]!, `occurred_at = occurred_at + interval '1 millisecond'`, []],
      [ids[5]!, `plant_id = $2::uuid`, [randomUUID()]],
      [ids[6]!, `data = data - 'message'`, []], // a field removed
    ];
    for (const [target, setSql, params] of cases) {
      const before = await stored(target);
      await tampered(target, setSql, params, async () => {
        const result = await verifyChain();
        expect(result, setSql).toMatchObject({ ok: false, brokenAtId: target.toString(), reason: "hash", foundHash: before.hash });
        expect(result.expectedHash).toMatch(HEX64);
        expect(result.expectedHash).not.toBe(before.hash);
      });
    }
    await expect(verifyChain()).resolves.toMatchObject({ ok: true });
  });

  it("finds a broken prev_hash link: reason link, expected = previous row's hash", async () => {
    const target = ids[4]!;
    const previous = await stored(ids[3]!);
    const forged = "f".repeat(64);
    await tampered(target, `prev_hash = $2`, [forged], async () => {
      await expect(verifyChain()).resolves.toMatchObject({
        ok: false,
        brokenAtId: target.toString(),
        reason: "link",
        checked: await countBefore(target),
        expectedHash: previous.hash,
        foundHash: forged,
      });
    });
    await expect(verifyChain()).resolves.toMatchObject({ ok: true });
  });

  it("a row rewritten with a recomputed hash breaks the next link", async () => {
    const target = ids[1]!;
    const before = await stored(target);
    const data = { email: "mallory@example.com", reason: "unknown_user", ip: null };
    const forgedHash = eventHash(before.prev_hash, {
      occurredAt: before.occurred_at.toISOString(),
      type: "auth.sign_in_failed",
      actor: { type: "anonymous", label: "mallory@example.com" },
      plantId: null,
      subject: null,
      data,
    });
    await tampered(target, `data = $2::jsonb, hash = $3`, [JSON.stringify(data), forgedHash], async () => {
      await expect(verifyChain()).resolves.toMatchObject({
        ok: false,
        brokenAtId: ids[2]!.toString(),
        reason: "link",
        expectedHash: forgedHash,
        foundHash: before.hash,
      });
    });
    await expect(verifyChain()).resolves.toMatchObject({ ok: true });
  });

  it("verifies what an open transaction sees (tampering never committed)", async () => {
    const target = ids[5]!;
    await su.query("BEGIN");
    try {
      await su.query(`ALTER TABLE audit_event DISABLE TRIGGER ${TRIGGER}`);
      await su.query(`UPDATE audit_event SET data = jsonb_set(data, '{asIs}', 'true') WHERE id = $1`, [target.toString()]);
      await expect(verifyChain(su, 2)).resolves.toMatchObject({ ok: false, brokenAtId: target.toString(), reason: "hash" });
      await expect(verifyChain()).resolves.toMatchObject({ ok: true }); // other sessions never see it
    } finally {
      await su.query("ROLLBACK");
    }
    await expect(su.query(`UPDATE audit_event SET actor_label = 'x' WHERE id = $1`, [target.toString()])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(verifyChain()).resolves.toMatchObject({ ok: true });
  });
});
