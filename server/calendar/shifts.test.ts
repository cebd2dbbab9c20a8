import { describe, expect, it } from "vitest";
import { type PlantCalendar, currentShift, isProduction, previousShift, productionIntervals, productionMs, shiftDefSchema, shiftOccurrences } from "./shifts";

const H = 3_600_000;
// Europe/Berlin, Mon–Fri early 06:00–14:00 and late 14:00–22:00, a night shift Mon–Thu 22:00–06:00.
const cal: PlantCalendar = {
  timezone: "Europe/Berlin",
  shifts: [
    { name: "Early", weekdays: [1, 2, 3, 4, 5], startMinute: 360, endMinute: 840 },
    { name: "Late", weekdays: [1, 2, 3, 4, 5], startMinute: 840, endMinute: 1320 },
    { name: "Night", weekdays: [1, 2, 3, 4], startMinute: 1320, endMinute: 360 },
  ],
  entries: [],
};
const at = (iso: string) => new Date(iso);

describe("shift calendar", () => {
  it("lists occurrences in the plant's zone, a night shift ending the next morning", () => {
    // Wednesday 2026-12-09 in Berlin is UTC+1.
    const occ = shiftOccurrences(cal, at("2026-12-09T00:00:00Z"), at("2026-12-10T00:00:00Z"));
    expect(occ.map((o) => [o.name, o.start.toISOString(), o.end.toISOString()])).toEqual([
      ["Night", "2026-12-08T21:00:00.000Z", "2026-12-09T05:00:00.000Z"],
      ["Early", "2026-12-09T05:00:00.000Z", "2026-12-09T13:00:00.000Z"],
      ["Late", "2026-12-09T13:00:00.000Z", "2026-12-09T21:00:00.000Z"],
      ["Night", "2026-12-09T21:00:00.000Z", "2026-12-10T05:00:00.000Z"],
    ]);
  });

  it("produces nothing on the weekend, and a holiday removes its shifts", () => {
    // Saturday 2026-12-12 and Sunday: no shift; Friday night has none either.
    expect(productionMs(cal, at("2026-12-11T21:00:00Z"), at("2026-12-13T23:00:00Z"))).toBe(0);
    const holiday: PlantCalendar = {
      ...cal,
      entries: [{ kind: "HOLIDAY", startsAt: at("2026-12-23T23:00:00Z"), endsAt: at("2026-12-24T23:00:00Z"), reason: "Christmas Eve" }],
    };
    // Thursday 24 Dec: the night from Wednesday runs until 06:00 local (05:00 UTC) = 0 after midnight local (23:00 UTC) → cut by the holiday.
    const day = productionIntervals(holiday, at("2026-12-23T23:00:00Z"), at("2026-12-24T23:00:00Z"));
    expect(day).toEqual([]);
    expect(shiftOccurrences(holiday, at("2026-12-24T06:00:00Z"), at("2026-12-24T07:00:00Z"))[0]).toMatchObject({ name: "Early", off: true });
  });

  it("cuts planned downtime out of a shift and merges adjacent shifts", () => {
    const down: PlantCalendar = {
      ...cal,
      entries: [{ kind: "DOWNTIME", startsAt: at("2026-12-09T09:00:00Z"), endsAt: at("2026-12-09T10:30:00Z"), reason: "Line 2 maintenance" }],
    };
    const iv = productionIntervals(down, at("2026-12-09T05:00:00Z"), at("2026-12-09T21:00:00Z"));
    expect(iv.map((i) => [i.start.toISOString(), i.end.toISOString()])).toEqual([
      ["2026-12-09T05:00:00.000Z", "2026-12-09T09:00:00.000Z"],
      ["2026-12-09T10:30:00.000Z", "2026-12-09T21:00:00.000Z"],
    ]);
    expect(productionMs(down, at("2026-12-09T05:00:00Z"), at("2026-12-09T21:00:00Z"))).toBe(14.5 * H);
    expect(isProduction(down, at("2026-12-09T09:30:00Z"))).toBe(false);
    expect(isProduction(down, at("2026-12-09T11:00:00Z"))).toBe(true);
  });

  it("keeps wall-clock times across a daylight-saving change", () => {
    // 2027-03-29 is the Monday after Berlin moved to UTC+2: early shift 06:00 local = 04:00 UTC.
    const occ = shiftOccurrences(cal, at("2027-03-29T03:00:00Z"), at("2027-03-29T05:00:00Z"));
    expect(occ.find((o) => o.name === "Early")?.start.toISOString()).toBe("2027-03-29T04:00:00.000Z");
  });

  it("knows the current and the previous shift", () => {
    expect(currentShift(cal, at("2026-12-09T14:00:00Z"))?.name).toBe("Late");
    expect(previousShift(cal, at("2026-12-09T14:00:00Z"))).toMatchObject({ name: "Early", end: at("2026-12-09T13:00:00Z") });
    // Saturday noon: no shift now; the last one was Friday's late shift.
    expect(currentShift(cal, at("2026-12-12T12:00:00Z"))).toBeNull();
    expect(previousShift(cal, at("2026-12-12T12:00:00Z"))).toMatchObject({ name: "Late", end: at("2026-12-11T21:00:00Z") });
  });

  it("validates a shift definition", () => {
    expect(shiftDefSchema.safeParse({ name: "Early", weekdays: [1, 2], startMinute: 360, endMinute: 840 }).success).toBe(true);
    expect(shiftDefSchema.safeParse({ name: "", weekdays: [1], startMinute: 0, endMinute: 10 }).success).toBe(false);
    expect(shiftDefSchema.safeParse({ name: "X", weekdays: [1, 1], startMinute: 0, endMinute: 10 }).success).toBe(false);
    expect(shiftDefSchema.safeParse({ name: "X", weekdays: [8], startMinute: 0, endMinute: 10 }).success).toBe(false);
    expect(shiftDefSchema.safeParse({ name: "X", weekdays: [1], startMinute: 600, endMinute: 600 }).success).toBe(false);
  });
});
