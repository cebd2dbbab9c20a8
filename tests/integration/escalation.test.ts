import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { acknowledgeAlert } from "../../server/alerts/acknowledge-alert";
import { evaluateAlerts } from "../../server/alerts/evaluate";
import { createRule } from "../../server/alerts/rules";
import { createWebhook, deliverNotification, verifySignature, type WebhookPayload } from "../../server/alerts/webhooks";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import type { Role } from "../../server/db/generated/enums";
import { notificationSubjectOf, runEscalation } from "../../server/escalation/run-escalation";
import { type Workers, startQueueClient } from "../../server/workers";

/**
 * The escalation ladder on the real database with an injectable clock: an alert that fires notifies
 * its interface's technical owner once and stays quiet; unacknowledged, it reaches the plant lead at
 * +30 min and the plant manager at +60 min (critical ladder); acknowledging stops the climb; a subject
 * that fires again collapses into the same notification with a count; webhooks get one
 * "alert.escalated:<LEVEL>" per rung, routed by their minimum severity; two runs at once never notify
 * twice; every rung is audited.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
const T0 = new Date(Date.now() - 6 * 3600_000); // the test's clock starts 6 h ago (the alert's rows are "in the past")
const at = (min: number) => new Date(T0.getTime() + min * 60_000);
const tag = randomUUID().slice(0, 6).toUpperCase();
let admin: Actor;
let queue: Workers;
let receiver: Server;
const secrets = new Map<string, string>();
const received: { path: string; payload: WebhookPayload; valid: boolean }[] = [];
let disabledDefaults: string[] = [];
let plant: { id: string; code: string };
const users: Record<"owner" | "lead" | "manager" | "business" | "outsider", string> = { owner: "", lead: "", manager: "", business: "", outsider: "" };
let ifaceCritical: { id: string; code: string };
let ifaceHigh: { id: string; code: string };

async function user(name: string, role: Role, plantIds: string[]) {
  const u = await db().user.create({
    data: { email: `${name}.${tag.toLowerCase()}@esc.test`, name, role, passwordHash: "x", plants: { create: plantIds.map((plantId) => ({ plantId })) } },
  });
  return u.id;
}

async function openFinding(interfaceId: string, kind: "STOPPED" | "LATE" = "STOPPED", now = T0) {
  return db().finding.create({
    data: {
      plantId: plant.id,
      interfaceId,
      kind,
      subjectKey: `${kind}:${plant.id}:${interfaceId}:${randomUUID()}`,
      severity: "CRITICAL",
      summary: "no confirmation for 45 min (expected at least 10 per hour)",
      openedAt: now,
      lastEvaluatedAt: now,
    },
  });
}

const notificationsOf = (userId: string) => db().notification.findMany({ where: { userId, plantId: plant.id }, orderBy: { createdAt: "asc" } });
const rungsAudited = (alertId: string) =>
  db().auditEvent.findMany({ where: { type: "escalation.notified", subjectType: "alert", subjectId: alertId }, orderBy: { id: "asc" } });

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  admin = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "admin@andon.local" } })).id))!;
  disabledDefaults = (await db().alertRule.findMany({ where: { enabled: true }, select: { id: true } })).map((r) => r.id);
  await db().alertRule.updateMany({ where: { id: { in: disabledDefaults } }, data: { enabled: false } });
  // A plant of this file only, with a critical and a high interface.
  ifaceCritical = await db().interface.findUniqueOrThrow({ where: { code: "PRODORD_RELEASE" }, select: { id: true, code: true } });
  ifaceHigh = await db().interface.findUniqueOrThrow({ where: { code: "PRODORD_CONFIRM" }, select: { id: true, code: true } });
  plant = await db().plant.create({ data: { code: `ESC-${tag}`, name: "Escalation test plant", timezone: "Europe/Warsaw" }, select: { id: true, code: true } });
  users.owner = await user("owner", "OPERATOR", [plant.id]);
  users.lead = await user("lead", "OPERATOR", [plant.id]);
  users.manager = await user("manager", "VIEWER", [plant.id]);
  users.business = await user("business", "VIEWER", [plant.id]);
  users.outsider = await user("outsider", "VIEWER", []);
  await db().plant.update({ where: { id: plant.id }, data: { leadUserId: users.lead, managerUserId: users.manager } });
  await db().plantInterface.createMany({
    data: [ifaceCritical, ifaceHigh].map((i) => ({ plantId: plant.id, interfaceId: i.id, technicalOwnerId: users.owner, businessOwnerId: users.business })),
  });
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const path = req.url ?? "";
      received.push({ path, payload: JSON.parse(body), valid: verifySignature(secrets.get(path) ?? "", body, req.headers["x-andon-signature"] as string) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  queue = await startQueueClient(inject("databaseUrl")); // jobs are queued in the rows' transaction; this file delivers them itself
});

afterAll(async () => {
  await queue?.stop();
  await new Promise((r) => receiver?.close(r));
  await db().alertRule.updateMany({ where: { id: { in: disabledDefaults } }, data: { enabled: true } });
  await db().alertRule.updateMany({ where: { plantId: plant.id }, data: { enabled: false } });
  await db().alertWebhook.updateMany({ where: { plantId: plant.id }, data: { enabled: false } });
});

describe("escalation ladder", () => {
  let alertId = "";

  it("notifies the technical owner once when an alert fires, and stays quiet while nobody acknowledges it", async () => {
    await createRule(admin, {
      name: `Stopped flows ${tag}`,
      kind: "FLOW_STOPPED",
      threshold: 0,
      plantCode: plant.code,
      interfaceCode: ifaceCritical.code,
      severity: "CRITICAL",
    });
    await openFinding(ifaceCritical.id);
    expect((await evaluateAlerts(T0)).fired).toBe(1);
    const alert = await db().alert.findFirstOrThrow({ where: { plantId: plant.id, rule: { name: `Stopped flows ${tag}` } } });
    alertId = alert.id;
    expect(alert.message).toMatch(/^flow stopped \(heartbeats, no traffic\): PRODORD_RELEASE/);

    await runEscalation(at(0));
    const [n] = await notificationsOf(users.owner);
    expect(n).toMatchObject({
      level: "TECHNICAL_OWNER",
      count: 1,
      severity: "CRITICAL",
      href: `/alerts?alert=${alertId}`,
      subjectId: notificationSubjectOf(alert),
    });
    expect(n!.title).toContain(`${plant.code} · PRODORD_RELEASE`);
    // Quiet: the next runs (the evaluator re-confirming, the ladder before the lead's rung) add nothing.
    await evaluateAlerts(at(5));
    for (const m of [1, 5, 29]) await runEscalation(at(m));
    expect(await notificationsOf(users.owner)).toHaveLength(1);
    expect((await notificationsOf(users.owner))[0]).toMatchObject({ count: 1, readAt: null });
    expect(await notificationsOf(users.lead)).toHaveLength(0);
    const audited = await rungsAudited(alertId);
    expect(audited.map((e) => (e.data as { level: string }).level)).toEqual(["TECHNICAL_OWNER"]);
    expect(audited[0]!.data).toMatchObject({ subjectType: "alert", subjectId: alertId, userIds: [users.owner] });
  });

  it("climbs to the plant lead at +30 min and the plant manager at +60 min; two runs at once notify once", async () => {
    await Promise.all([runEscalation(at(30)), runEscalation(at(30))]);
    expect(await notificationsOf(users.lead)).toHaveLength(1);
    expect((await notificationsOf(users.lead))[0]).toMatchObject({ level: "PLANT_LEAD", count: 1 });
    expect(await notificationsOf(users.manager)).toHaveLength(0);
    await Promise.all([runEscalation(at(61)), runEscalation(at(61)), runEscalation(at(61))]);
    expect((await notificationsOf(users.manager))[0]).toMatchObject({ level: "PLANT_MANAGER", count: 1 });
    expect((await rungsAudited(alertId)).map((e) => (e.data as { level: string }).level)).toEqual(["TECHNICAL_OWNER", "PLANT_LEAD", "PLANT_MANAGER"]);
    const state = await db().escalationState.findUniqueOrThrow({ where: { subjectType_subjectId: { subjectType: "alert", subjectId: alertId } } });
    expect(state).toMatchObject({ level: "PLANT_MANAGER", criticality: "CRITICAL", closedAt: null });
  });

  it("acknowledging the alert stops the climb: the business owner (at +4 h) is never notified", async () => {
    await acknowledgeAlert((await loadPrincipal(users.lead))!, alertId);
    await runEscalation(at(62));
    await runEscalation(at(300));
    expect(await notificationsOf(users.business)).toHaveLength(0);
    expect((await rungsAudited(alertId)).length).toBe(3);
    const state = await db().escalationState.findUniqueOrThrow({ where: { subjectType_subjectId: { subjectType: "alert", subjectId: alertId } } });
    expect(state.closedAt).not.toBeNull();
  });

  it("a subject that fires again collapses into the owner's one notification, with a count, linking to the latest alert", async () => {
    await createRule(admin, {
      name: `Late ${tag}`,
      kind: "LATE_MESSAGES",
      threshold: 1,
      plantCode: plant.code,
      interfaceCode: ifaceHigh.code,
      severity: "HIGH",
    });
    const rule = await db().alertRule.findFirstOrThrow({ where: { name: `Late ${tag}` } });
    const ids: string[] = [];
    for (let episode = 0; episode < 3; episode++) {
      const t = at(400 + episode * 20);
      const f = await openFinding(ifaceHigh.id, "LATE", t);
      await evaluateAlerts(t);
      const a = await db().alert.findFirstOrThrow({ where: { ruleId: rule.id, status: "FIRING" } });
      ids.push(a.id);
      await runEscalation(t);
      // Delivered: the finding resolves, the alert resolves itself.
      await db().finding.update({ where: { id: f.id }, data: { status: "RESOLVED", resolvedAt: at(405 + episode * 20) } });
      await evaluateAlerts(at(405 + episode * 20));
    }
    expect(new Set(ids).size).toBe(3);
    const mine = (await notificationsOf(users.owner)).filter((n) => n.subjectId.startsWith(`${rule.id}:`));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ count: 3, href: `/alerts?alert=${ids[2]}`, severity: "HIGH", readAt: null });
    expect(mine[0]!.lastAt.toISOString()).toBe(at(440).toISOString());
    // Each episode's first rung is audited once, with its firing count.
    const counts = [];
    for (const id of ids) counts.push(...(await rungsAudited(id)).map((e) => (e.data as { firings: number }).firings));
    expect(counts).toEqual([1, 2, 3]);
  });

  it("webhooks get alert.escalated once per rung, signed, routed by their minimum severity", async () => {
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    for (const [path, minSeverity] of [
      ["/critical-only", "CRITICAL"],
      ["/high-or-worse", "HIGH"],
    ] as const) {
      const hook = await createWebhook(admin, { name: `Hook ${path} ${tag}`, url: `${base}${path}`, plantCode: plant.code, allowPrivate: true, minSeverity });
      secrets.set(path, hook.secret);
    }
    expect(await db().auditEvent.count({ where: { type: "alert_webhook.created", data: { path: ["after", "minSeverity"], equals: "HIGH" } } })).toBeGreaterThan(
      0,
    );
    // A HIGH alert (a high interface's late messages): only the "high or worse" hook hears of it.
    const rule = await db().alertRule.findFirstOrThrow({ where: { name: `Late ${tag}` } });
    const t = at(500);
    await openFinding(ifaceHigh.id, "LATE", t);
    await evaluateAlerts(t);
    const alert = await db().alert.findFirstOrThrow({ where: { ruleId: rule.id, status: "FIRING" } });
    await Promise.all([runEscalation(t), runEscalation(t)]);
    await runEscalation(at(500 + 60)); // HIGH ladder: the lead at +60 min
    const pending = await db().alertNotification.findMany({ where: { alertId: alert.id }, include: { webhook: true }, orderBy: { createdAt: "asc" } });
    expect(pending.map((p) => `${p.webhook.url.replace(base, "")} ${p.event}`).sort()).toEqual([
      "/high-or-worse alert.escalated:PLANT_LEAD",
      "/high-or-worse alert.escalated:TECHNICAL_OWNER",
      "/high-or-worse alert.fired",
    ]);
    for (const p of pending) expect(await deliverNotification(p.id)).toBe("delivered");
    const escalated = received.filter((r) => r.payload.event === "alert.escalated");
    expect(escalated.map((r) => `${r.path} ${r.payload.escalation?.level}`).sort()).toEqual(["/high-or-worse PLANT_LEAD", "/high-or-worse TECHNICAL_OWNER"]);
    expect(escalated.every((r) => r.valid && r.payload.alert.id === alert.id && r.payload.escalation!.firings === 4)).toBe(true);
    expect(received.some((r) => r.path === "/critical-only")).toBe(false);
    const audit = await rungsAudited(alert.id);
    expect(audit.map((e) => e.data)).toEqual([
      expect.objectContaining({ level: "TECHNICAL_OWNER", userIds: [users.owner], webhooks: 1 }),
      expect.objectContaining({ level: "PLANT_LEAD", userIds: [users.lead], webhooks: 1 }),
    ]);
  });

  it("falls back to the plant lead when the interface has no technical owner, and never notifies someone who cannot see the plant", async () => {
    await db().plantInterface.update({
      where: { plantId_interfaceId: { plantId: plant.id, interfaceId: ifaceCritical.id } },
      data: { technicalOwnerId: null, businessOwnerId: users.outsider },
    });
    await db().finding.updateMany({ where: { plantId: plant.id, interfaceId: ifaceCritical.id }, data: { status: "RESOLVED" } });
    await evaluateAlerts(at(600));
    const rule = await db().alertRule.findFirstOrThrow({ where: { name: `Stopped flows ${tag}` } });
    // The acknowledged alert was resolved by the evaluator once its finding cleared; a new one fires now.
    await openFinding(ifaceCritical.id, "STOPPED", at(601));
    await evaluateAlerts(at(601));
    const alert = await db().alert.findFirstOrThrow({ where: { ruleId: rule.id, status: "FIRING" } });
    await runEscalation(at(601 + 240));
    const audit = await rungsAudited(alert.id);
    expect(audit.map((e) => [(e.data as { level: string }).level, (e.data as { userIds: string[] }).userIds])).toEqual([
      ["TECHNICAL_OWNER", [users.lead]],
      ["PLANT_LEAD", [users.lead]],
      ["PLANT_MANAGER", [users.manager]],
      ["BUSINESS_OWNER", []],
    ]);
    expect(await db().notification.count({ where: { userId: users.outsider } })).toBe(0);
    const lead = (await notificationsOf(users.lead)).filter((n) => n.subjectId.startsWith(`${rule.id}:`));
    expect(lead).toHaveLength(1);
    expect(lead[0]).toMatchObject({ level: "PLANT_LEAD", count: 2 });
  });
});
