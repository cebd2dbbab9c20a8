import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { evaluateAlerts } from "../../server/alerts/evaluate";
import { createRule, DEFAULT_RULES, ruleInputSchema, seedDefaultRules } from "../../server/alerts/rules";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import type { AlertRuleKind, FindingKind, Role } from "../../server/db/generated/enums";
import { plantSilences } from "../../server/escalation/silences";
import { invalidateInterfaceCatalog } from "../../server/ingest/catalog";
import { ingestEvents } from "../../server/ingest/ingest-events";

/**
 * The alert rules of silent failures, on rows written directly (findings, handovers, a connector's
 * circuit, overdue exceptions): each kind fires for its subject and clears when its condition does; the
 * three silences are told apart (alert messages and plantSilences); the default rules of a kind are
 * seeded once when no rule of that kind exists; a new exception goes to its interface's technical
 * owner's queue at ingest (audited), only when that owner may take it.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
const tag = randomUUID().slice(0, 6).toUpperCase();
const NOW = new Date();
const ago = (min: number) => new Date(NOW.getTime() - min * 60_000);
let admin: Actor;
let disabledDefaults: string[] = [];
let plant: { id: string; code: string };
let confirm: { id: string; code: string };
let release: { id: string; code: string };
let mes: { id: string; name: string };
let sap: { id: string; name: string };

async function connector(kind: "MES" | "SAP_ERP") {
  const system = await db().plantSystem.create({ data: { plantId: plant.id, kind, description: kind } });
  return db().connector.create({
    data: { plantId: plant.id, systemId: system.id, name: `${plant.code} ${kind}`, lastHeartbeatAt: NOW },
    select: { id: true, name: true },
  });
}

async function finding(kind: FindingKind, interfaceId: string, status: "OPEN" | "ACKNOWLEDGED" = "OPEN", summary = "expected at least 10 in 60 min, got 0") {
  return db().finding.create({
    data: {
      plantId: plant.id,
      interfaceId,
      kind,
      status,
      subjectKey: `${kind}:${randomUUID()}`,
      severity: "HIGH",
      summary,
      openedAt: ago(10),
      lastEvaluatedAt: ago(1),
    },
  });
}

async function rule(kind: AlertRuleKind, threshold = 0, interfaceCode: string | null = null) {
  return createRule(admin, { name: `${kind} ${tag}`, kind, threshold, plantCode: plant.code, interfaceCode, severity: "HIGH" });
}

const firing = async (ruleId: string) =>
  (await db().alert.findMany({ where: { ruleId, status: { not: "RESOLVED" } }, orderBy: { subjectLabel: "asc" } })).map((a) => ({
    subject: a.subjectLabel,
    message: a.message.replace(/\u00a0/g, " "),
  }));

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  admin = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "admin@andon.local" } })).id))!;
  disabledDefaults = (await db().alertRule.findMany({ where: { enabled: true }, select: { id: true } })).map((r) => r.id);
  await db().alertRule.updateMany({ where: { id: { in: disabledDefaults } }, data: { enabled: false } });
  confirm = await db().interface.findUniqueOrThrow({ where: { code: "PRODORD_CONFIRM" }, select: { id: true, code: true } });
  release = await db().interface.findUniqueOrThrow({ where: { code: "PRODORD_RELEASE" }, select: { id: true, code: true } });
  plant = await db().plant.create({ data: { code: `SIL-${tag}`, name: "Silences test plant", timezone: "Europe/Berlin" }, select: { id: true, code: true } });
  await db().plantInterface.createMany({ data: [confirm, release].map((i) => ({ plantId: plant.id, interfaceId: i.id })) });
  mes = await connector("MES");
  sap = await connector("SAP_ERP");
  invalidateInterfaceCatalog();
});

afterAll(async () => {
  // Files share the database: this plant's exceptions leave the open counts of the others (the demo plants') alone.
  await db().exception.updateMany({
    where: { plantId: plant.id, status: { notIn: ["RESOLVED", "DISCARDED"] } },
    data: { status: "RESOLVED", resolvedAt: new Date() },
  });
  await db().alertRule.updateMany({ where: { id: { in: disabledDefaults } }, data: { enabled: true } });
  await db().alertRule.updateMany({ where: { plantId: plant.id }, data: { enabled: false } });
});

describe("alert rules of silent failures", () => {
  it("LATE_MESSAGES fires per plant × interface at its threshold of unresolved late findings", async () => {
    const r = await rule("LATE_MESSAGES", 2);
    await finding("LATE", confirm.id, "OPEN", "late");
    await evaluateAlerts(NOW);
    expect(await firing(r.id)).toEqual([]);
    await finding("LATE", confirm.id, "ACKNOWLEDGED", "late"); // acknowledged, still late: counts
    await finding("LATE", release.id, "OPEN", "late");
    await evaluateAlerts(NOW);
    expect(await firing(r.id)).toEqual([{ subject: `${plant.code} · PRODORD_CONFIRM`, message: "2 messages late (limit 2)" }]);
    await db().finding.updateMany({ where: { plantId: plant.id, kind: "LATE" }, data: { status: "RESOLVED" } });
    await evaluateAlerts(NOW);
    expect(await firing(r.id)).toEqual([]);
  });

  it("FLOW_STOPPED, FLOW_FLOOD and MISSED_RUN fire on an OPEN finding of their kind, say which flow, and clear when it is acknowledged", async () => {
    const rules = await Promise.all((["FLOW_STOPPED", "FLOW_FLOOD", "MISSED_RUN"] as const).map((k) => rule(k)));
    const stopped = await finding("STOPPED", confirm.id, "OPEN", "expected at least 10 in 60 min, got 0");
    await finding("FLOOD", release.id, "OPEN", "expected at most 100 in 60 min, got 2400");
    await finding("MISSED_RUN", release.id, "ACKNOWLEDGED", "the 06:00 run did not complete by 06:30");
    await evaluateAlerts(NOW);
    expect(await firing(rules[0]!.id)).toEqual([
      { subject: `${plant.code} · PRODORD_CONFIRM`, message: "flow stopped (heartbeats, no traffic): PRODORD_CONFIRM (expected at least 10 in 60 min, got 0)" },
    ]);
    expect(await firing(rules[1]!.id)).toEqual([
      { subject: `${plant.code} · PRODORD_RELEASE`, message: "flow flooded: PRODORD_RELEASE (expected at most 100 in 60 min, got 2400)" },
    ]);
    expect(await firing(rules[2]!.id)).toEqual([]); // acknowledged: someone handles it
    await db().finding.update({ where: { id: stopped.id }, data: { status: "ACKNOWLEDGED" } });
    await evaluateAlerts(NOW);
    expect(await firing(rules[0]!.id)).toEqual([]);
    await db().finding.updateMany({ where: { plantId: plant.id }, data: { status: "RESOLVED" } });
    await evaluateAlerts(NOW);
    expect(await firing(rules[1]!.id)).toEqual([]);
  });

  it("TARGET_DOWN fires per connector whose circuit is open or whose last deliveries failed in a row; CONNECTOR_SILENT says connector down", async () => {
    const target = await rule("TARGET_DOWN");
    const silent = await rule("CONNECTOR_SILENT", 300);
    await db().connector.update({ where: { id: sap.id }, data: { replayFailures: 6, replayPausedUntil: new Date(NOW.getTime() + 120_000) } });
    await db().connector.update({ where: { id: mes.id }, data: { replayFailures: 2, lastHeartbeatAt: ago(20) } });
    await evaluateAlerts(NOW);
    expect(await firing(target.id)).toEqual([
      { subject: `${sap.name} (SAP_ERP)`, message: "target down: 6 deliveries to SAP_ERP failed in a row, circuit open for 2 min" },
    ]);
    expect(await firing(silent.id)).toEqual([{ subject: mes.name, message: "connector down: no heartbeat for 20 min (limit 5 min)" }]);

    const s = await plantSilences(plant.id, NOW);
    expect(s.connectorDown.map((c) => [c.name, c.silentForS])).toEqual([[mes.name, 1200]]);
    expect(s.targetDown).toEqual([
      { connectorId: sap.id, name: sap.name, system: "SAP_ERP", failures: 6, pausedUntil: new Date(NOW.getTime() + 120_000).toISOString() },
    ]);
    expect(s.flowStopped).toEqual([]);
    const stopped = await finding("STOPPED", confirm.id, "ACKNOWLEDGED", "expected at least 10 in 60 min, got 0");
    expect((await plantSilences(plant.id, NOW)).flowStopped).toEqual([
      expect.objectContaining({ findingId: stopped.id, interfaceCode: "PRODORD_CONFIRM", status: "ACKNOWLEDGED" }),
    ]);

    // Cool-down over but still failing in a row: still down; one delivery closes the circuit: clears.
    await db().connector.update({ where: { id: sap.id }, data: { replayPausedUntil: ago(1) } });
    await evaluateAlerts(NOW);
    expect((await firing(target.id))[0]?.message).toBe("target down: 6 deliveries to SAP_ERP failed in a row");
    await db().connector.update({ where: { id: sap.id }, data: { replayFailures: 0, replayPausedUntil: null } });
    await db().connector.update({ where: { id: mes.id }, data: { lastHeartbeatAt: NOW } });
    await db().finding.update({ where: { id: stopped.id }, data: { status: "RESOLVED" } });
    await evaluateAlerts(NOW);
    expect(await firing(target.id)).toEqual([]);
    expect(await firing(silent.id)).toEqual([]);
    expect(await plantSilences(plant.id, NOW)).toEqual({ connectorDown: [], flowStopped: [], targetDown: [] });
  });

  it("EXCEPTION_OVERDUE fires per plant × interface at its threshold of open exceptions past their SLA due date", async () => {
    const r = await rule("EXCEPTION_OVERDUE", 2, "PRODORD_CONFIRM");
    const fail = () => ({
      ok: true as const,
      value: {
        eventId: randomUUID(),
        correlationId: randomUUID(),
        messageId: `CONF-${randomUUID()}`,
        interface: "PRODORD_CONFIRM",
        hop: { source: "MES" as const, target: "SAP_ERP" as const },
        occurredAt: NOW.toISOString(),
        outcome: "failed" as const,
        latencyMs: 50,
        attempt: 1,
        error: { category: "business" as const, code: "SAP-E1", message: "Order locked" },
        payload: { order: 1 },
      },
    });
    const res = await ingestEvents({ connectorId: mes.id, connectorName: mes.name, plantId: plant.id, plantCode: plant.code }, [fail(), fail(), fail()]);
    expect(res.rejected, JSON.stringify(res.rejected)).toEqual([]);
    const ids = (await db().exception.findMany({ where: { plantId: plant.id }, select: { id: true }, orderBy: { id: "asc" } })).map((e) => e.id);
    expect(ids).toHaveLength(3);
    await db().exception.updateMany({ where: { id: { in: ids.slice(0, 1) } }, data: { slaDueAt: ago(90) } });
    await evaluateAlerts(NOW);
    expect(await firing(r.id)).toEqual([]);
    await db().exception.updateMany({ where: { id: { in: ids.slice(1, 2) } }, data: { slaDueAt: ago(5) } });
    await evaluateAlerts(NOW);
    expect(await firing(r.id)).toEqual([
      { subject: `${plant.code} · PRODORD_CONFIRM`, message: "2 open exceptions past the SLA due date (the oldest by 1 h 30 min; limit 2)" },
    ]);
    await db().exception.updateMany({ where: { id: { in: ids } }, data: { status: "RESOLVED", resolvedAt: NOW } });
    await evaluateAlerts(NOW);
    expect(await firing(r.id)).toEqual([]);
  });

  it("HANDOVER_UNACKNOWLEDGED fires per plant when a prepared handover waits longer than its threshold after the shift's end", async () => {
    const r = await rule("HANDOVER_UNACKNOWLEDGED", 30 * 60);
    const h = await db().handover.create({
      data: { plantId: plant.id, shiftName: "Early", shiftStart: ago(8 * 60 + 20), shiftEnd: ago(20), summary: {}, preparedAt: ago(20) },
    });
    await evaluateAlerts(NOW);
    expect(await firing(r.id)).toEqual([]);
    await db().handover.update({ where: { id: h.id }, data: { shiftStart: ago(8 * 60 + 45), shiftEnd: ago(45) } });
    await evaluateAlerts(NOW);
    expect(await firing(r.id)).toEqual([
      { subject: plant.code, message: "handover of the Early shift not acknowledged 45 min after the shift ended (limit 30 min)" },
    ]);
    await db().handover.update({ where: { id: h.id }, data: { status: "ACKNOWLEDGED", acknowledgedAt: NOW } });
    await evaluateAlerts(NOW);
    expect(await firing(r.id)).toEqual([]);
  });

  it("connector, target and handover rules apply to plants only", () => {
    for (const kind of ["TARGET_DOWN", "HANDOVER_UNACKNOWLEDGED"] as const)
      expect(ruleInputSchema.safeParse({ name: "x rule", kind, threshold: 0, criticality: "HIGH" }).success).toBe(false);
  });
});

describe("default rules", () => {
  it("are added for a kind without any rule (once), never next to an administrator's rule of that kind", async () => {
    // This file's rules exist for the new kinds; drop every rule of one kind and seed again: only that kind's defaults come back.
    const kinds = async () => new Set((await db().alertRule.groupBy({ by: ["kind"] })).map((g) => g.kind));
    expect(await kinds()).toEqual(new Set(DEFAULT_RULES.map((r) => r.kind)));
    const mine = await db().alertRule.findMany({ where: { kind: "MISSED_RUN" }, select: { id: true } });
    await db().alert.deleteMany({ where: { ruleId: { in: mine.map((r) => r.id) } } });
    await db().alertRule.deleteMany({ where: { kind: "MISSED_RUN" } });
    const created = await seedDefaultRules(db());
    expect(created.map((r) => r.kind)).toEqual(DEFAULT_RULES.filter((r) => r.kind === "MISSED_RUN").map((r) => r.kind));
    expect(created.map((r) => r.criticality).sort()).toEqual(["CRITICAL", "HIGH", "LOW", "MEDIUM"]);
    expect(await seedDefaultRules(db())).toEqual([]);
    await db().alertRule.updateMany({ where: { id: { in: created.map((r) => r.id) } }, data: { enabled: false } });
  });
});

describe("owners' queues", () => {
  async function person(name: string, role: Role, plantIds: string[], active = true) {
    return db().user.create({
      data: {
        email: `${name}.${tag.toLowerCase()}@owners.test`,
        name,
        role,
        active,
        passwordHash: "x",
        plants: { create: plantIds.map((plantId) => ({ plantId })) },
      },
    });
  }
  const fail = (iface: string, hop: { source: "MES"; target: "SAP_ERP" }) => ({
    ok: true as const,
    value: {
      eventId: randomUUID(),
      correlationId: randomUUID(),
      messageId: `M-${randomUUID()}`,
      interface: iface,
      hop,
      occurredAt: new Date().toISOString(),
      outcome: "failed" as const,
      latencyMs: 50,
      attempt: 1,
      error: { category: "technical" as const, code: "SAP-TIMEOUT", message: "timeout" },
      payload: { order: 1 },
    },
  });

  it("a new exception goes to its interface's technical owner, audited as exception.assigned in the batch; an owner who cannot take it gets nothing", async () => {
    const owner = await person("owner", "OPERATOR", [plant.id]);
    const outsider = await person("outsider", "OPERATOR", []);
    const where = (interfaceId: string) => ({ plantId_interfaceId: { plantId: plant.id, interfaceId } });
    await db().plantInterface.update({ where: where(confirm.id), data: { technicalOwnerId: owner.id } });
    await db().plantInterface.update({ where: where(release.id), data: { technicalOwnerId: outsider.id } });
    const hop = { source: "MES" as const, target: "SAP_ERP" as const };
    const ctx = { connectorId: mes.id, connectorName: mes.name, plantId: plant.id, plantCode: plant.code };
    const r = await ingestEvents(ctx, [fail("PRODORD_CONFIRM", hop), fail("PRODORD_CONFIRM", hop), fail("PRODORD_RELEASE", hop)]);
    expect(r.rejected, JSON.stringify(r.rejected)).toEqual([]);
    expect(r.accepted).toBe(3);
    const opened = await db().exception.findMany({ where: { plantId: plant.id, status: "NEW" }, include: { interface: { select: { code: true } } } });
    const byIface = (code: string) => opened.filter((e) => e.interface.code === code);
    expect(byIface("PRODORD_CONFIRM").map((e) => e.assigneeId)).toEqual([owner.id, owner.id]);
    expect(byIface("PRODORD_RELEASE").map((e) => e.assigneeId)).toEqual([null]); // not in the plant's scope
    for (const e of byIface("PRODORD_CONFIRM")) {
      const events = await db().auditEvent.findMany({ where: { subjectType: "exception", subjectId: e.id }, orderBy: { id: "asc" } });
      expect(events.map((x) => x.type)).toEqual(["exception.opened", "exception.assigned"]);
      expect(events[1]!.data).toEqual({ from: null, to: owner.email, statusFrom: "NEW", statusTo: "NEW" });
    }
    // An inactive owner: nothing assigned.
    await db().user.update({ where: { id: owner.id }, data: { active: false } });
    await ingestEvents(ctx, [fail("PRODORD_CONFIRM", hop)]);
    const latest = await db().exception.findFirstOrThrow({ where: { plantId: plant.id, status: "NEW" }, orderBy: { firstSeenAt: "desc" } });
    expect(latest.assigneeId).toBeNull();
  });
});
