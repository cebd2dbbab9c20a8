import { describe, expect, it } from "vitest";
import { CronError, nextRuns } from "./cron";

describe("batch schedule cron", () => {
  it("reads 5 fields in the plant's zone", () => {
    // Daily 05:00 Warsaw (UTC+1 in December).
    expect(nextRuns("0 5 * * *", "Europe/Warsaw", new Date("2026-12-06T20:00:00Z"), 3).map((d) => d.toISOString())).toEqual([
      "2026-12-07T04:00:00.000Z",
      "2026-12-08T04:00:00.000Z",
      "2026-12-09T04:00:00.000Z",
    ]);
    expect(nextRuns("0 * * * *", "America/New_York", new Date("2026-12-06T20:10:00Z"), 2).map((d) => d.toISOString())).toEqual([
      "2026-12-06T21:00:00.000Z",
      "2026-12-06T22:00:00.000Z",
    ]);
  });

  it("refuses other field counts, nonsense and schedules that never run", () => {
    expect(() => nextRuns("0 5 * * * *", "UTC", new Date(), 3)).toThrow(/5 fields/);
    expect(() => nextRuns("@daily", "UTC", new Date(), 3)).toThrow(CronError);
    expect(() => nextRuns("61 5 * * *", "UTC", new Date(), 3)).toThrow(/Not a valid schedule/);
    expect(() => nextRuns("0 5 30 2 *", "UTC", new Date(), 3)).toThrow(CronError);
  });
});
