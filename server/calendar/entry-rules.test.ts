import { describe, expect, it } from "vitest";
import { EntryRuleError, entryInputSchema, entryInstants } from "./entry-rules";

describe("calendar entry rules", () => {
  it("a holiday is the plant's local day, 23 hours long on a spring DST day", () => {
    expect(entryInstants({ kind: "HOLIDAY", date: "2026-12-25", reason: "Christmas" }, "Europe/Berlin")).toEqual({
      startsAt: new Date("2026-12-24T23:00:00Z"),
      endsAt: new Date("2026-12-25T23:00:00Z"),
    });
    expect(entryInstants({ kind: "HOLIDAY", date: "2026-12-25", reason: "Christmas" }, "America/New_York")).toEqual({
      startsAt: new Date("2026-12-25T05:00:00Z"),
      endsAt: new Date("2026-12-26T05:00:00Z"),
    });
    const spring = entryInstants({ kind: "HOLIDAY", date: "2027-03-28", reason: "DST" }, "Europe/Warsaw");
    expect(spring.endsAt.getTime() - spring.startsAt.getTime()).toBe(23 * 3_600_000);
  });

  it("downtime in local time; refuses an end before the start, a time skipped by DST and nonsense dates", () => {
    expect(entryInstants({ kind: "DOWNTIME", start: "2027-01-09T06:00", end: "2027-01-09T14:00", reason: "Line 2 retooling" }, "Europe/Warsaw")).toEqual({
      startsAt: new Date("2027-01-09T05:00:00Z"),
      endsAt: new Date("2027-01-09T13:00:00Z"),
    });
    const bad = (start: string, end: string) => () => entryInstants({ kind: "DOWNTIME", start, end, reason: "x y" }, "Europe/Berlin");
    expect(bad("2027-01-09T14:00", "2027-01-09T06:00")).toThrow(EntryRuleError);
    expect(bad("2027-03-28T02:30", "2027-03-28T05:00")).toThrow(/does not exist in Europe\/Berlin/);
    expect(bad("2027-02-30T02:30", "2027-03-01T05:00")).toThrow(/not a valid date/);
    expect(bad("2027-01-01T00:00", "2029-01-01T00:00")).toThrow(/at most 366 days/);
    expect(() => entryInstants({ kind: "HOLIDAY", date: "2027-13-01", reason: "x y" }, "UTC")).toThrow(EntryRuleError);
  });

  it("the schema refuses unknown kinds, extra keys and missing reasons", () => {
    expect(entryInputSchema.safeParse({ kind: "PARTY", date: "2027-01-01", reason: "xx" }).success).toBe(false);
    expect(entryInputSchema.safeParse({ kind: "HOLIDAY", date: "2027-01-01" }).success).toBe(false);
    expect(entryInputSchema.safeParse({ kind: "HOLIDAY", date: "2027-01-01", reason: "New year", start: "x" }).success).toBe(false);
  });
});
