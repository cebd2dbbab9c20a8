import { describe, expect, it } from "vitest";
import { shiftClash, shiftInputSchema } from "./shift-rules";

const early = { name: "Early", weekdays: [1, 2, 3, 4, 5], startMinute: 360, endMinute: 840 };
const late = { name: "Late", weekdays: [1, 2, 3, 4, 5], startMinute: 840, endMinute: 1320 };

describe("shift rules", () => {
  it("parses HH:MM and sorts weekdays; refuses bad times and duplicate days", () => {
    expect(shiftInputSchema.parse({ name: " Night ", weekdays: [5, 1], start: "22:00", end: "06:00" })).toEqual({
      name: "Night",
      weekdays: [1, 5],
      start: 1320,
      end: 360,
    });
    expect(shiftInputSchema.safeParse({ name: "x", weekdays: [1], start: "24:00", end: "06:00" }).success).toBe(false);
    expect(shiftInputSchema.safeParse({ name: "x", weekdays: [1, 1], start: "06:00", end: "07:00" }).success).toBe(false);
    expect(shiftInputSchema.safeParse({ name: "x", weekdays: [0], start: "06:00", end: "07:00" }).success).toBe(false);
    expect(shiftInputSchema.safeParse({ name: "x", weekdays: [1], start: "06:00", end: "07:00", extra: 1 }).success).toBe(false);
  });

  it("adjacent shifts do not clash; overlapping ones do, named with the day and times", () => {
    expect(shiftClash(late, [early])).toBeNull();
    expect(shiftClash({ name: "Mid", weekdays: [3], startMinute: 600, endMinute: 900 }, [early, late])).toBe(
      'The shift overlaps "Early" (Wednesday 06:00–14:00): a plant is in one shift at a time',
    );
    // Different weekdays: no clash.
    expect(shiftClash({ name: "Weekend", weekdays: [6, 7], startMinute: 600, endMinute: 900 }, [early, late])).toBeNull();
  });

  it("a night shift crossing midnight clashes with the next morning, and Sunday night with Monday morning", () => {
    const night = { name: "Night", weekdays: [1], startMinute: 1320, endMinute: 420 }; // Mon 22:00 – Tue 07:00
    expect(shiftClash(night, [early])).toMatch(/"Early" \(Tuesday 06:00–14:00\)/);
    expect(shiftClash({ ...night, endMinute: 360 }, [early, late])).toBeNull();
    const sunday = { name: "Sunday night", weekdays: [7], startMinute: 1320, endMinute: 420 };
    expect(shiftClash(sunday, [early])).toMatch(/Monday 06:00/);
    // A 24-hour shift (start = end) clashes with anything on its day.
    expect(
      shiftClash({ name: "All day", weekdays: [6], startMinute: 0, endMinute: 0 }, [{ name: "Sat", weekdays: [6], startMinute: 600, endMinute: 660 }]),
    ).toMatch(/Sat/);
  });
});
