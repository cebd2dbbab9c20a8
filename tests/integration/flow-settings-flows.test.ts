import { beforeAll, describe, expect, it } from "vitest";
import { updateInterface } from "../../server/admin/interfaces";
import { addCalendarEntry } from "../../server/calendar/add-entry";
import { db, pool } from "../../server/db";
import { getFlowSettings } from "../../server/flow-settings/flow-settings-view";
import { suggestExpectation } from "../../server/flow-settings/suggest-expectation";
import { updateBatchSchedule } from "../../server/flow-settings/update-batch-schedule";
import { updateExpectation } from "../../server/flow-settings/update-expectation";
import { type Actor, actors, answer, events, HOSTILE, testPlant } from "../support/flow-settings";

let a: Awaited<ReturnType<typeof actors>>;
let admin: Actor;
beforeAll(async () => {
  a = await actors();
  admin = a.admin;
});

const expectation = { windowMinutes: 60, minCount: 40, maxCount: 400, productionOnly: true, enabled: true, expectedUpdatedAt: null };

describe("expected traffic", () => {
  it("sets and edits a flow's expectation as read, audited before/after; a stale form gets 409; concurrent first saves: one wins", async () => {
    const plant = await testPlant(admin, "Europe/Berlin", ["PRODORD_CONFIRM", "GOODS_MOVEMENT"]);
    const first = await updateExpectation(admin, plant.code, "PRODORD_CONFIRM", expectation);
    expect(first).toMatchObject({ windowMinutes: 60, minCount: 40, maxCount: 400, productionOnly: true, enabled: true });
    // Another admin's form still says "none read": 409, nothing written.
    expect(await answer(updateExpectation(admin, plant.code, "PRODORD_CONFIRM", { ...expectation, minCount: 1 }))).toMatchObject({
      status: 409,
      code: "conflict",
    });
    const second = await updateExpectation(admin, plant.code, "prodord_confirm", {
      ...expectation,
      minCount: 50,
      maxCount: null,
      expectedUpdatedAt: first.updatedAt,
    });
    expect(second).toMatchObject({ minCount: 50, maxCount: null });
    expect(
      await answer(updateExpectation(admin, plant.code, "PRODORD_CONFIRM", { ...expectation, minCount: 60, expectedUpdatedAt: first.updatedAt })),
    ).toMatchObject({
      status: 409,
    });
    expect(
      await answer(
        updateExpectation(admin, plant.code, "PRODORD_CONFIRM", { ...expectation, minCount: 50, maxCount: null, expectedUpdatedAt: second.updatedAt }),
      ),
    ).toMatchObject({ status: 409, code: "no_change" });

    const racing = await Promise.all([
      answer(updateExpectation(admin, plant.code, "GOODS_MOVEMENT", { ...expectation, minCount: 1 })),
      answer(updateExpectation(admin, plant.code, "GOODS_MOVEMENT", { ...expectation, minCount: 2 })),
    ]);
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409]);

    const trail = await events("expectation.updated", plant.id);
    expect(trail.map((e) => e.data)).toEqual([
      {
        plantCode: plant.code,
        interfaceCode: "PRODORD_CONFIRM",
        before: null,
        after: { windowMinutes: 60, minCount: 40, maxCount: 400, productionOnly: true, enabled: true },
      },
      {
        plantCode: plant.code,
        interfaceCode: "PRODORD_CONFIRM",
        before: { windowMinutes: 60, minCount: 40, maxCount: 400, productionOnly: true, enabled: true },
        after: { windowMinutes: 60, minCount: 50, maxCount: null, productionOnly: true, enabled: true },
      },
      expect.objectContaining({ interfaceCode: "GOODS_MOVEMENT", before: null }),
    ]);
    expect(trail[0]).toMatchObject({ actorId: admin.id, subjectType: "interface" });
    const view = await getFlowSettings(admin, plant.code);
    expect(view.flows.map((f) => [f.interfaceCode, f.expectation?.minCount ?? null])).toEqual([
      ["GOODS_MOVEMENT", expect.any(Number)],
      ["PRODORD_CONFIRM", 50],
    ]);
  });

  it("refuses invalid expectations with a message, unlinked interfaces (404), non-admins (403 / 404) and hostile bodies (4xx)", async () => {
    const plant = await testPlant(admin, "Europe/Berlin", ["PRODORD_CONFIRM"]);
    const { operator } = plant;
    const bad = await answer(updateExpectation(admin, plant.code, "PRODORD_CONFIRM", { ...expectation, minCount: 500, maxCount: 10 }));
    expect(bad).toMatchObject({ status: 400, message: "maxCount: The maximum is at least the minimum" });
    expect(await answer(updateExpectation(admin, plant.code, "PRODORD_CONFIRM", { ...expectation, windowMinutes: 1 }))).toMatchObject({
      status: 400,
      message: "windowMinutes: A window is at least 5 minutes",
    });
    expect(await answer(updateExpectation(admin, plant.code, "INVOICE_POSTING", expectation))).toMatchObject({ status: 404 });
    expect(await answer(updateExpectation(admin, plant.code, "../../etc", expectation))).toMatchObject({ status: 404 });
    expect(await answer(updateExpectation(operator, plant.code, "PRODORD_CONFIRM", expectation))).toMatchObject({ status: 403 });
    expect(await answer(updateExpectation(a.managerMty, plant.code, "PRODORD_CONFIRM", expectation))).toMatchObject({ status: 404 });
    expect(await answer(getFlowSettings(a.auditor, plant.code))).toMatchObject({ status: 403 });
    expect(await answer(suggestExpectation(operator, plant.code, "PRODORD_CONFIRM", {}))).toMatchObject({ status: 403 });
    expect(await answer(suggestExpectation(admin, plant.code, "PRODORD_CONFIRM", { hour: "25" }))).toMatchObject({ status: 400 });
    expect(await answer(suggestExpectation(admin, plant.code, "PRODORD_CONFIRM", { windowMinutes: "abc" }))).toMatchObject({ status: 400 });
    expect(await answer(suggestExpectation(admin, plant.code, "PRODORD_CONFIRM", { evil: "1" }))).toMatchObject({ status: 400 });
    for (const body of HOSTILE) {
      for (const run of [
        () => updateExpectation(admin, plant.code, "PRODORD_CONFIRM", body),
        () => updateBatchSchedule(admin, plant.code, "PRODORD_CONFIRM", body),
      ]) {
        const r = await answer(run());
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
      }
    }
    expect(await db().flowExpectation.count({ where: { plantId: plant.id } })).toBe(0);
    expect(await db().auditEvent.count({ where: { plantId: plant.id, type: { in: ["expectation.updated", "batch_schedule.updated"] } } })).toBe(0);
  });

  it("suggests from the same hour of the week over the last four weeks, from the rollups, leaving out a holiday week; accepting it is audited as suggested", async () => {
    const plant = await testPlant(admin, "Europe/Berlin", ["PRODORD_CONFIRM", "GOODS_MOVEMENT"]);
    const iface = plant.interfaces.get("PRODORD_CONFIRM")!;
    const other = plant.interfaces.get("GOODS_MOVEMENT")!;
    // Wednesday 25 Nov 2026, 13:30 Berlin; Wednesdays 10:00–11:00 local (09:00Z, CET) in the four weeks before.
    const now = new Date("2026-11-25T12:30:00Z");
    const perMinute: Record<string, (minute: number) => number> = {
      "2026-11-25": () => 2, // 30 per quarter hour
      "2026-11-18": (m) => (m === 30 ? 21 : 1), // 15, 15, 35, 15
      "2026-11-11": () => 500, // a holiday: left out
      "2026-11-04": () => 3, // 45 per quarter hour
    };
    const rows: unknown[][] = [];
    for (const [day, count] of Object.entries(perMinute)) {
      for (let m = 0; m < 60; m++) {
        const bucket = new Date(`${day}T09:00:00Z`).getTime() + m * 60_000;
        rows.push([new Date(bucket), iface, "DELIVERED", count(m)]);
        rows.push([new Date(bucket), iface, "RECEIVED", 1000]); // not traffic: intermediate step
        rows.push([new Date(bucket), other, "DELIVERED", 77]); // another flow
      }
      // Minutes just outside the sampled hour.
      rows.push([new Date(`${day}T08:59:00Z`), iface, "DELIVERED", 999], [new Date(`${day}T10:00:00Z`), iface, "FAILED", 999]);
    }
    for (const [bucket, interfaceId, outcome, count] of rows)
      await pool().query(
        `INSERT INTO telemetry_rollup_minute (bucket, plant_id, interface_id, outcome, shard, count, latency_sum, latency_max, histogram)
         VALUES ($1, $2, $3, $4, 0, $5, 0, 0, '{}')`,
        [bucket, plant.id, interfaceId, outcome, count],
      );
    // The hour rows compaction would write (read instead of minutes for whole-hour windows once compacted).
    await pool().query(
      `INSERT INTO telemetry_rollup_hour (bucket, plant_id, interface_id, outcome, count, latency_sum, latency_max, histogram)
       SELECT date_bin('1 hour', bucket, TIMESTAMPTZ '2000-01-01 00:00:00Z'), plant_id, interface_id, outcome, sum(count), sum(latency_sum), max(latency_max), '{}'
       FROM telemetry_rollup_minute WHERE plant_id = $1 GROUP BY 1, 2, 3, 4`,
      [plant.id],
    );
    await addCalendarEntry(admin, plant.code, { kind: "HOLIDAY", date: "2026-11-11", reason: "Test holiday" });

    const quarter = await suggestExpectation(admin, plant.code, "PRODORD_CONFIRM", { windowMinutes: "15", weekday: "3", hour: "10" }, now);
    expect(quarter.weeks).toEqual([
      { start: "2026-11-25T09:00:00.000Z", windows: [30, 30, 30, 30], low: 30, high: 30, excluded: null },
      { start: "2026-11-18T09:00:00.000Z", windows: [15, 15, 35, 15], low: 15, high: 35, excluded: null },
      { start: "2026-11-11T09:00:00.000Z", windows: [7500, 7500, 7500, 7500], low: 7500, high: 7500, excluded: "Holiday: Test holiday" },
      { start: "2026-11-04T09:00:00.000Z", windows: [45, 45, 45, 45], low: 45, high: 45, excluded: null },
    ]);
    expect(quarter.suggestion).toEqual({ minCount: 7, maxCount: 90 });
    const hour = await suggestExpectation(admin, plant.code, "PRODORD_CONFIRM", { windowMinutes: "60", weekday: "3", hour: "10" }, now);
    expect(hour.weeks.map((w) => w.windows)).toEqual([[120], [80], [30000], [180]]);
    expect(hour).toMatchObject({ timezone: "Europe/Berlin", weekday: 3, hour: 10, suggestion: { minCount: 40, maxCount: 360 } });
    // Default: the current local hour (Wednesday 13:00); nothing was sent then.
    const current = await suggestExpectation(admin, plant.code, "PRODORD_CONFIRM", {}, now);
    expect(current).toMatchObject({ weekday: 3, hour: 13, suggestion: { minCount: 0, maxCount: null } });

    await updateExpectation(admin, plant.code, "PRODORD_CONFIRM", { ...expectation, ...hour.suggestion!, suggested: true });
    const [accepted] = await events("expectation.updated", plant.id);
    expect(accepted!.data).toMatchObject({ suggested: true, after: { minCount: 40, maxCount: 360 } });
  });
});

describe("batch schedules", () => {
  it("validates cron in the plant's zone, shows the next 3 runs there, saves as read and audits", async () => {
    const plant = await testPlant(admin, "Europe/Warsaw", ["FORECAST_IMPORT", "MATERIAL_MASTER"]);
    const body = { cron: "0  5 * * *", completeWithinMinutes: 60, minMessages: 1, enabled: true, expectedUpdatedAt: null };
    const saved = await updateBatchSchedule(admin, plant.code, "FORECAST_IMPORT", body);
    expect(saved).toMatchObject({ cron: "0 5 * * *", completeWithinMinutes: 60, enabled: true });
    expect(saved.nextRuns).toHaveLength(3);
    for (const run of saved.nextRuns) {
      const local = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Warsaw", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(run));
      expect(local).toBe("05:00");
    }
    expect(await answer(updateBatchSchedule(admin, plant.code, "FORECAST_IMPORT", { ...body, cron: "0 5 * *" }))).toMatchObject({
      status: 400,
      code: "invalid_cron",
      message: 'A schedule has 5 fields (minute hour day month weekday), "0 5 * *" has 4',
    });
    expect(
      await answer(updateBatchSchedule(admin, plant.code, "FORECAST_IMPORT", { ...body, cron: "99 5 * * *", expectedUpdatedAt: saved.updatedAt })),
    ).toMatchObject({
      status: 400,
      code: "invalid_cron",
    });
    expect(await answer(updateBatchSchedule(admin, plant.code, "FORECAST_IMPORT", { ...body, cron: "0 6 * * *" }))).toMatchObject({ status: 409 });
    const edits = await Promise.all(
      ["0 6 * * *", "30 5 * * *"].map((cron) =>
        answer(updateBatchSchedule(admin, plant.code, "FORECAST_IMPORT", { ...body, cron, expectedUpdatedAt: saved.updatedAt })),
      ),
    );
    expect(edits.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await answer(updateBatchSchedule(a.managerMty, plant.code, "FORECAST_IMPORT", body))).toMatchObject({ status: 404 });
    expect(await answer(updateBatchSchedule(plant.operator, plant.code, "FORECAST_IMPORT", body))).toMatchObject({ status: 403 });
    const trail = await events("batch_schedule.updated", plant.id);
    expect(trail).toHaveLength(2);
    expect(trail[0]!.data).toEqual({
      plantCode: plant.code,
      interfaceCode: "FORECAST_IMPORT",
      before: null,
      after: { cron: "0 5 * * *", completeWithinMinutes: 60, minMessages: 1, enabled: true },
    });
    const view = await getFlowSettings(admin, plant.code);
    expect(view.flows.find((f) => f.interfaceCode === "FORECAST_IMPORT")!.schedule!.nextRuns).toHaveLength(3);
  });
});

describe("late thresholds and process on the interface", () => {
  it("edits late/escalate factors and the business process (escalate > after ≥ 1), audited as interface.updated", async () => {
    const iface = await db().interface.findUniqueOrThrow({ where: { code: "BOM_RELEASE" } });
    const updated = await updateInterface(admin, iface.id, { lateAfterFactor: 2, lateEscalateFactor: 10, process: "PLANNING" });
    expect(updated).toMatchObject({ lateAfterFactor: 2, lateEscalateFactor: 10, process: "PLANNING" });
    expect(await answer(updateInterface(admin, iface.id, { lateEscalateFactor: 2 }))).toMatchObject({
      status: 400,
      message: "Escalation (2 × SLO) must come after lateness (2 × SLO)",
    });
    expect(await answer(updateInterface(admin, iface.id, { lateAfterFactor: 0.5 }))).toMatchObject({ status: 400 });
    expect(await answer(updateInterface(admin, iface.id, { process: "PARTYING" }))).toMatchObject({ status: 400 });
    expect(await answer(updateInterface(a.operator, iface.id, { lateAfterFactor: 4 }))).toMatchObject({ status: 403 });
    const [last] = await db().auditEvent.findMany({ where: { type: "interface.updated", subjectId: iface.id }, orderBy: { id: "desc" }, take: 1 });
    expect(last!.data).toMatchObject({
      before: { lateAfterFactor: 3, lateEscalateFactor: 20 },
      after: { lateAfterFactor: 2, lateEscalateFactor: 10, process: "PLANNING" },
    });
    await updateInterface(admin, iface.id, { lateAfterFactor: 3, lateEscalateFactor: 20, process: iface.process });
  });
});
