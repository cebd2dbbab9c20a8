import { describe, expect, it } from "vitest";
import { isoToZoned, zonedToIso } from "./timezone";

describe("plant timezone conversions", () => {
  it("reads wall-clock time in the plant's zone, across DST", () => {
    expect(zonedToIso("2026-11-23T08:00", "Europe/Berlin")).toBe("2026-11-23T07:00:00.000Z"); // CET
    expect(zonedToIso("2026-07-01T08:00", "Europe/Berlin")).toBe("2026-07-01T06:00:00.000Z"); // CEST
    expect(zonedToIso("2026-11-23T08:00", "America/Monterrey")).toBe("2026-11-23T14:00:00.000Z");
    expect(zonedToIso("2026-03-08T12:00", "America/New_York")).toBe("2026-03-08T16:00:00.000Z"); // the day DST starts
  });
  it("round-trips (away from the hour a DST change repeats, which is ambiguous by nature)", () => {
    for (const tz of ["Europe/Warsaw", "America/New_York", "Asia/Kolkata", "UTC"]) {
      for (const iso of ["2026-10-24T12:30:00.000Z", "2026-03-29T05:15:00.000Z", "2026-12-31T23:59:00.000Z"])
        expect(zonedToIso(isoToZoned(iso, tz), tz)).toBe(iso);
    }
  });
  it("refuses garbage", () => {
    expect(() => zonedToIso("yesterday", "UTC")).toThrow(/Not a date/);
  });
});
