import cronParser from "cron-parser";
import type { Interval, PlantCalendar, ShiftDef } from "../calendar/shifts";
import { productionIntervals } from "../calendar/shifts";
import type { SystemKind } from "../db/generated/enums";

/**
 * The flow monitor's rules, pure (no database, no clock): what counts as traffic, when a flow is
 * stopped or flooded, which batch runs were due, how long a message may stay undelivered. The
 * monitor run (run-monitor.ts) feeds them what it read and writes what they decide.
 */

/**
 * Traffic = messages reported with an end outcome (delivered or failed), counted from the per-minute
 * rollups: the figure the dashboards call "messages". RECEIVED and RETRYING are intermediate steps of
 * the same message (counting them would count a message two or three times); a resend storm shows up
 * as many deliveries or failures. Expected-traffic suggestions must count the same way.
 */
export const TRAFFIC_OUTCOMES = ["DELIVERED", "FAILED"] as const;

/** How far back the monitor looks for production time (a long weekend plus a holiday). */
export const LOOKBACK_MS = 8 * 24 * 3_600_000;
/** The silence rule fires after at least this long without traffic (one minute bucket plus the cadence). */
export const SILENCE_FLOOR_MS = 60_000;
/** …or this many mean gaps at the minimum expected rate, whichever is longer. */
export const SILENCE_GAPS = 3;
/** Late messages, flows and runs handled per run and step at most (oldest first); the rest wait for the next minute. */
export const MONITOR_BATCH = 5_000;
/** Batch runs whose deadline passed this long ago are no longer opened as findings. */
export const MISSED_RUN_LOOKBACK_MS = 24 * 3_600_000;
/** A run may still complete late within this many times its "complete within" window after its start. */
export const LATE_COMPLETION_FACTOR = 2;

const MINUTE = 60_000;
export const floorMinute = (d: Date) => new Date(Math.floor(d.getTime() / MINUTE) * MINUTE);

/** Why an open finding cleared (finding.resolution); people resolve with their own words through the findings views. */
export const FINDING_RESOLUTIONS = {
  delivered: "delivered",
  failedReported: "failed_reported",
  escalated: "escalated",
  transactionRemoved: "transaction_removed",
  trafficResumed: "traffic_resumed",
  trafficNormal: "traffic_normal",
  productionEnded: "production_ended",
  connectorDown: "connector_down",
  expectationRemoved: "expectation_removed",
  interfaceDisabled: "interface_disabled",
  runCompleted: "run_completed",
  superseded: "superseded",
  scheduleRemoved: "schedule_removed",
} as const;
export type FindingResolution = (typeof FINDING_RESOLUTIONS)[keyof typeof FINDING_RESOLUTIONS];

// ---------------------------------------------------------------------------------------------------
// Production time

/** A calendar without shifts has not been set up: every hour counts as production (minus its entries), so a stop is never hidden by a missing calendar. */
const ALL_DAY: ShiftDef = { name: "All day", weekdays: [1, 2, 3, 4, 5, 6, 7], startMinute: 0, endMinute: 0 };

/**
 * The production intervals of [from, to): the plant's calendar when the expectation holds for production
 * time only, the whole span otherwise.
 */
export function productionSpans(cal: PlantCalendar | undefined, productionOnly: boolean, from: Date, to: Date): Interval[] {
  if (!(from < to)) return [];
  if (!productionOnly) return [{ start: from, end: to }];
  const calendar = cal?.shifts.length ? cal : { timezone: cal?.timezone ?? "UTC", shifts: [ALL_DAY], entries: cal?.entries ?? [] };
  return productionIntervals(calendar, from, to);
}

/** Milliseconds of [from, to) covered by the (sorted, disjoint) intervals. */
export function coveredMs(intervals: Interval[], from: Date, to: Date): number {
  let ms = 0;
  for (const i of intervals) {
    const s = Math.max(i.start.getTime(), from.getTime());
    const e = Math.min(i.end.getTime(), to.getTime());
    if (e > s) ms += e - s;
  }
  return ms;
}

/** Whether the instant lies in one of the intervals. */
export function covers(intervals: Interval[], at: Date): boolean {
  return intervals.some((i) => i.start <= at && at < i.end);
}

/**
 * The instant P such that [P, end) holds exactly `needMs` of production time (walking back through the
 * intervals, which end at or before `end`), or null when they hold less.
 */
export function productionStart(intervals: Interval[], end: Date, needMs: number): Date | null {
  let left = needMs;
  for (let k = intervals.length - 1; k >= 0; k--) {
    const i = intervals[k]!;
    const e = Math.min(i.end.getTime(), end.getTime());
    const s = i.start.getTime();
    if (e <= s) continue;
    if (e - s >= left) return new Date(e - left);
    left -= e - s;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------
// Expected traffic: STOPPED and FLOOD

export type Expectation = { windowMinutes: number; minCount: number; maxCount: number | null; productionOnly: boolean };

/**
 * How long a flow may stay silent in production before it counts as stopped: SILENCE_GAPS mean gaps at
 * the minimum expected rate (window / min count), at least SILENCE_FLOOR_MS, in whole minutes (the
 * rollups' resolution). Null when no traffic is required (min count 0).
 */
export function silenceThresholdMs(e: Pick<Expectation, "windowMinutes" | "minCount">): number | null {
  if (e.minCount < 1) return null;
  const gaps = (SILENCE_GAPS * e.windowMinutes * MINUTE) / e.minCount;
  return Math.ceil(Math.max(SILENCE_FLOOR_MS, gaps) / MINUTE) * MINUTE;
}

/** What the monitor reads for one expectation at `now`: the window, and where the silence rule starts. */
export type FlowWindow = {
  /** The window of complete minutes [from, to) (to = now rounded down to the minute). */
  from: Date;
  to: Date;
  /** The window is production time throughout (always, for expectations not limited to production). */
  windowEvaluable: boolean;
  /** The plant produces now (always, for expectations not limited to production). */
  inProduction: boolean;
  /** The silence rule looks for traffic since here (null: no silence rule, or too little production time in the lookback). */
  silenceSince: Date | null;
  silenceMs: number | null;
};

export function flowWindow(e: Expectation, intervals: Interval[], now: Date): FlowWindow {
  const to = floorMinute(now);
  const from = new Date(to.getTime() - e.windowMinutes * MINUTE);
  const windowEvaluable = !e.productionOnly || coveredMs(intervals, from, to) === to.getTime() - from.getTime();
  const inProduction = !e.productionOnly || covers(intervals, new Date(now.getTime() - 1));
  const silenceMs = silenceThresholdMs(e);
  const silenceSince = silenceMs === null ? null : productionStart(intervals, now, silenceMs);
  return { from, to, windowEvaluable, inProduction, silenceSince, silenceMs };
}

export type FlowCounts = {
  /** Traffic in [from, to). */
  inWindow: number;
  /** Traffic in the minutes from silenceSince's minute to now (null: not read). */
  sinceSilenceStart: number | null;
  /** The last minute with traffic within what was read, if any. */
  lastTrafficAt: Date | null;
};

export type FlowVerdict =
  | { kind: "STOPPED"; rule: "silence" | "below_minimum" }
  | { kind: "FLOOD" }
  | { kind: "NONE"; stoppedResolution: FindingResolution; floodResolution: FindingResolution };

/**
 * STOPPED when, in production and with the plant's connector for the interface's source system alive,
 *  - nothing arrived for the silence threshold of production time ("silence": a stop is seen within
 *    minutes, whatever the window), or
 *  - the window (wholly production time) holds fewer messages than the minimum ("below_minimum": a flow
 *    that slowed down);
 * FLOOD when the window (wholly production time) holds more than the maximum. A silent connector is
 * "connector down" (the CONNECTOR_SILENT alert), not a stopped flow. Otherwise the verdict says why an
 * open finding of either kind would clear now.
 */
export function judgeFlow(e: Expectation, w: FlowWindow, c: FlowCounts, connectorAlive: boolean): FlowVerdict[] {
  const out: FlowVerdict[] = [];
  const silent = w.inProduction && w.silenceSince !== null && c.sinceSilenceStart === 0;
  const below = e.minCount >= 1 && w.windowEvaluable && w.inProduction && c.inWindow < e.minCount;
  if ((silent || below) && connectorAlive) out.push({ kind: "STOPPED", rule: silent ? "silence" : "below_minimum" });
  if (e.maxCount !== null && w.windowEvaluable && w.inProduction && c.inWindow > e.maxCount) out.push({ kind: "FLOOD" });
  const stoppedResolution: FindingResolution = !w.inProduction
    ? FINDING_RESOLUTIONS.productionEnded
    : !connectorAlive && (silent || below)
      ? FINDING_RESOLUTIONS.connectorDown
      : FINDING_RESOLUTIONS.trafficResumed;
  const floodResolution: FindingResolution = !w.inProduction || !w.windowEvaluable ? FINDING_RESOLUTIONS.productionEnded : FINDING_RESOLUTIONS.trafficNormal;
  out.push({ kind: "NONE", stoppedResolution, floodResolution });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Batch schedules: MISSED_RUN

export type Schedule = { cron: string; completeWithinMinutes: number; createdAt: Date };
export type ScheduledRun = { start: Date; deadline: Date };

/** Whether a cron expression parses (5 fields, or 6 with seconds), for validation at the boundary. */
export function cronIsValid(cron: string): boolean {
  try {
    cronParser.parseExpression(cron, { tz: "UTC" });
    return true;
  } catch {
    return false;
  }
}

/**
 * The runs of a schedule (cron in the plant's zone) whose deadline (start + complete within) falls in
 * (from, to], started at or after the schedule was created; at most `limit`, oldest first.
 */
export function runsDue(s: Schedule, timezone: string, from: Date, to: Date, limit = 1_440): ScheduledRun[] {
  const within = s.completeWithinMinutes * MINUTE;
  const startFrom = new Date(Math.max(from.getTime() - within, s.createdAt.getTime() - 1));
  const startTo = new Date(to.getTime() - within);
  if (!(startFrom < startTo)) return [];
  const it = cronParser.parseExpression(s.cron, { tz: timezone, currentDate: startFrom, endDate: startTo });
  const out: ScheduledRun[] = [];
  while (out.length < limit && it.hasNext()) {
    const start = it.next().toDate();
    if (start < s.createdAt) continue;
    out.push({ start, deadline: new Date(start.getTime() + within) });
  }
  return out;
}

/** The latest run whose deadline has passed at `now` (looking back up to the lookback), or null. */
export function latestRunDue(s: Schedule, timezone: string, now: Date, lookbackMs = MISSED_RUN_LOOKBACK_MS): ScheduledRun | null {
  const within = s.completeWithinMinutes * MINUTE;
  try {
    const it = cronParser.parseExpression(s.cron, { tz: timezone, currentDate: new Date(now.getTime() - within + 1) });
    const start = it.prev().toDate();
    if (start.getTime() < now.getTime() - within - lookbackMs || start < s.createdAt) return null;
    return { start, deadline: new Date(start.getTime() + within) };
  } catch {
    return null;
  }
}

/** The messages of one run: transactions of the plant × interface first seen in its window. */
export type RunCounts = {
  /** First seen in [start, deadline): delivered by the deadline, and failed (still). */
  deliveredByDeadline: number;
  failed: number;
  /** First seen in [start, start + 2 × window): delivered (at any time), failed (still), not yet delivered. */
  lateDelivered: number;
  lateFailed: number;
  latePending: number;
};

/** A run is missed (nothing) or incomplete (too few delivered, or failures) at its deadline. */
export function judgeRun(minMessages: number, c: Pick<RunCounts, "deliveredByDeadline" | "failed">): "ok" | "missed" | "incomplete" {
  if (c.deliveredByDeadline >= minMessages && c.failed === 0) return "ok";
  return c.deliveredByDeadline === 0 && c.failed === 0 ? "missed" : "incomplete";
}

/** A missed run completed late: enough of its messages (first seen within twice its window) delivered, none failed or still under way. */
export function runCompletedLate(minMessages: number, c: Pick<RunCounts, "lateDelivered" | "lateFailed" | "latePending">): boolean {
  return c.lateDelivered >= minMessages && c.lateFailed === 0 && c.latePending === 0;
}

// ---------------------------------------------------------------------------------------------------
// Late messages

export type LateThresholds = { latencySloMs: number; lateAfterFactor: number; lateEscalateFactor: number };
export const lateAfterMs = (i: LateThresholds) => Math.round(i.lateAfterFactor * i.latencySloMs);
/** Never before the message is late (a factor set below the late one escalates at the late threshold). */
export const escalateAfterMs = (i: LateThresholds) => Math.max(lateAfterMs(i), Math.round(i.lateEscalateFactor * i.latencySloMs));

type Hop = { outcome?: string; at?: string };

/**
 * The hop a late message is stuck on (a replay goes to its target): the latest reported hop that has
 * not delivered, else the interface's first target that no hop delivered to, else its first target.
 */
export function stuckHop(hops: unknown, source: SystemKind, targets: readonly SystemKind[]): { source: SystemKind; target: SystemKind } {
  const entries = Object.entries(hops && typeof hops === "object" ? (hops as Record<string, Hop>) : {});
  const open = entries
    .filter(([, h]) => h?.outcome !== "delivered")
    .sort(([, a], [, b]) => String(b?.at ?? "").localeCompare(String(a?.at ?? "")))
    .map(([k]) => k.split(">") as [SystemKind, SystemKind])
    .find((p) => p.length === 2 && p[0] && p[1]);
  if (open) return { source: open[0], target: open[1] };
  const delivered = new Set(entries.filter(([, h]) => h?.outcome === "delivered").map(([k]) => k.split(">")[1]));
  const target = targets.find((t) => !delivered.has(t)) ?? targets[0] ?? source;
  return { source, target };
}
