import { describe, expect, it } from "vitest";
import type { PlantCalendar } from "../calendar/shifts";
import {
  type Expectation,
  coveredMs,
  escalateAfterMs,
  flowWindow,
  judgeFlow,
  judgeRun,
  lateAfterMs,
  latestRunDue,
  productionSpans,
  productionStart,
  runCompletedLate,
  runsDue,
  silenceThresholdMs,
  stuckHop,
} from "./rules";

const MIN = 60_000;
const H = 60 * MIN;
const at = (iso: string) => new Date(iso);
// Berlin, Mon–Fri 06:00–14:00 and 14:00–22:00; Wednesday 2026-12-09 is UTC+1.
const cal: PlantCalendar = {
  timezone: "Europe/Berlin",
  shifts: [
    { name: "Early", weekdays: [1, 2, 3, 4, 5], startMinute: 360, endMinute: 840 },
    { name: "Late", weekdays: [1, 2, 3, 4, 5], startMinute: 840, endMinute: 1320 },
  ],
  entries: [{ kind: "DOWNTIME", startsAt: at("2026-12-09T09:00:00Z"), endsAt: at("2026-12-09T10:00:00Z"), reason: "maintenance" }],
};
const hourly: Expectation = { windowMinutes: 60, minCount: 30, maxCount: 120, productionOnly: true };

describe("silence threshold", () => {
  it("is three mean gaps at the minimum rate, at least a minute, in whole minutes", () => {
    expect(silenceThresholdMs({ windowMinutes: 60, minCount: 30 })).toBe(6 * MIN); // gap 2 min
    expect(silenceThresholdMs({ windowMinutes: 60, minCount: 600 })).toBe(MIN); // gap 6 s → floor
    expect(silenceThresholdMs({ windowMinutes: 60, minCount: 7 })).toBe(26 * MIN); // 25.7 min → 26
    expect(silenceThresholdMs({ windowMinutes: 60, minCount: 0 })).toBeNull();
  });
});

describe("production spans", () => {
  it("walk back through production time, skipping the night, the weekend and downtime", () => {
    const now = at("2026-12-14T05:03:00Z"); // Monday 06:03 Berlin
    const spans = productionSpans(cal, true, new Date(now.getTime() - 8 * 24 * H), now);
    // 6 minutes of production before Monday 06:03 reach back to Friday 21:57 Berlin.
    expect(productionStart(spans, now, 6 * MIN)?.toISOString()).toBe("2026-12-11T20:57:00.000Z");
    // Wednesday's downtime 10:00–11:00 Berlin is not production.
    expect(coveredMs(spans, at("2026-12-09T08:30:00Z"), at("2026-12-09T10:30:00Z"))).toBe(H);
    expect(productionStart(spans, at("2026-12-09T10:02:00Z"), 5 * MIN)?.toISOString()).toBe("2026-12-09T08:57:00.000Z");
  });

  it("treat a plant without shifts as producing around the clock, and expectations not limited to production likewise", () => {
    const bare: PlantCalendar = { timezone: "Europe/Berlin", shifts: [], entries: [] };
    const from = at("2026-12-12T00:00:00Z");
    const to = at("2026-12-13T00:00:00Z");
    expect(coveredMs(productionSpans(bare, true, from, to), from, to)).toBe(24 * H);
    expect(coveredMs(productionSpans(cal, false, from, to), from, to)).toBe(24 * H);
    expect(coveredMs(productionSpans(cal, true, from, to), from, to)).toBe(0); // Saturday
  });
});

describe("judging a flow", () => {
  const spansAt = (now: Date) => productionSpans(cal, true, new Date(now.getTime() - 8 * 24 * H), now);
  const counts = (inWindow: number, sinceSilenceStart: number) => ({ inWindow, sinceSilenceStart, lastTrafficAt: null });

  it("is stopped by silence within minutes, whatever the window", () => {
    const now = at("2026-12-09T11:30:00Z"); // Wednesday 12:30 Berlin
    const w = flowWindow(hourly, spansAt(now), now);
    expect(w.windowEvaluable).toBe(true);
    expect(w.silenceSince?.toISOString()).toBe("2026-12-09T11:24:00.000Z");
    expect(judgeFlow(hourly, w, counts(50, 0), true)[0]).toEqual({ kind: "STOPPED", rule: "silence" });
    expect(judgeFlow(hourly, w, counts(20, 3), true)[0]).toEqual({ kind: "STOPPED", rule: "below_minimum" });
    expect(judgeFlow(hourly, w, counts(200, 3), true)[0]).toEqual({ kind: "FLOOD" });
    expect(judgeFlow(hourly, w, counts(60, 3), true)).toEqual([{ kind: "NONE", stoppedResolution: "traffic_resumed", floodResolution: "traffic_normal" }]);
  });

  it("is not stopped while the source connector is silent (connector down)", () => {
    const now = at("2026-12-09T11:30:00Z");
    const w = flowWindow(hourly, spansAt(now), now);
    expect(judgeFlow(hourly, w, counts(0, 0), false)).toEqual([{ kind: "NONE", stoppedResolution: "connector_down", floodResolution: "traffic_normal" }]);
  });

  it("judges nothing outside production, and the window only when it is production time throughout", () => {
    const saturday = at("2026-12-12T11:00:00Z");
    const w = flowWindow(hourly, spansAt(saturday), saturday);
    expect(w.inProduction).toBe(false);
    expect(judgeFlow(hourly, w, counts(0, 0), true)).toEqual([{ kind: "NONE", stoppedResolution: "production_ended", floodResolution: "production_ended" }]);
    // 11:30 Berlin on Wednesday, half an hour after the downtime (10:00–11:00): the hourly window is not judged; silence is.
    const after = at("2026-12-09T10:30:00Z");
    const w2 = flowWindow(hourly, spansAt(after), after);
    expect(w2.windowEvaluable).toBe(false);
    expect(w2.inProduction).toBe(true);
    expect(judgeFlow(hourly, w2, counts(0, 4), true).map((v) => v.kind)).toEqual(["NONE"]);
    expect(judgeFlow(hourly, w2, counts(0, 0), true)[0]).toEqual({ kind: "STOPPED", rule: "silence" });
    // During the downtime itself: not production.
    const during = at("2026-12-09T09:10:00Z");
    expect(flowWindow(hourly, spansAt(during), during).inProduction).toBe(false);
  });
});

describe("batch runs", () => {
  const schedule = { cron: "0 6 * * *", completeWithinMinutes: 60, createdAt: at("2026-12-01T00:00:00Z") };

  it("lists the runs whose deadline passed in the range, in the plant's zone", () => {
    const runs = runsDue(schedule, "Europe/Berlin", at("2026-12-08T12:00:00Z"), at("2026-12-09T12:00:00Z"));
    expect(runs.map((r) => [r.start.toISOString(), r.deadline.toISOString()])).toEqual([["2026-12-09T05:00:00.000Z", "2026-12-09T06:00:00.000Z"]]);
    // Not before the schedule existed; the deadline must have passed.
    expect(runsDue({ ...schedule, createdAt: at("2026-12-09T05:30:00Z") }, "Europe/Berlin", at("2026-12-08T12:00:00Z"), at("2026-12-09T12:00:00Z"))).toEqual(
      [],
    );
    expect(runsDue(schedule, "Europe/Berlin", at("2026-12-08T12:00:00Z"), at("2026-12-09T05:59:00Z"))).toEqual([]);
    expect(latestRunDue(schedule, "Europe/Berlin", at("2026-12-09T05:59:00Z"))?.start.toISOString()).toBe("2026-12-08T05:00:00.000Z");
    expect(latestRunDue(schedule, "Europe/Berlin", at("2026-12-09T06:00:00Z"))?.start.toISOString()).toBe("2026-12-09T05:00:00.000Z");
  });

  it("judges a run missed, incomplete or complete, and a late completion", () => {
    expect(judgeRun(2, { deliveredByDeadline: 0, failed: 0 })).toBe("missed");
    expect(judgeRun(2, { deliveredByDeadline: 1, failed: 0 })).toBe("incomplete");
    expect(judgeRun(2, { deliveredByDeadline: 5, failed: 1 })).toBe("incomplete");
    expect(judgeRun(2, { deliveredByDeadline: 2, failed: 0 })).toBe("ok");
    expect(runCompletedLate(2, { lateDelivered: 2, lateFailed: 0, latePending: 0 })).toBe(true);
    expect(runCompletedLate(2, { lateDelivered: 2, lateFailed: 1, latePending: 0 })).toBe(false);
    expect(runCompletedLate(2, { lateDelivered: 2, lateFailed: 0, latePending: 1 })).toBe(false);
  });
});

describe("late messages", () => {
  it("are late after the first factor × SLO and escalate after the second, never before being late", () => {
    expect(lateAfterMs({ latencySloMs: 5_000, lateAfterFactor: 3, lateEscalateFactor: 20 })).toBe(15_000);
    expect(escalateAfterMs({ latencySloMs: 5_000, lateAfterFactor: 3, lateEscalateFactor: 20 })).toBe(100_000);
    expect(escalateAfterMs({ latencySloMs: 5_000, lateAfterFactor: 3, lateEscalateFactor: 2 })).toBe(15_000);
  });

  it("are stuck on the latest hop that did not deliver, else the first target not delivered to", () => {
    const hops = {
      "MES>SAP_ERP": { outcome: "delivered", at: "2026-12-09T10:00:00Z" },
      "SAP_ERP>ODOO": { outcome: "retrying", at: "2026-12-09T10:00:05Z" },
    };
    expect(stuckHop(hops, "MES", ["SAP_ERP", "ODOO"])).toEqual({ source: "SAP_ERP", target: "ODOO" });
    expect(stuckHop({ "MES>SAP_ERP": { outcome: "delivered" } }, "MES", ["SAP_ERP", "ODOO"])).toEqual({ source: "MES", target: "ODOO" });
    expect(stuckHop(null, "MES", ["SAP_ERP"])).toEqual({ source: "MES", target: "SAP_ERP" });
  });
});
