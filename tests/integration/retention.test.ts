import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import { db, pool } from "../../server/db";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { applyRetention, getRetentionPolicy, updateRetentionPolicy } from "../../server/retention";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let admin: Actor, auditor: Actor;
const partitions = async () =>
  (await pool().query<{ relname: string }>("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'telemetry_event'::regclass")).rows.map((r) => r.relname);
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
    const r = await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "US-CLT" }, ids.map((messageId) => ({
      ok: true as const,
      value: {
        eventId: randomUUID(), correlationId: randomUUID(), messageId, interface: "PRODORD_RELEASE", hop: { source: "SAP_ERP" as const, target: "MES" as const },
        occurredAt: new Date().toISOString(), outcome: "failed" as const, latencyMs: 50, attempt: 1,
        error: { category: "business" as const, code: "E1", message: "x" }, payload: { order: messageId },
      },
    })));
    expect(r.rejected).toEqual([]);
    const old = new Date(Date.now() - 400 * 86_400_000);
    const tx = async (m: string) => db().transaction.findFirstOrThrow({ where: { messageId: m } });
    await pool().query("UPDATE business_transaction SET last_event_at = $2, first_seen_at = $2 WHERE message_id = $1", [ids[0], old]);
    await pool().query("UPDATE exception SET status = 'RESOLVED', resolved_at = $2 FROM business_transaction t WHERE t.id = exception.transaction_id AND t.message_id = $1", [ids[0], old]);
    await pool().query("UPDATE business_transaction SET last_event_at = $2 WHERE message_id = $1", [ids[1], old]);
    await pool().query("UPDATE exception SET status = 'RESOLVED', resolved_at = now() - interval '1 day' FROM business_transaction t WHERE t.id = exception.transaction_id AND t.message_id = $1", [ids[1]]);
    await pool().query("UPDATE business_transaction SET last_event_at = $2 WHERE message_id = $1", [ids[2], old]);
    const hashBefore = (await tx(ids[0]!)).payloadHash;

    const result = await applyRetention();
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
