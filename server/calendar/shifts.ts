import { DateTime } from "luxon";
import { z } from "zod";

/**
 * A plant's production calendar, in the plant's time zone (pure: no database, no clock). Shifts repeat on
 * ISO weekdays (1 = Monday … 7 = Sunday) from startMinute to endMinute after local midnight; an end at or
 * before the start crosses midnight, and the shift belongs to the weekday it starts on. Holidays and planned
 * downtime are spans of instants that produce nothing whatever the shifts say. Local times are resolved by
 * luxon in the plant's zone, so a shift keeps its wall-clock times across daylight-saving changes (a night
 * shift is an hour shorter or longer on those nights, as it is at the plant).
 */
export type ShiftDef = { name: string; weekdays: number[]; startMinute: number; endMinute: number };
export type CalendarEntry = { kind: "HOLIDAY" | "DOWNTIME"; startsAt: Date; endsAt: Date; reason: string };
export type PlantCalendar = { timezone: string; shifts: ShiftDef[]; entries: CalendarEntry[] };
/** One shift on one day; `off` when holidays or downtime cover it whole (no production expected). */
export type ShiftOccurrence = { name: string; start: Date; end: Date; off: boolean };
export type Interval = { start: Date; end: Date };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const shiftDefSchema = z
  .object({
    name: z.string().trim().min(1).max(60),
    weekdays: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, "A weekday is listed twice"),
    startMinute: z.number().int().min(0).max(1439),
    endMinute: z.number().int().min(0).max(1439),
  })
  .refine((s) => s.startMinute !== s.endMinute, { message: "A shift must not start and end at the same time", path: ["endMinute"] });

/** Length of a shift in minutes (crossing midnight when the end is at or before the start). */
export function shiftMinutes(s: Pick<ShiftDef, "startMinute" | "endMinute">): number {
  return s.endMinute > s.startMinute ? s.endMinute - s.startMinute : 1440 - s.startMinute + s.endMinute;
}

/** Occurrences of every shift overlapping [from, to), by start. */
export function shiftOccurrences(cal: PlantCalendar, from: Date, to: Date): ShiftOccurrence[] {
  if (!(from < to)) return [];
  const out: ShiftOccurrence[] = [];
  // A shift overlapping `from` started at most a day before it (shifts last < 24 h).
  let day = DateTime.fromJSDate(new Date(from.getTime() - DAY), { zone: cal.timezone }).startOf("day");
  const last = DateTime.fromJSDate(to, { zone: cal.timezone }).startOf("day");
  while (day <= last) {
    for (const s of cal.shifts) {
      if (!s.weekdays.includes(day.weekday)) continue;
      const start = day.plus({ minutes: s.startMinute });
      const end = s.endMinute > s.startMinute ? day.plus({ minutes: s.endMinute }) : day.plus({ days: 1 }).plus({ minutes: s.endMinute });
      const occurrence = { name: s.name, start: start.toJSDate(), end: end.toJSDate() };
      if (occurrence.end > from && occurrence.start < to) out.push({ ...occurrence, off: covered(cal.entries, occurrence) });
    }
    day = day.plus({ days: 1 });
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime() || a.name.localeCompare(b.name));
}

/** Whether the entries cover [start, end) whole. */
function covered(entries: CalendarEntry[], span: Interval): boolean {
  return subtract([span], entries).length === 0;
}

/** Sorted, merged intervals. */
function merge(intervals: Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.start < i.end).sort((a, b) => a.start.getTime() - b.start.getTime());
  const out: Interval[] = [];
  for (const i of sorted) {
    const prev = out[out.length - 1];
    if (prev && i.start <= prev.end) prev.end = new Date(Math.max(prev.end.getTime(), i.end.getTime()));
    else out.push({ start: i.start, end: i.end });
  }
  return out;
}

/** `intervals` minus the entries' spans. */
function subtract(intervals: Interval[], entries: { startsAt: Date; endsAt: Date }[]): Interval[] {
  let rest = merge(intervals);
  for (const e of entries) {
    const next: Interval[] = [];
    for (const i of rest) {
      if (e.endsAt <= i.start || e.startsAt >= i.end) next.push(i);
      else {
        if (e.startsAt > i.start) next.push({ start: i.start, end: e.startsAt });
        if (e.endsAt < i.end) next.push({ start: e.endsAt, end: i.end });
      }
    }
    rest = next;
  }
  return rest;
}

/** Production time within [from, to): shift time minus holidays and downtime, clipped and merged. */
export function productionIntervals(cal: PlantCalendar, from: Date, to: Date): Interval[] {
  const shifts = shiftOccurrences(cal, from, to).map((o) => ({
    start: new Date(Math.max(o.start.getTime(), from.getTime())),
    end: new Date(Math.min(o.end.getTime(), to.getTime())),
  }));
  return subtract(shifts, cal.entries);
}

/** Milliseconds of production time within [from, to). */
export function productionMs(cal: PlantCalendar, from: Date, to: Date): number {
  return productionIntervals(cal, from, to).reduce((ms, i) => ms + (i.end.getTime() - i.start.getTime()), 0);
}

/** Whether the plant produces at this instant. */
export function isProduction(cal: PlantCalendar, at: Date): boolean {
  return productionMs(cal, at, new Date(at.getTime() + 1)) > 0;
}

/** The shift running at `at` (the latest started one when shifts overlap), or null between shifts. */
export function currentShift(cal: PlantCalendar, at: Date): ShiftOccurrence | null {
  const running = shiftOccurrences(cal, at, new Date(at.getTime() + 1)).filter((o) => o.start <= at && at < o.end);
  return running[running.length - 1] ?? null;
}

/** The last shift that ended at or before `at` (looking back up to 8 days), or null without shifts. */
export function previousShift(cal: PlantCalendar, at: Date): ShiftOccurrence | null {
  const ended = shiftOccurrences(cal, new Date(at.getTime() - 8 * DAY), at).filter((o) => o.end <= at);
  ended.sort((a, b) => a.end.getTime() - b.end.getTime() || a.start.getTime() - b.start.getTime());
  return ended[ended.length - 1] ?? null;
}
