import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { evaluateAlerts } from "../../server/alerts/evaluate";
import { acknowledgeAlert } from "../../server/alerts/acknowledge-alert";
import { assignAlert } from "../../server/alerts/assign-alert";
import { listAlerts } from "../../server/alerts/list-alerts";
import { createConnector } from "../../server/admin/connectors";
import { setConnectorService } from "../../server/admin/set-connector-service";
import { parseQueueFilter } from "../../server/exceptions/queue";
import { createPlant } from "../../server/plants/update-plant";
import { resolveAlert } from "../../server/alerts/resolve-alert";
import { createRule, listRules, updateRule } from "../../server/alerts/rules";
import { createWebhook, deliverNotification, listWebhooks, updateWebhook, verifySignature, type WebhookPayload } from "../../server/alerts/webhooks";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { type Workers, startWorkers } from "../../server/workers";

/**
 * Alert rules end to end on the real database and the real pg-boss workers: a rule fires once, stays
 * firing without notifying again, resolves when its condition clears, fires again as a new episode;
 * a person's resolve stays quiet until the condition has cleared; webhooks receive each event once,
 * HMAC-signed, retried after a failure; the inbox is scoped by plant and every action is audited.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
let admin: Actor, managerMty: Actor, managerHam: Actor, auditor: Actor;
let workers: Workers;
let receiver: Server;
let secret = "";
const received: { id: string; payload: WebhookPayload; validSignature: boolean; status: number }[] = [];
let failNext = 0;
let disabledDefaults: string[] = [];

const failure = (iface: string) => ({
  ok: true as const,
  value: {
    eventId: randomUUID(),
    correlationId: randomUUID(),
    messageId: `ASN-${randomUUID()}`,
    interface: iface,
    hop: { source: "SUPPLIER_PORTAL" as const, target: "ODOO" as const },
    occurredAt: new Date().toISOString(),
    outcome: "failed" as const,
    latencyMs: 120,
    attempt: 1,
    error: { category: "business" as const, code: "ODOO-ValidationError", message: `Unknown PO line ${randomUUID()}` },
    payload: { asn: 1 },
  },
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [admin, managerMty, managerHam, auditor] = (await Promise.all(
    ["admin@andon.local", "manager.mty@andon.local", "manager@andon.local", "auditor@andon.local"].map(actor),
  )) as [Actor, Actor, Actor, Actor];
  // Only this file's rules run while it does (the defaults would fire on other files' data).
  disabledDefaults = (await db().alertRule.findMany({ where: { enabled: true }, select: { id: true } })).map((r) => r.id);
  await db().alertRule.updateMany({ where: { id: { in: disabledDefaults } }, data: { enabled: false } });
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.url === "/redirect") {
        received.push({
          id: String(req.headers["x-andon-event-id"]),
          payload: JSON.parse(body),
          validSignature: verifySignature(secret, body, req.headers["x-andon-signature"] as string),
          status: 302,
        });
        res.writeHead(302, { location: "/hook" }).end();
        return;
      }
      const status = failNext > 0 ? 500 : 204;
      if (failNext > 0) failNext--;
      received.push({
        id: String(req.headers["x-andon-event-id"]),
        payload: JSON.parse(body),
        validSignature: verifySignature(secret, body, req.headers["x-andon-signature"] as string),
        status,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  workers = await startWorkers(inject("databaseUrl"));
});

afterAll(async () => {
  await workers?.stop();
  await new Promise((r) => receiver?.close(r));
  await db().alertRule.updateMany({ where: { id: { in: disabledDefaults } }, data: { enabled: true } });
  await db().alertWebhook.updateMany({ data: { enabled: false } });
});

describe("alert rules", () => {
  it("fire once, stay firing without a second notification, resolve, and fire again as a new episode; webhooks get each event once, signed, retried", async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const hook = await createWebhook(admin, { name: "Plant on-call (MX-MTY)", url, plantCode: "MX-MTY", allowPrivate: true }); // a loopback receiver, allowed by the admin
    secret = hook.secret;
    expect(secret).toMatch(/^whsec_/);

    const plant = await db().plant.findUniqueOrThrow({ where: { code: "MX-MTY" } });
    const open = () =>
      db().exception.count({ where: { plantId: plant.id, interface: { code: "SUPPLIER_ASN" }, status: { notIn: ["RESOLVED", "DISCARDED"] } } });
    const before = await open();
    const rule = await createRule(admin, {
      name: "ASN backlog (test)",
      kind: "BACKLOG_ABOVE",
      threshold: before + 2,
      plantCode: "MX-MTY",
      interfaceCode: "SUPPLIER_ASN",
      severity: "CRITICAL",
    });
    expect(rule.description).toMatch(/more than \d+ open exceptions \(plant MX-MTY, interface SUPPLIER_ASN\)/);

    // Below the threshold: nothing.
    await evaluateAlerts();
    expect(await db().alert.count({ where: { ruleId: rule.id } })).toBe(0);

    const c = await db().connector.findFirstOrThrow({ where: { plantId: plant.id, system: { kind: "SUPPLIER_PORTAL" } } });
    const r = await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: plant.id, plantCode: "MX-MTY" }, [
      failure("SUPPLIER_ASN"),
      failure("SUPPLIER_ASN"),
      failure("SUPPLIER_ASN"),
    ]);
    expect(r.rejected).toEqual([]);
    expect(await open()).toBe(before + 3);

    failNext = 1; // the first delivery fails: pg-boss retries it
    const first = await evaluateAlerts();
    expect(first.fired).toBeGreaterThanOrEqual(1);
    const fired = await db().alert.findFirstOrThrow({ where: { ruleId: rule.id } });
    expect(fired).toMatchObject({ status: "FIRING", severity: "CRITICAL", value: before + 3, subjectLabel: "MX-MTY · SUPPLIER_ASN" });

    // Still holding: the same alert, no new notification.
    for (let i = 0; i < 3; i++) await evaluateAlerts();
    expect(await db().alert.count({ where: { ruleId: rule.id } })).toBe(1);
    expect(await db().alertNotification.count({ where: { alertId: fired.id } })).toBe(1);

    const delivered = await waitFor(
      "the fired notification to be delivered after its retry",
      async () => {
        const n = await db().alertNotification.findFirst({ where: { alertId: fired.id, event: "alert.fired" } });
        return n?.status === "DELIVERED" && n;
      },
      60_000,
    );
    expect(delivered.attempts).toBe(2);
    // The "fired" event's calls (the workers' escalation job, on the minute, may also notify this alert's first rung: another event).
    const firedCalls = received.filter((x) => x.payload.alert.id === fired.id && x.payload.event === "alert.fired");
    expect(firedCalls.map((x) => x.status)).toEqual([500, 204]);
    expect(new Set(firedCalls.map((x) => x.id)).size).toBe(1); // the retry carries the same event id
    expect(firedCalls.every((x) => x.validSignature)).toBe(true);
    expect(firedCalls[0]!.payload).toMatchObject({ event: "alert.fired", alert: { plant: "MX-MTY", rule: "ASN backlog (test)", status: "FIRING" } });
    expect(verifySignature("wrong secret", JSON.stringify(firedCalls[0]!.payload), `t=1,v1=${"0".repeat(64)}`)).toBe(false);

    // The condition clears (threshold raised): resolved automatically, one "resolved" notification.
    await updateRule(admin, rule.id, { threshold: before + 10 });
    expect((await evaluateAlerts()).resolved).toBeGreaterThanOrEqual(1);
    expect(await db().alert.findUniqueOrThrow({ where: { id: fired.id } })).toMatchObject({ status: "RESOLVED", resolvedById: null });
    await waitFor("the resolved notification", async () =>
      received.some((x) => x.payload.alert.id === fired.id && x.payload.event === "alert.resolved" && x.status === 204),
    );

    // Holds again: a new episode, a new alert.
    await updateRule(admin, rule.id, { threshold: before + 2 });
    await evaluateAlerts();
    const second = await db().alert.findFirstOrThrow({ where: { ruleId: rule.id, status: "FIRING" } });
    expect(second.id).not.toBe(fired.id);

    // A person resolves it while the condition still holds: quiet until it has cleared once.
    await resolveAlert(managerMty, second.id, { note: "Supplier portal fix deployed, backlog being replayed" });
    await evaluateAlerts();
    await evaluateAlerts();
    expect(await db().alert.count({ where: { ruleId: rule.id, status: { not: "RESOLVED" } } })).toBe(0);
    await updateRule(admin, rule.id, { threshold: before + 10 });
    await evaluateAlerts(); // clears
    expect((await db().alert.findUniqueOrThrow({ where: { id: second.id } })).conditionClearedAt).not.toBeNull();
    await updateRule(admin, rule.id, { threshold: before + 2 });
    await evaluateAlerts(); // holds again: fires
    expect(await db().alert.count({ where: { ruleId: rule.id, status: "FIRING" } })).toBe(1);

    // Each alert event reached the webhook exactly once (delivered), whatever the retries.
    await waitFor(
      "every notification delivered",
      async () => (await db().alertNotification.count({ where: { webhook: { id: hook.webhook.id }, status: { not: "DELIVERED" } } })) === 0,
    );
    const ok = received.filter((x) => x.status === 204);
    expect(new Set(ok.map((x) => `${x.payload.alert.id}:${x.payload.event}`)).size).toBe(ok.length);
    // Disabling the rule resolves its open alert.
    await updateRule(admin, rule.id, { enabled: false });
    await evaluateAlerts();
    expect(await db().alert.count({ where: { ruleId: rule.id, status: { not: "RESOLVED" } } })).toBe(0);
  }, 120_000);

  it("webhook URLs: private, loopback and metadata addresses are refused unless an admin allows them, when saved and when sent; redirects are not followed", async () => {
    const port = (receiver.address() as AddressInfo).port;
    for (const url of [
      `http://127.0.0.1:${port}/hook`,
      `http://localhost:${port}/hook`,
      "http://169.254.169.254/latest/meta-data/",
      "https://10.0.0.7/hook",
      "https://[fd00::1]/hook",
    ]) {
      await expect(createWebhook(admin, { name: "Private (test)", url, plantCode: "DE-HAM" }), url).rejects.toMatchObject({
        status: 400,
        code: "private_destination",
      });
    }
    const allowed = await createWebhook(admin, {
      name: "Internal receiver (test)",
      url: `http://127.0.0.1:${port}/redirect`,
      plantCode: "DE-HAM",
      allowPrivate: true,
    });
    expect((await listWebhooks(admin)).find((w) => w.id === allowed.webhook.id)).toMatchObject({ allowPrivate: true });
    // Withdrawing the permission, or moving the URL to the metadata address, is checked like a new URL.
    await expect(updateWebhook(admin, allowed.webhook.id, { allowPrivate: false })).rejects.toMatchObject({ status: 400, code: "private_destination" });
    await expect(updateWebhook(admin, allowed.webhook.id, { url: "http://169.254.169.254/" })).resolves.toBeUndefined(); // still allowed: private permitted
    await expect(updateWebhook(managerHam as never, allowed.webhook.id, { allowPrivate: true })).rejects.toMatchObject({ status: 403 });
    await updateWebhook(admin, allowed.webhook.id, { url: `http://127.0.0.1:${port}/redirect` });
    const audit = await db().auditEvent.findMany({ where: { subjectType: "alert_webhook", subjectId: allowed.webhook.id }, orderBy: { id: "asc" } });
    expect(audit.map((e) => e.data)).toMatchObject([
      { after: { allowPrivate: true } },
      { before: { url: `http://127.0.0.1:${port}/redirect` }, after: { url: "http://169.254.169.254/" } },
      { after: { url: `http://127.0.0.1:${port}/redirect` } },
    ]);

    // Sent: a redirect answer is a failure, never followed.
    const alert = await db().alert.findFirstOrThrow();
    const notify = async (webhookId: string) => (await db().alertNotification.create({ data: { alertId: alert.id, webhookId, event: "alert.fired" } })).id;
    const redirected = await notify(allowed.webhook.id);
    const before = received.length;
    await expect(deliverNotification(redirected)).rejects.toThrow(/HTTP 302/);
    expect(received.slice(before).map((r) => r.status)).toEqual([302]);
    expect(await db().alertNotification.findUniqueOrThrow({ where: { id: redirected } })).toMatchObject({
      status: "PENDING",
      lastError: "HTTP 302 (redirects are not followed)",
    });

    // A webhook whose URL is (now) private without the permission: refused at send time, nothing sent, not retried.
    const sneaky = await createWebhook(admin, { name: "Public at save time (test)", url: "https://8.8.8.8/hook", plantCode: "DE-HAM" });
    await db().alertWebhook.update({ where: { id: sneaky.webhook.id }, data: { url: `http://127.0.0.1:${port}/hook` } });
    const refused = await notify(sneaky.webhook.id);
    const sent = received.length;
    expect(await deliverNotification(refused)).toBe("gone");
    expect(received.length).toBe(sent);
    const n = await db().alertNotification.findUniqueOrThrow({ where: { id: refused } });
    expect(n.status).toBe("FAILED");
    expect(n.lastError).toMatch(/^refused: 127\.0\.0\.1 is not a public address/);
    await db().alertWebhook.updateMany({ where: { id: { in: [allowed.webhook.id, sneaky.webhook.id] } }, data: { enabled: false } });
  });

  it("p95 above the SLO, failure rate and silent connectors fire on their own subjects", async () => {
    const plant = await db().plant.findUniqueOrThrow({ where: { code: "MX-MTY" } });
    const c = await db().connector.findFirstOrThrow({ where: { plantId: plant.id, system: { kind: "MES" } } });
    const now = Date.now();
    // Two complete minutes of BOM releases far slower than their 4 h SLO, half of them failed.
    const events = Array.from({ length: 40 }, (_, i) => ({
      ok: true as const,
      value: {
        eventId: randomUUID(),
        correlationId: randomUUID(),
        messageId: `BOM-${randomUUID()}`,
        interface: "BOM_RELEASE",
        hop: { source: "PLM" as const, target: "ODOO" as const },
        occurredAt: new Date(Math.floor(now / 60_000) * 60_000 - 60_000 * (1 + (i % 2)) + 1000).toISOString(),
        outcome: i % 4 === 0 ? ("failed" as const) : ("delivered" as const),
        latencyMs: 5 * 3_600_000,
        attempt: 1,
        ...(i % 4 === 0 ? { error: { category: "technical" as const, code: "HTTP-502", message: "Odoo gateway" }, payload: { bom: i } } : {}),
      },
    }));
    expect((await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: plant.id, plantCode: "MX-MTY" }, events)).rejected).toEqual([]);
    const p95 = await createRule(admin, {
      name: "BOM p95 (test)",
      kind: "P95_ABOVE_SLO",
      threshold: 0,
      windowMinutes: 2,
      plantCode: "MX-MTY",
      interfaceCode: "BOM_RELEASE",
    });
    const rate = await createRule(admin, { name: "MX failure rate (test)", kind: "FAILURE_RATE_ABOVE", threshold: 20, windowMinutes: 5, plantCode: "MX-MTY" });
    await db().connector.update({ where: { id: c.id }, data: { lastHeartbeatAt: new Date(now - 600_000) } });
    const silent = await createRule(admin, { name: "Silent (test)", kind: "CONNECTOR_SILENT", threshold: 300, plantCode: "MX-MTY" });
    await evaluateAlerts();
    const alerts = await db().alert.findMany({ where: { ruleId: { in: [p95.id, rate.id, silent.id] }, status: "FIRING" } });
    expect(alerts.find((a) => a.ruleId === p95.id)).toMatchObject({ subjectLabel: "MX-MTY · BOM_RELEASE" });
    expect(alerts.find((a) => a.ruleId === rate.id)?.subjectLabel).toBe("MX-MTY");
    expect(alerts.find((a) => a.ruleId === rate.id)?.value).toBeGreaterThan(20);
    expect(alerts.filter((a) => a.ruleId === silent.id).map((a) => a.subjectLabel)).toContain(c.name);
    // A heartbeat clears the connector's alert.
    await db().connector.update({ where: { id: c.id }, data: { lastHeartbeatAt: new Date() } });
    await evaluateAlerts();
    expect(await db().alert.count({ where: { ruleId: silent.id, subjectKey: `connector:${c.id}`, status: "FIRING" } })).toBe(0);
    for (const r of [p95, rate, silent]) await updateRule(admin, r.id, { enabled: false });
    await evaluateAlerts();
  });

  it("rule input is validated; only administrators edit rules", async () => {
    await expect(createRule(admin, { name: "x", kind: "BACKLOG_ABOVE", threshold: 1 })).rejects.toThrow(/3 characters/);
    await expect(createRule(admin, { name: "Bad rate", kind: "FAILURE_RATE_ABOVE", threshold: 150 })).rejects.toThrow(/percentage/);
    await expect(createRule(admin, { name: "Bad scope", kind: "CONNECTOR_SILENT", threshold: 60, interfaceCode: "BOM_RELEASE" })).rejects.toThrow(
      /plants, not interfaces/,
    );
    await expect(createRule(admin, { name: "Unknown plant", kind: "BACKLOG_ABOVE", threshold: 1, plantCode: "XX-NOPE" })).rejects.toMatchObject({
      status: 422,
    });
    await expect(createRule(managerMty as never, { name: "Mine", kind: "BACKLOG_ABOVE", threshold: 1 })).rejects.toMatchObject({ status: 403 });
    expect((await listRules(auditor)).length).toBeGreaterThan(17); // defaults (17) + this file's
  });
});

describe("alert inbox", () => {
  it("is scoped by plant; acknowledge, assign and resolve are checked by the policy and audited", async () => {
    const plant = await db().plant.findUniqueOrThrow({ where: { code: "MX-MTY" } });
    const rule = await createRule(admin, { name: "Inbox (test)", kind: "BACKLOG_ABOVE", threshold: 0, plantCode: "MX-MTY" });
    await evaluateAlerts();
    const alert = await db().alert.findFirstOrThrow({ where: { ruleId: rule.id, status: "FIRING" } });

    expect((await listAlerts(managerMty, {})).alerts.map((a) => a.id)).toContain(alert.id);
    expect((await listAlerts(managerHam, { status: "all" })).alerts.every((a) => a.plantCode !== "MX-MTY")).toBe(true);
    await expect(acknowledgeAlert(managerHam, alert.id)).rejects.toMatchObject({ status: 404 });
    await expect(acknowledgeAlert(auditor, alert.id)).rejects.toMatchObject({ status: 403 });
    await expect(acknowledgeAlert(managerMty, "not-a-uuid")).rejects.toMatchObject({ status: 404 });

    expect((await acknowledgeAlert(managerMty, alert.id)).status).toBe("ACKNOWLEDGED");
    await expect(assignAlert(managerMty, alert.id, { assigneeId: managerHam.id })).rejects.toMatchObject({ status: 422 }); // not of this plant
    expect((await assignAlert(managerMty, alert.id, { assigneeId: managerMty.id })).assignee?.id).toBe(managerMty.id);
    // Acknowledged and still holding: stays acknowledged at the next evaluation.
    await evaluateAlerts();
    expect((await db().alert.findUniqueOrThrow({ where: { id: alert.id } })).status).toBe("ACKNOWLEDGED");
    const resolved = await resolveAlert(managerMty, alert.id, {});
    expect(resolved).toMatchObject({ status: "RESOLVED", resolvedBy: "manager.mty@andon.local" });
    await expect(resolveAlert(managerMty, alert.id, {})).rejects.toMatchObject({ status: 409 });

    const trail = await db().auditEvent.findMany({ where: { subjectType: "alert", subjectId: alert.id }, orderBy: { id: "asc" } });
    expect(trail.map((e) => e.type)).toEqual(["alert.fired", "alert.acknowledged", "alert.assigned", "alert.resolved"]);
    expect(trail.slice(1).every((e) => e.actorId === managerMty.id && e.plantId === plant.id)).toBe(true);
    await updateRule(admin, rule.id, { enabled: false });
    await evaluateAlerts();
  });
});

describe("issue 17: the inbox people work from", () => {
  it("lists firing before acknowledged, then the most severe, then the longest firing; each alert links to the exceptions behind it", async () => {
    const rules = [];
    for (const severity of ["LOW", "CRITICAL", "MEDIUM"] as const)
      rules.push(await createRule(admin, { name: `Order ${severity} (test)`, kind: "BACKLOG_ABOVE", threshold: 0, plantCode: "MX-MTY", severity }));
    const perInterface = await createRule(admin, {
      name: "Order ASN age (test)",
      kind: "OLDEST_ABOVE",
      threshold: 1,
      plantCode: "MX-MTY",
      interfaceCode: "SUPPLIER_ASN",
      severity: "HIGH",
    });
    await evaluateAlerts();
    const critical = await db().alert.findFirstOrThrow({ where: { ruleId: rules[1]!.id, status: "FIRING" } });
    await acknowledgeAlert(managerMty, critical.id);
    const mine = new Set([...rules, perInterface].map((r) => r.name));

    const inbox = (await listAlerts(managerMty, {})).alerts;
    expect(inbox.filter((a) => mine.has(a.rule)).map((a) => `${a.status} ${a.severity}`)).toEqual([
      "FIRING HIGH",
      "FIRING MEDIUM",
      "FIRING LOW",
      "ACKNOWLEDGED CRITICAL",
    ]);
    // The whole list is in that order, not only this test's alerts.
    const rank = (a: (typeof inbox)[number]) => [
      ["FIRING", "ACKNOWLEDGED", "RESOLVED"].indexOf(a.status),
      ["CRITICAL", "HIGH", "MEDIUM", "LOW"].indexOf(a.severity),
    ];
    for (let i = 1; i < inbox.length; i++) {
      const [s0, v0] = rank(inbox[i - 1]!);
      const [s1, v1] = rank(inbox[i]!);
      expect(s0! < s1! || (s0 === s1 && (v0! < v1! || (v0 === v1 && inbox[i - 1]!.firedAt <= inbox[i]!.firedAt)))).toBe(true);
    }
    // Resolved ones come last in "all".
    const all = (await listAlerts(managerMty, { status: "all" })).alerts;
    expect(all.findIndex((a) => a.status === "RESOLVED")).toBeGreaterThan(all.findLastIndex((a) => a.status !== "RESOLVED"));

    // Links: the plant-wide backlog to the plant's open exceptions; the interface's age rule to that interface, oldest first.
    const plantWide = inbox.find((a) => a.rule === "Order LOW (test)")!;
    expect(plantWide.exceptionsHref).toBe("/exceptions?plant=MX-MTY&status=open");
    const aged = inbox.find((a) => a.rule === "Order ASN age (test)")!;
    expect(aged).toMatchObject({ interfaceCode: "SUPPLIER_ASN", exceptionsHref: "/exceptions?plant=MX-MTY&interface=SUPPLIER_ASN&status=open&sort=oldest" });
    const filter = parseQueueFilter(Object.fromEntries(new URL(aged.exceptionsHref!, "http://andon.test").searchParams));
    expect(filter).toMatchObject({ plant: ["MX-MTY"], interface: ["SUPPLIER_ASN"], status: "open", sort: "oldest" });
    for (const r of [...rules, perInterface]) await updateRule(admin, r.id, { enabled: false });
    await evaluateAlerts();
  });

  it("durations read as durations and counts with thousands separators, in rule descriptions and alert text", async () => {
    const backlog = await createRule(admin, { name: "Big backlog (test)", kind: "BACKLOG_ABOVE", threshold: 1500, plantCode: "MX-MTY", enabled: false });
    expect(backlog.description).toMatch(/^more than 1,500 open exceptions/);
    const age = await createRule(admin, { name: "Age 15 min (test)", kind: "OLDEST_ABOVE", threshold: 900, plantCode: "MX-MTY", enabled: false });
    expect(age.description).toMatch(/older than 15\u00a0min/);
    expect(age.description).not.toMatch(/900/);
    const silent = await createRule(admin, { name: "Silent 2 h (test)", kind: "CONNECTOR_SILENT", threshold: 7200, plantCode: "MX-MTY", enabled: false });
    expect(silent.description).toMatch(/for 2\u00a0h/);
    // A firing age alert says its limit the same way.
    await updateRule(admin, age.id, { threshold: 1, enabled: true });
    await evaluateAlerts();
    const fired = await db().alert.findFirstOrThrow({ where: { ruleId: age.id, status: "FIRING" } });
    expect(fired.message).toMatch(/old \(limit 1(\.0)?\u00a0s\)$/);
    await updateRule(admin, age.id, { enabled: false });
    await evaluateAlerts();
  });

  it("a disabled connector raises no silent-connector alert (its open one clears as 'connector disabled'); enabled again, it is watched again", async () => {
    const code = `T-${randomUUID().slice(0, 6).toUpperCase()}`;
    await createPlant({ user: admin, input: { code, name: "Silent plant", timezone: "UTC" } });
    const { connector } = await createConnector(admin, { plant: code, system: "QMS", name: "Test QMS bridge" });
    await db().connector.update({ where: { id: connector.id }, data: { lastHeartbeatAt: new Date(Date.now() - 3_600_000) } });
    const rule = await createRule(admin, { name: "Silent test connector (test)", kind: "CONNECTOR_SILENT", threshold: 300, plantCode: code });
    const firing = () => db().alert.count({ where: { ruleId: rule.id, subjectKey: `connector:${connector.id}`, status: { not: "RESOLVED" } } });

    await evaluateAlerts();
    expect(await firing()).toBe(1);
    const episode = await db().alert.findFirstOrThrow({ where: { ruleId: rule.id, status: "FIRING" } });

    await setConnectorService(admin, connector.id, { enabled: false });
    await evaluateAlerts();
    await evaluateAlerts();
    expect(await firing()).toBe(0);
    const cleared = await db().auditEvent.findFirstOrThrow({ where: { type: "alert.auto_resolved", subjectId: episode.id } });
    expect(cleared.data).toMatchObject({ message: "connector disabled" });

    await setConnectorService(admin, connector.id, { enabled: true });
    await evaluateAlerts();
    expect(await firing()).toBe(1);
    await updateRule(admin, rule.id, { enabled: false });
    await evaluateAlerts();
  });
});
