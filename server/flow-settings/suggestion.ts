import { DateTime } from "luxon";

/**
 * The suggested expectation of a flow (pure): from the same hour of the week over the last four weeks,
 * in the plant's time zone (08:00 local stays 08:00 across a DST change).
 *
 * Each sampled hour is cut into windows of the chosen length starting at the hour (a window longer than
 * an hour is one window starting there); each week gives its lowest and highest window count. Weeks whose
 * span touches a holiday or planned downtime of the plant are left out (they say nothing about a normal
 * week). Then:
 *   min = ⌊ lowest window count of the kept weeks × 0.5 ⌋   (half the quietest window seen: a normal quiet
 *                                                            week does not raise a false "stopped")
 *   max = ⌈ highest window count of the kept weeks × 2 ⌉    (twice the busiest: a shift-change burst is not
 *                                                            a flood, a resend storm is); no ceiling when the
 *                                                            flow carried nothing in all kept weeks.
 * Traffic counts as the flow monitor counts it: delivered and failed hops (TRAFFIC_OUTCOMES).
 */
export const SUGGESTION_WEEKS = 4;
export const SUGGESTION_MIN_FACTOR = 0.5;
export const SUGGESTION_MAX_FACTOR = 2;
export const SUGGESTION_RULE =
  "From the same hour of the week in each of the last 4 weeks (weeks with a holiday or planned downtime left out): min = half the quietest window, rounded down; max = twice the busiest window, rounded up (no maximum if the flow carried nothing).";

export type SampleWeek = { start: Date; end: Date; windowStarts: Date[] };

/**
 * The sampled hours: the latest occurrence of ISO weekday `weekday`, local hour `hour` that has ended by
 * `now`, and the three before it, each with its window starts. The span of each is max(60, window) minutes.
 */
export function sampleWeeks(zone: string, weekday: number, hour: number, windowMinutes: number, now: Date): SampleWeek[] {
  const spanMinutes = Math.max(60, windowMinutes);
  const local = DateTime.fromJSDate(now, { zone });
  let base = local.set({ weekday: weekday as 1 | 2 | 3 | 4 | 5 | 6 | 7, hour, minute: 0, second: 0, millisecond: 0 });
  while (base.plus({ minutes: spanMinutes }) > local) base = base.minus({ weeks: 1 });
  const windows = windowMinutes < 60 ? Math.floor(60 / windowMinutes) : 1;
  return Array.from({ length: SUGGESTION_WEEKS }, (_, k) => {
    const start = base.minus({ weeks: k });
    return {
      start: start.toJSDate(),
      end: start.plus({ minutes: spanMinutes }).toJSDate(),
      windowStarts: Array.from({ length: windows }, (_, i) => start.plus({ minutes: i * windowMinutes }).toJSDate()),
    };
  });
}

/** Counts per window from per-minute counts (epoch ms of the minute → count). */
export function windowCounts(week: SampleWeek, windowMinutes: number, perMinute: ReadonlyMap<number, number>): number[] {
  return week.windowStarts.map((s) => {
    let n = 0;
    for (const [minute, count] of perMinute) if (minute >= s.getTime() && minute < s.getTime() + windowMinutes * 60_000) n += count;
    return n;
  });
}

export type ObservedWeek = { start: string; windows: number[]; low: number; high: number; excluded: string | null };
export type Suggestion = { minCount: number; maxCount: number | null } | null;

export function suggest(weeks: readonly ObservedWeek[]): Suggestion {
  const kept = weeks.filter((w) => w.excluded === null);
  if (kept.length === 0) return null;
  const low = Math.min(...kept.map((w) => w.low));
  const high = Math.max(...kept.map((w) => w.high));
  return { minCount: Math.max(0, Math.floor(low * SUGGESTION_MIN_FACTOR)), maxCount: high === 0 ? null : Math.ceil(high * SUGGESTION_MAX_FACTOR) };
}

export function observe(start: Date, windows: number[], excluded: string | null): ObservedWeek {
  return { start: start.toISOString(), windows, low: windows.length ? Math.min(...windows) : 0, high: windows.length ? Math.max(...windows) : 0, excluded };
}
