import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { createConnector } from "../../server/admin/connectors";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import { db, pool } from "../../server/db";
import { invalidateInterfaceCatalog } from "../../server/ingest/catalog";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { ensureTelemetryPartitions } from "../../server/ingest/maintenance";
import { runsDue } from "../../server/monitor/rules";
import { runMonitor } from "../../server/monitor/run-monitor";
import { createPlant } from "../../server/plants/update-plant";

/**
 * Concurrent monitor runs (several instances, or a run started next to the scheduled one) never open a
 * finding twice, never open two exceptions for one late message, and audit each change exactly once;
 * a monitor run racing ingest's deliveries of the same late messages leaves each message either
 * delivered (its finding cleared, no exception left open) or escalated — never both, never neither.
 * A plant without shifts counts as producing around the clock.
 */
const MIN = 60_000;
const code = `C-${randomUUID().slice(0, 6).toUpperCase()}`;
let plantId = "";
let technicalOwnerId = "";
let principal: { connectorId: string; connectorName: string; plantId: string; plantCode: string };
const ids = new Map<string, string>();

const received = (messageId: string, at: Date) => ({
  ok: true as const,
  value: {
    eventId: randomUUID(),
    correlationId: messageId,
    messageId,
    interface: "GOODS_MOVEMENT",
    hop: { source: "ODOO" as const, target: "SAP_ERP" as const },
    occurredAt: at.toISOString(),
    outcome: "received" as const,
    latencyMs: 10,
    attempt: 1,
  },
});
const delivered = (messageId: string, at: Date) => ({ ...received(messageId, at), value: { ...received(messageId, at).value, outcome: "delivered" as const } });

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  await ensureTelemetryPartitions();
  const admin = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "admin@andon.local" } })).id))!;
  technicalOwnerId = (await db().user.findUniqueOrThrow({ where: { email: "operator@andon.local" } })).id;
  await createPlant({ user: admin, input: { code, name: "Concurrent monitors", timezone: "Europe/Warsaw" } });
  plantId = (await db().plant.findUniqueOrThrow({ where: { code } })).id;
  const { connector } = await createConnector(admin, { plant: code, system: "MES", name: "MES bridge (concurrency)" });
  await db().connector.update({ where: { id: connector.id }, data: { lastHeartbeatAt: new Date() } });
  principal = { connectorId: connector.id, connectorName: connector.name, plantId, plantCode: code };
  for (const c of ["PRODORD_CONFIRM", "GOODS_MOVEMENT", "MATERIAL_MASTER"]) {
    const i = await db().interface.findUniqueOrThrow({ where: { code: c } });
    ids.set(c, i.id);
    await db().plantInterface.create({ data: { plantId, interfaceId: i.id, enabled: true, technicalOwnerId } });
  }
  invalidateInterfaceCatalog();
  // Nothing flows: PRODORD_CONFIRM is stopped (no shifts: always production), MATERIAL_MASTER's runs are missed.
  await db().flowExpectation.create({ data: { plantId, interfaceId: ids.get("PRODORD_CONFIRM")!, windowMinutes: 60, minCount: 10 } });
  await db().batchSchedule.create({
    data: { plantId, interfaceId: ids.get("MATERIAL_MASTER")!, cron: "*/20 * * * *", completeWithinMinutes: 5, createdAt: new Date(Date.now() - 90 * MIN) },
  });
});

afterAll(async () => {
  await pool().query("DELETE FROM flow_expectation WHERE plant_id = $1", [plantId]);
  await pool().query("DELETE FROM batch_schedule WHERE plant_id = $1", [plantId]);
});

describe("concurrent monitor runs", () => {
  it("open each finding and each exception once, audited once, the chain intact", async () => {
    const now = new Date();
    const late = Array.from({ length: 20 }, (_, k) => `GM-C-${k}`);
    expect(
      (
        await ingestEvents(
          principal,
          late.map((m) => received(m, new Date(now.getTime() - 30 * MIN))),
        )
      ).rejected,
    ).toEqual([]);

    await Promise.all(Array.from({ length: 4 }, () => runMonitor(now, { plantIds: [plantId] })));

    const findings = await db().finding.findMany({ where: { plantId } });
    const missedRuns = runsDue(
      { cron: "*/20 * * * *", completeWithinMinutes: 5, createdAt: new Date(now.getTime() - 90 * MIN) },
      "Europe/Warsaw",
      new Date(now.getTime() - 24 * 60 * MIN),
      now,
    );
    expect(missedRuns.length).toBeGreaterThanOrEqual(4);
    expect(findings.filter((f) => f.kind === "STOPPED")).toHaveLength(1);
    expect(findings.filter((f) => f.kind === "MISSED_RUN")).toHaveLength(missedRuns.length);
    // 30 minutes undelivered: late (after 3 min) and past escalation (20 min) in the same run.
    const lateFindings = findings.filter((f) => f.kind === "LATE");
    expect(lateFindings).toHaveLength(20);
    expect(lateFindings.every((f) => f.status === "RESOLVED" && f.resolution === "escalated" && f.exceptionId)).toBe(true);
    expect(findings.every((f) => f.assigneeId === technicalOwnerId)).toBe(true);
    const exceptions = await db().exception.findMany({ where: { plantId } });
    expect(exceptions).toHaveLength(20);
    expect(new Set(exceptions.map((x) => x.transactionId)).size).toBe(20);
    expect(exceptions.every((x) => x.errorCode === "LATE" && x.status === "NEW" && x.assigneeId === technicalOwnerId)).toBe(true);
    // The hop the message is stuck on: a replay goes to its target.
    expect(exceptions.every((x) => x.hopSource === "ODOO" && x.hopTarget === "SAP_ERP" && x.category === "TECHNICAL")).toBe(true);
    // One fingerprint for all of them: the message names the threshold, not each message's age.
    expect(new Set(exceptions.map((x) => x.fingerprint)).size).toBe(1);

    const audit = await db().auditEvent.findMany({ where: { plantId } });
    const count = (type: string) => audit.filter((a) => a.type === type).length;
    expect(count("finding.opened")).toBe(findings.length);
    expect(count("finding.escalated_to_exception")).toBe(20);
    expect(count("finding.resolved")).toBe(0);
    expect(count("exception.opened")).toBe(20);
    expect(new Set(audit.filter((a) => a.type === "finding.opened").map((a) => a.subjectId)).size).toBe(findings.length);
    expect((await verifyChain()).ok).toBe(true);

    // Another run at the same instant changes nothing.
    const again = await runMonitor(now, { plantIds: [plantId] });
    expect(Object.values(again.byKind).every((c) => c.opened === 0 && c.resolved === 0 && c.escalated === 0)).toBe(true);
  });

  it("a run racing ingest's deliveries of the same late messages leaves each either delivered or escalated", async () => {
    const now = new Date();
    const late = Array.from({ length: 40 }, (_, k) => `GM-R-${k}`);
    // Late (received 10 min ago) but not yet due for escalation: the first run opens their findings.
    expect(
      (
        await ingestEvents(
          principal,
          late.map((m) => received(m, new Date(now.getTime() - 10 * MIN))),
        )
      ).rejected,
    ).toEqual([]);
    await runMonitor(now, { plantIds: [plantId] });
    const open = await db().finding.count({ where: { plantId, kind: "LATE", status: "OPEN", subjectKey: { in: await txIds(late) } } });
    expect(open).toBe(40);

    // 25 minutes later (past escalation) the monitor runs while the connector reports half of them delivered.
    const later = new Date(now.getTime() + 15 * MIN);
    await Promise.all([
      runMonitor(later, { plantIds: [plantId] }),
      ...late.filter((_, k) => k % 2 === 0).map((m) => ingestEvents(principal, [delivered(m, new Date(now.getTime() - MIN))])),
    ]);
    await runMonitor(later, { plantIds: [plantId] });

    const txs = await db().transaction.findMany({ where: { plantId, messageId: { in: late } } });
    for (const t of txs) {
      const f = await db().finding.findMany({ where: { transactionId: t.id, kind: "LATE" } });
      const open = await db().exception.findMany({ where: { transactionId: t.id, status: { notIn: ["RESOLVED", "DISCARDED"] } } });
      expect(f).toHaveLength(1);
      expect(f[0]!.status).toBe("RESOLVED");
      if (t.status === "DELIVERED") {
        // Delivered before the escalation (cleared "delivered"), or after it (its exception resolved at source by ingest).
        expect(open).toHaveLength(0);
        expect(["delivered", "escalated"]).toContain(f[0]!.resolution);
      } else {
        expect(f[0]!.resolution).toBe("escalated");
        expect(open).toHaveLength(1);
      }
    }
    expect((await verifyChain()).ok).toBe(true);
  });
});

async function txIds(messageIds: string[]): Promise<string[]> {
  return (await db().transaction.findMany({ where: { plantId, messageId: { in: messageIds } }, select: { id: true } })).map((t) => t.id);
}
