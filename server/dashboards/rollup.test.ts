import { describe, expect, it } from "vitest";
import { lateHours, planRollupRead } from "./rollup";

const d = (s: string) => new Date(s);
const iso = (xs: [Date, Date][]) => xs.map(([a, b]) => [a.toISOString(), b.toISOString()]);

describe("which rollup rows answer a range", () => {
  const hourWm = d("2026-11-23T10:00:00Z");
  const dayWm = d("2026-11-23T00:00:00Z");

  it("reads minute edges, hour edges and whole days, each instant exactly once", () => {
    const p = planRollupRead(d("2026-11-20T07:30:00Z"), d("2026-11-23T12:15:00Z"), hourWm, dayWm, []);
    expect(iso(p.minutes)).toEqual([
      ["2026-11-20T07:30:00.000Z", "2026-11-20T08:00:00.000Z"],
      ["2026-11-23T10:00:00.000Z", "2026-11-23T12:15:00.000Z"],
    ]);
    expect(iso(p.hours)).toEqual([
      ["2026-11-20T08:00:00.000Z", "2026-11-21T00:00:00.000Z"],
      ["2026-11-23T00:00:00.000Z", "2026-11-23T10:00:00.000Z"],
    ]);
    expect(iso([p.days!])).toEqual([["2026-11-21T00:00:00.000Z", "2026-11-23T00:00:00.000Z"]]);
  });

  it("uses minutes only before the first compaction or for ranges inside one hour", () => {
    expect(planRollupRead(d("2026-11-20T07:30:00Z"), d("2026-11-23T12:15:00Z"), null, null, []).minutes).toHaveLength(1);
    expect(planRollupRead(d("2026-11-23T08:05:00Z"), d("2026-11-23T08:55:00Z"), hourWm, dayWm, []).hours).toEqual([]);
    // Before the epoch too: "no watermark" is not 1970 (a range in year 0 read hour rows that cannot exist).
    const old = planRollupRead(d("0000-01-01T00:00:00Z"), d("0000-01-02T00:00:00Z"), null, null, []);
    expect(old).toMatchObject({ hours: [], days: null });
    expect(old.minutes).toHaveLength(1);
  });

  it("reads a dirty hour from its minutes and its day hour by hour", () => {
    const p = planRollupRead(d("2026-11-20T00:00:00Z"), d("2026-11-23T10:00:00Z"), hourWm, dayWm, [
      d("2026-11-21T05:00:00Z"),
      d("2026-11-23T03:00:00Z"),
      d("2026-11-10T00:00:00Z"),
    ]);
    expect(p.dirtyHours.map((x) => x.toISOString())).toEqual(["2026-11-21T05:00:00.000Z", "2026-11-23T03:00:00.000Z"]);
    expect(p.dirtyDays.map((x) => x.toISOString())).toEqual(["2026-11-21T00:00:00.000Z"]);
    expect(p.dirtyDayHours).toHaveLength(24);
    expect(p.dirtyDayHours[5]!.toISOString()).toBe("2026-11-21T05:00:00.000Z");
  });

  it("marks late telemetry's hours dirty once per hour, never the current hour", () => {
    const now = d("2026-11-23T10:20:00Z").getTime();
    expect(
      lateHours([d("2026-11-23T10:01:00Z"), d("2026-11-23T09:59:59Z"), d("2026-11-23T09:00:00Z"), d("2026-11-22T23:30:00Z")], now).map((h) =>
        new Date(h).toISOString(),
      ),
    ).toEqual(["2026-11-22T23:00:00.000Z", "2026-11-23T09:00:00.000Z"]);
  });
});
