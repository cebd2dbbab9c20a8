import { randomUUID } from "node:crypto";
import { DateTime } from "luxon";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { createConnector } from "../../server/admin/connectors";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import { type PlantCalendar, isProduction } from "../../server/calendar/shifts";
import { db, pool } from "../../server/db";
import { invalidateInterfaceCatalog } from "../../server/ingest/catalog";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { ensureTelemetryPartitions } from "../../server/ingest/maintenance";
import { escalateAfterMs, lateAfterMs } from "../../server/monitor/rules";
import { runMonitor } from "../../server/monitor/run-monitor";
import { createPlant } from "../../server/plants/update-plant";

/**
 * A simulated week at one plant (Europe/Berlin; early and late shift Monday to Friday, the weekend off,
 * a holiday on Thursday, planned downtime on Tuesday morning), driven by an injectable clock: the
 * monitor runs every 5 simulated minutes over telemetry written through the real ingest function
 * (events dated at the simulated time). PRODORD_CONFIRM flows steadily during production only and
 * stops for 40 minutes on Wednesday morning; its source connector (MES) heartbeats throughout except
 * for 30 minutes on Friday afternoon, when its messages wait in its journal (connector down, not a stopped flow).
 * FORECAST_IMPORT runs every weekday at 05:00 and skips Tuesday's run. Three GOODS_MOVEMENT messages
 * are received and not delivered on Wednesday afternoon; two are delivered later, one is not.
 * Exact counts: one STOPPED finding, one MISSED_RUN, three LATE (two cleared by delivery, one escalated
 * to an exception, which the later delivery resolves at source), and nothing else — no false alerts.
 */
const MIN = 60_000;
const ZONE = "Europe/Berlin";
/** The monitor runs every 5 simulated minutes on weekdays 05:00–23:00, every 15 at night and on the weekend (nothing flows then; it still runs). */
const nextStep = (t: number) => {
  const lt = DateTime.fromMillis(t, { zone: ZONE });
  return t + (lt.weekday <= 5 && lt.hour >= 5 && lt.hour < 23 ? 5 : 15) * MIN;
};
const code = `W-${randomUUID().slice(0, 6).toUpperCase()}`;
let plantId = "";
let principal: { connectorId: string; connectorName: string; plantId: string; plantCode: string };
let mesConnectorId = "";
const iface = new Map<string, { id: string; latencySloMs: number; lateAfterFactor: number; lateEscalateFactor: number }>();

// The simulated week: the Monday two to three weeks back (ingest keeps 30 days), 00:00 in Berlin.
const monday = DateTime.now().setZone(ZONE).startOf("week").minus({ weeks: 2 });
const local = (day: number, hh: number, mm = 0) => monday.plus({ days: day }).set({ hour: hh, minute: mm }).toJSDate();
const weekStart = local(0, 0);
const weekEnd = local(7, 0);
const holiday = { startsAt: local(3, 0), endsAt: local(4, 0) }; // Thursday
const downtime = { startsAt: local(1, 10), endsAt: local(1, 11, 30) }; // Tuesday 10:00–11:30
const stop = { from: local(2, 10), to: local(2, 10, 40) }; // Wednesday 10:00–10:40
const connectorDown = { from: local(4, 15), to: local(4, 15, 30) }; // Friday 15:00–15:30
const lateAt = local(2, 16); // Wednesday 16:00: three GOODS_MOVEMENT messages received, not delivered
const skippedRun = local(1, 5); // Tuesday's 05:00 forecast import

const calendar: PlantCalendar = {
  timezone: ZONE,
  shifts: [
    { name: "Early", weekdays: [1, 2, 3, 4, 5], startMinute: 360, endMinute: 840 },
    { name: "Late", weekdays: [1, 2, 3, 4, 5], startMinute: 840, endMinute: 1320 },
  ],
  entries: [
    { kind: "HOLIDAY", ...holiday, reason: "Public holiday" },
    { kind: "DOWNTIME", ...downtime, reason: "Planned maintenance" },
  ],
};

const event = (interfaceCode: string, messageId: string, at: Date, outcome: "received" | "delivered", hop: [string, string]) => ({
  ok: true as const,
  value: {
    eventId: randomUUID(),
    correlationId: messageId,
    messageId,
    interface: interfaceCode,
    hop: { source: hop[0], target: hop[1] },
    occurredAt: at.toISOString(),
    outcome,
    latencyMs: 800,
    attempt: 1,
  },
});
const ingest = async (items: ReturnType<typeof event>[]) => {
  if (items.length === 0) return;
  const r = await ingestEvents(principal, items);
  expect(r.rejected).toEqual([]);
};
const between = (t: Date, span: { from: Date; to: Date }) => t >= span.from && t < span.to;

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  await ensureTelemetryPartitions();
  const admin = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "admin@andon.local" } })).id))!;
  await createPlant({ user: admin, input: { code, name: "Simulated week", timezone: ZONE } });
  plantId = (await db().plant.findUniqueOrThrow({ where: { code } })).id;
  const { connector } = await createConnector(admin, { plant: code, system: "MES", name: "MES bridge (week)" });
  mesConnectorId = connector.id;
  principal = { connectorId: connector.id, connectorName: connector.name, plantId, plantCode: code };
  for (const c of ["PRODORD_CONFIRM", "FORECAST_IMPORT", "GOODS_MOVEMENT"]) {
    const i = await db().interface.findUniqueOrThrow({ where: { code: c } });
    iface.set(c, i);
    await db().plantInterface.create({ data: { plantId, interfaceId: i.id, enabled: true } });
  }
  invalidateInterfaceCatalog();
  for (const s of calendar.shifts) await db().plantShift.create({ data: { plantId, ...s } });
  for (const e of calendar.entries) await db().plantCalendarEntry.create({ data: { plantId, ...e } });
  await db().flowExpectation.create({
    data: { plantId, interfaceId: iface.get("PRODORD_CONFIRM")!.id, windowMinutes: 60, minCount: 15, maxCount: 60, productionOnly: true },
  });
  await db().batchSchedule.create({
    data: { plantId, interfaceId: iface.get("FORECAST_IMPORT")!.id, cron: "0 5 * * 1-5", completeWithinMinutes: 60, minMessages: 3, createdAt: weekStart },
  });
});

afterAll(async () => {
  await pool().query("DELETE FROM flow_expectation WHERE plant_id = $1", [plantId]);
  await pool().query("DELETE FROM batch_schedule WHERE plant_id = $1", [plantId]);
});

describe("the flow monitor over a simulated week", () => {
  it("raises exactly the findings the week holds, and none on the weekend, the holiday or during downtime", async () => {
    const started = Date.now();
    const gm = iface.get("GOODS_MOVEMENT")!;
    expect([lateAfterMs(gm), escalateAfterMs(gm)]).toEqual([3 * MIN, 20 * MIN]);
    const lateIds = ["GM-LATE-1", "GM-LATE-2", "GM-LATE-3"];
    let confirmations = 0;
    const journal: ReturnType<typeof event>[] = [];
    let runs = 0;

    for (let prev = weekStart.getTime(), t = nextStep(prev); t <= weekEnd.getTime(); prev = t, t = nextStep(t)) {
      const now = new Date(t);
      const items: ReturnType<typeof event>[] = [];
      // PRODORD_CONFIRM: one confirmation every 2 minutes of production, except during the stop and the connector outage.
      for (let m = Math.floor(prev / (2 * MIN)) * 2 * MIN + 2 * MIN; m <= t; m += 2 * MIN) {
        const at = new Date(m);
        if (!isProduction(calendar, at) || between(at, stop)) continue;
        const e = event("PRODORD_CONFIRM", `CONF-${m}`, at, "delivered", ["MES", "SAP_ERP"]);
        // While its network is down the connector keeps them in its journal and sends them once it is back.
        if (between(now, connectorDown)) journal.push(e);
        else items.push(e);
      }
      if (!between(now, connectorDown)) items.push(...journal.splice(0));
      // FORECAST_IMPORT: three versions at 05:10–05:12 on weekdays (a batch job runs on the holiday too), except Tuesday.
      const lt = DateTime.fromJSDate(now, { zone: ZONE });
      if (lt.weekday <= 5 && lt.hour === 5 && lt.minute === 15 && lt.toMillis() - skippedRun.getTime() !== 15 * MIN)
        for (const k of [10, 11, 12]) items.push(event("FORECAST_IMPORT", `FC-${t}-${k}`, lt.set({ minute: k }).toJSDate(), "delivered", ["PLANNING", "ODOO"]));
      confirmations += items.filter((i) => i.value.interface === "PRODORD_CONFIRM").length;
      await ingest(items);
      // The source connector heartbeats (except while its network is down).
      if (!between(now, connectorDown)) await pool().query("UPDATE connector SET last_heartbeat_at = $2 WHERE id = $1", [mesConnectorId, now]);

      // GOODS_MOVEMENT (late after 3 min, escalated after 20 min): three received at 16:00, two delivered at 16:07, the third at 16:22.
      if (t === lateAt.getTime()) await ingest(lateIds.map((id) => event("GOODS_MOVEMENT", id, lateAt, "received", ["ODOO", "SAP_ERP"])));
      if (t === lateAt.getTime() + 10 * MIN)
        await ingest(lateIds.slice(0, 2).map((id) => event("GOODS_MOVEMENT", id, new Date(lateAt.getTime() + 7 * MIN), "delivered", ["ODOO", "SAP_ERP"])));
      if (t === lateAt.getTime() + 25 * MIN)
        await ingest([event("GOODS_MOVEMENT", lateIds[2]!, new Date(lateAt.getTime() + 22 * MIN), "delivered", ["ODOO", "SAP_ERP"])]);
      await runMonitor(now, { plantIds: [plantId] });
      runs++;
      if (t === lateAt.getTime() + 5 * MIN) expect(await db().finding.count({ where: { plantId, kind: "LATE", status: "OPEN" } })).toBe(3);
      if (t === lateAt.getTime() + 20 * MIN) expect(await db().exception.count({ where: { plantId, errorCode: "LATE", status: "NEW" } })).toBe(1);
    }
    const elapsedS = (Date.now() - started) / 1000;

    const findings = await db().finding.findMany({ where: { plantId }, orderBy: { openedAt: "asc" } });
    const byKind = (k: string) => findings.filter((f) => f.kind === k);
    // Nothing else: one stopped flow, one missed run, three late messages. No flood, no finding off production.
    expect(findings.map((f) => f.kind).sort()).toEqual(["LATE", "LATE", "LATE", "MISSED_RUN", "STOPPED"]);
    expect(findings.every((f) => f.status === "RESOLVED")).toBe(true);

    // STOPPED: opened during the stop (silence: 3 × 4 min mean gap at 15/h = 12 min), cleared once traffic is back within expectation.
    const [stopped] = byKind("STOPPED");
    expect(stopped!.openedAt.getTime()).toBeGreaterThanOrEqual(stop.from.getTime() + 12 * MIN);
    expect(stopped!.openedAt.getTime()).toBeLessThanOrEqual(stop.from.getTime() + 15 * MIN);
    expect(stopped!.resolvedAt!.getTime()).toBeGreaterThanOrEqual(stop.to.getTime());
    expect(stopped!.resolvedAt!.getTime()).toBeLessThanOrEqual(stop.to.getTime() + 35 * MIN);
    expect(stopped!.resolution).toBe("traffic_resumed");
    expect(stopped!.subjectKey).toBe(`${plantId}:${iface.get("PRODORD_CONFIRM")!.id}`);
    expect(stopped!.detail).toMatchObject({ expectedMin: 15, expectedMax: 60 });

    // MISSED_RUN: Tuesday's run, found at its deadline, superseded by Wednesday's complete run.
    const [missed] = byKind("MISSED_RUN");
    expect(missed!.subjectKey).toBe(`${plantId}:${iface.get("FORECAST_IMPORT")!.id}:${skippedRun.toISOString()}`);
    expect(missed!.openedAt.toISOString()).toBe(local(1, 6).toISOString());
    expect(missed!.detail).toMatchObject({ verdict: "missed", delivered: 0, failed: 0, minMessages: 3 });
    expect(missed!.resolution).toBe("superseded");
    expect(missed!.resolvedAt!.toISOString()).toBe(local(2, 6).toISOString());

    // LATE: three findings; two cleared by delivery, one became an exception (then resolved at source by the delivery).
    const late = byKind("LATE");
    expect(late.map((f) => f.resolution).sort()).toEqual(["delivered", "delivered", "escalated"]);
    const escalated = late.find((f) => f.resolution === "escalated")!;
    const exception = await db().exception.findUniqueOrThrow({ where: { id: escalated.exceptionId! } });
    expect(exception).toMatchObject({
      errorCode: "LATE",
      category: "TECHNICAL",
      status: "RESOLVED",
      resolution: "recovered_at_source",
      transactionId: escalated.transactionId,
    });
    expect(await db().exception.count({ where: { plantId } })).toBe(1);

    // No finding was opened on the weekend, the holiday, during downtime or while the connector was down.
    const quiet = [
      { from: local(5, 0), to: weekEnd },
      { from: holiday.startsAt, to: holiday.endsAt },
      { from: downtime.startsAt, to: downtime.endsAt },
      { from: connectorDown.from, to: new Date(connectorDown.to.getTime() + 30 * MIN) },
    ];
    expect(findings.filter((f) => quiet.some((q) => between(f.openedAt, q)))).toEqual([]);

    // Every open and resolve is audited once, and the chain holds.
    const audit = await db().auditEvent.findMany({ where: { plantId, type: { startsWith: "finding." } } });
    expect(audit.filter((a) => a.type === "finding.opened")).toHaveLength(5);
    expect(audit.filter((a) => a.type === "finding.resolved")).toHaveLength(4);
    expect(audit.filter((a) => a.type === "finding.escalated_to_exception")).toHaveLength(1);
    expect((await verifyChain()).ok).toBe(true);
    expect(confirmations).toBeGreaterThan(1_000);
    console.log(`simulated week: ${runs} monitor runs, ${confirmations} confirmations, ${findings.length} findings, 0 false, ${elapsedS.toFixed(1)} s`);
  }, 180_000);
});
