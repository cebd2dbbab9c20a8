import { describe, expect, it } from "vitest";
import { observe, sampleWeeks, suggest, windowCounts } from "./suggestion";

describe("suggested expectation", () => {
  it("samples the same local hour in the last four weeks, across a DST change", () => {
    // Wednesday 2026-11-11 10:30 Berlin (UTC+1); Wednesday 10:00 local, 60-minute windows.
    const weeks = sampleWeeks("Europe/Berlin", 3, 10, 60, new Date("2026-11-11T09:30:00Z"));
    // Today's 10:00–11:00 has not ended: the latest is last week's.
    expect(weeks.map((w) => w.start.toISOString())).toEqual([
      "2026-11-04T09:00:00.000Z",
      "2026-10-28T09:00:00.000Z",
      "2026-10-21T08:00:00.000Z", // summer time: 10:00 local is 08:00 UTC
      "2026-10-14T08:00:00.000Z",
    ]);
    expect(weeks[0]!.windowStarts).toHaveLength(1);
    const quarter = sampleWeeks("Europe/Berlin", 3, 10, 15, new Date("2026-11-11T10:00:00Z"));
    expect(quarter[0]!.start.toISOString()).toBe("2026-11-11T09:00:00.000Z");
    expect(quarter[0]!.windowStarts.map((d) => d.toISOString().slice(11, 16))).toEqual(["09:00", "09:15", "09:30", "09:45"]);
  });

  it("counts per window and applies half the quietest / twice the busiest, leaving out excluded weeks", () => {
    const [week] = sampleWeeks("UTC", 1, 8, 30, new Date("2026-12-07T12:00:00Z"));
    const minute = (hhmm: string) => new Date(`2026-12-07T${hhmm}:00Z`).getTime();
    const counts = new Map([
      [minute("08:00"), 3],
      [minute("08:29"), 4],
      [minute("08:30"), 10],
      [minute("09:00"), 99], // the next hour: not counted
    ]);
    expect(windowCounts(week!, 30, counts)).toEqual([7, 10]);
    const weeks = [
      observe(new Date(), [7, 10], null),
      observe(new Date(), [12, 15], null),
      observe(new Date(), [0, 0], "Holiday: Christmas"),
      observe(new Date(), [9, 21], null),
    ];
    expect(suggest(weeks)).toEqual({ minCount: 3, maxCount: 42 });
    expect(suggest([observe(new Date(), [0], null)])).toEqual({ minCount: 0, maxCount: null });
    expect(suggest([observe(new Date(), [1], null)])).toEqual({ minCount: 0, maxCount: 2 });
    expect(suggest([observe(new Date(), [5], "Downtime")])).toBeNull();
  });
});
