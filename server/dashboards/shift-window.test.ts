import { describe, expect, it } from "vitest";
import type { PlantCalendar } from "../calendar/shifts";
import { isShiftChoice, shiftRange, shiftWindows } from "./shift-window";

// Europe/Berlin in December is UTC+1: 06:00 local = 05:00Z.
const cal: PlantCalendar = {
  timezone: "Europe/Berlin",
  shifts: [
    { name: "Early", weekdays: [1, 2, 3, 4, 5], startMinute: 360, endMinute: 840 },
    { name: "Late", weekdays: [1, 2, 3, 4, 5], startMinute: 840, endMinute: 1320 },
  ],
  entries: [],
};

describe("shift windows", () => {
  it("during a shift: this shift runs from its start to now, last shift is the whole previous one", () => {
    const now = new Date("2026-12-08T09:00:00Z"); // Tuesday 10:00 in Hamburg
    const w = shiftWindows(cal, now);
    expect(w.current).toEqual({ name: "Early", start: "2026-12-08T05:00:00.000Z", end: "2026-12-08T13:00:00.000Z", off: false });
    expect(w.previous).toEqual({ name: "Late", start: "2026-12-07T13:00:00.000Z", end: "2026-12-07T21:00:00.000Z", off: false });
    expect(shiftRange(w.current!, now)).toEqual({ from: "2026-12-08T05:00:00.000Z", to: "2026-12-08T09:00:00.000Z" });
    expect(shiftRange(w.previous!, now)).toEqual({ from: "2026-12-07T13:00:00.000Z", to: "2026-12-07T21:00:00.000Z" });
  });

  it("between shifts (a weekend) there is no current shift; last shift is Friday's late one", () => {
    const w = shiftWindows(cal, new Date("2026-12-12T12:00:00Z")); // Saturday
    expect(w.current).toBeNull();
    expect(w.previous?.name).toBe("Late");
    expect(w.previous?.end).toBe("2026-12-11T21:00:00.000Z");
  });

  it("a shift that has just begun is still a valid range (a minute long)", () => {
    const start = new Date("2026-12-08T05:00:00Z");
    const w = shiftWindows(cal, start);
    expect(shiftRange(w.current!, start)).toEqual({ from: "2026-12-08T05:00:00.000Z", to: "2026-12-08T05:01:00.000Z" });
  });

  it("a plant without shifts has neither window", () => {
    expect(shiftWindows({ ...cal, shifts: [] }, new Date())).toMatchObject({ hasShifts: false, current: null, previous: null });
  });

  it("accepts only the two choices", () => {
    expect(["current", "previous", "next", "", null].map(isShiftChoice)).toEqual([true, true, false, false, false]);
  });
});
