import { createHash, randomUUID } from "node:crypto";
import pg from "pg";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import { db, pool } from "../../server/db";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { applyRetention, getRetentionPolicy, updateRetentionPolicy } from "../../server/retention";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let admin: Actor, auditor: Actor;
const partitions = async () =>
  (
    await pool().query<{ relname: string }>(
      "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'telemetry_event'::regclass",
    )
  ).rows.map((r) => r.relname);
const partitionOf = (daysAgo: number) => `telemetry_event_p${new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10).replace(/-/g, "")}`;

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  [admin, auditor] = [await actor("admin@andon.local"), await actor("auditor@andon.local")];
});

describe("retention", () => {
  it("drops telemetry partitions beyond the policy and redacts old settled payloads, keeping hashes and a verifiable chain", async () => {
    // An old partition (200 days) and a recent one.
    await pool().query("SELECT andon_ensure_telemetry_partitions(((now() AT TIME ZONE 'UTC')::date - 200), ((now() AT TIME ZONE 'UTC')::date - 199))");
    expect(await partitions()).toContain(partitionOf(200));
    // A message settled 400 days ago, one settled yesterday and one still open, all with payloads.
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "US-CLT" }, system: { kind: "SAP_ERP" } } });
    const ids = ["old", "recent", "open"].map((k) => `RET-${k}-${randomUUID().slice(0, 6)}`);
    const r = await ingestEvents(
      { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "US-CLT" },
      ids.map((messageId) => ({
        ok: true as const,
        value: {
          eventId: randomUUID(),
          correlationId: randomUUID(),
          messageId,
          interface: "PRODORD_RELEASE",
          hop: { source: "SAP_ERP" as const, target: "MES" as const },
          occurredAt: new Date().toISOString(),
          outcome: "failed" as const,
          latencyMs: 50,
          attempt: 1,
          error: { category: "business" as const, code: "E1", message: "x" },
          payload: { order: messageId },
        },
      })),
    );
    expect(r.rejected).toEqual([]);
    const old = new Date(Date.now() - 400 * 86_400_000);
    const tx = async (m: string) => db().transaction.findFirstOrThrow({ where: { messageId: m } });
    await pool().query("UPDATE business_transaction SET last_event_at = $2, first_seen_at = $2 WHERE message_id = $1", [ids[0], old]);
    await pool().query(
      "UPDATE exception SET status = 'RESOLVED', resolved_at = $2 FROM business_transaction t WHERE t.id = exception.transaction_id AND t.message_id = $1",
      [ids[0], old],
    );
    await pool().query("UPDATE business_transaction SET last_event_at = $2 WHERE message_id = $1", [ids[1], old]);
    await pool().query(
      "UPDATE exception SET status = 'RESOLVED', resolved_at = now() - interval '1 day' FROM business_transaction t WHERE t.id = exception.transaction_id AND t.message_id = $1",
      [ids[1]],
    );
    await pool().query("UPDATE business_transaction SET last_event_at = $2 WHERE message_id = $1", [ids[2], old]);
    const hashBefore = (await tx(ids[0]!)).payloadHash;

    const lastBefore = (await db().auditEvent.findFirst({ orderBy: { id: "desc" } }))?.id ?? BigInt(0);
    const now = new Date();
    const result = await applyRetention(now);
    expect(result.partitionsDropped).toBeGreaterThanOrEqual(2);
    const left = await partitions();
    expect(left).not.toContain(partitionOf(200));
    expect(left).toContain(partitionOf(0));
    expect(left).toContain(partitionOf(29)); // within the ingest window and the policy

    const [o, recent, open] = await Promise.all(ids.map(tx));
    expect(o!.payload).toBeNull();
    expect(o!.payloadRedactedAt).not.toBeNull();
    expect(o!.payloadHash).toBe(hashBefore);
    expect(recent!.payload).toEqual({ order: ids[1] }); // its exception closed yesterday
    expect(open!.payload).toEqual({ order: ids[2] }); // still open
    expect((await verifyChain()).ok).toBe(true);
    const applied = await db().auditEvent.findFirstOrThrow({ where: { type: "retention.applied" }, orderBy: { id: "desc" } });
    expect(applied.data).toMatchObject({ telemetryDays: 90, payloadDays: 365 });

    // Each change committed with its own event (a run stopped halfway leaves none without a trail); retention.applied sums them.
    const run = await db().auditEvent.findMany({ where: { id: { gt: lastBefore }, type: { startsWith: "retention." } }, orderBy: { id: "asc" } });
    expect(run.map((e) => e.type)).toEqual(["retention.partitions_dropped", ...run.slice(1, -1).map(() => "retention.payloads_redacted"), "retention.applied"]);
    expect(run.every((e) => e.actorType === "system")).toBe(true);
    const dropped = run[0]!.data as { partitions: string[] };
    expect(dropped.partitions).toContain(partitionOf(200));
    expect(dropped.partitions).toHaveLength(result.partitionsDropped);
    const batches = run.slice(1, -1).map((e) => e.data as { count: number; transactionIdsHash: string; firstTransactionId: string; lastTransactionId: string });
    expect(batches.reduce((n, b) => n + b.count, 0)).toBe(result.payloadsRedacted);
    expect(applied.data).toMatchObject({ payloadsRedacted: result.payloadsRedacted, partitionsDropped: result.partitionsDropped });
    // The batches name exactly the transactions this run redacted (sorted ids, hashed).
    const redacted = (await db().transaction.findMany({ where: { payloadRedactedAt: now }, select: { id: true } })).map((t) => t.id).sort();
    expect(redacted).toContain(o!.id);
    if (batches.length === 1) {
      expect(batches[0]).toMatchObject({ count: redacted.length, firstTransactionId: redacted[0], lastTransactionId: redacted.at(-1) });
      expect(batches[0]!.transactionIdsHash).toBe(createHash("sha256").update(redacted.join("\n")).digest("hex"));
    }
  });

  it("a batch of redactions whose audit event cannot be written redacts nothing: changes and their trail commit together", async () => {
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "US-CLT" }, system: { kind: "SAP_ERP" } } });
    const messageId = `RET-trail-${randomUUID().slice(0, 6)}`;
    await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "US-CLT" }, [
      {
        ok: true as const,
        value: {
          eventId: randomUUID(),
          correlationId: randomUUID(),
          messageId,
          interface: "PRODORD_RELEASE",
          hop: { source: "SAP_ERP" as const, target: "MES" as const },
          occurredAt: new Date().toISOString(),
          outcome: "delivered" as const,
          latencyMs: 50,
          attempt: 1,
          payload: { order: messageId },
        },
      },
    ]);
    await pool().query("UPDATE business_transaction SET last_event_at = now() - interval '400 days' WHERE message_id = $1", [messageId]);
    // The audit trail refuses this one event type (as a full disk or a lost connection would refuse the append).
    const admin = new pg.Client({ connectionString: inject("databaseUrl") });
    await admin.connect();
    try {
      await admin.query(`CREATE FUNCTION test_refuse_redaction_event() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.type = 'retention.payloads_redacted' THEN RAISE EXCEPTION 'audit append refused'; END IF; RETURN NEW; END $$`);
      await admin.query("CREATE TRIGGER test_refuse_redaction_event BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION test_refuse_redaction_event()");
      await expect(applyRetention()).rejects.toThrow(/audit append refused/);
      expect((await db().transaction.findFirstOrThrow({ where: { messageId } })).payload).toEqual({ order: messageId });
    } finally {
      await admin.query("DROP TRIGGER IF EXISTS test_refuse_redaction_event ON audit_event");
      await admin.query("DROP FUNCTION IF EXISTS test_refuse_redaction_event()");
      await admin.end();
    }
    await applyRetention();
    expect((await db().transaction.findFirstOrThrow({ where: { messageId } })).payload).toBeNull();
    expect((await verifyChain()).ok).toBe(true);
  });

  it("only administrators change the policy, within sane bounds, audited with before and after", async () => {
    await expect(updateRetentionPolicy(auditor, { telemetryDays: 60 })).rejects.toMatchObject({ status: 403 });
    await expect(updateRetentionPolicy(admin, { telemetryDays: 10 })).rejects.toThrow(/31 days/);
    await expect(updateRetentionPolicy(admin, { keep: "forever" })).rejects.toThrow();
    const p = await updateRetentionPolicy(admin, { telemetryDays: 120 });
    expect(p).toMatchObject({ telemetryDays: 120, payloadDays: 365 });
    const ev = await db().auditEvent.findFirstOrThrow({ where: { type: "retention.updated" }, orderBy: { id: "desc" } });
    expect(ev.data).toEqual({ before: { telemetryDays: 90, payloadDays: 365 }, after: { telemetryDays: 120, payloadDays: 365 } });
    await updateRetentionPolicy(admin, { telemetryDays: 90 });
    expect((await getRetentionPolicy(admin)).telemetryDays).toBe(90);
  });
});
