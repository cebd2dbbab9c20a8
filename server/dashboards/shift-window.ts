import { loadCalendars } from "../calendar/load-calendar";
import { type PlantCalendar, currentShift, previousShift } from "../calendar/shifts";

/**
 * "This shift" and "last shift" of a plant, from its calendar (server/calendar): the shift running now and
 * the last one that ended, as ranges the plant page passes to its figures (from/to, plant-metrics.ts).
 * This shift runs from its start to now (it is live); last shift is its whole [start, end) (history).
 */
export const SHIFT_CHOICES = ["current", "previous"] as const;
export type ShiftChoice = (typeof SHIFT_CHOICES)[number];

export type ShiftWindow = { name: string; start: string; end: string /** Wholly inside a holiday or planned downtime. */; off: boolean };
export type ShiftWindows = { timezone: string; hasShifts: boolean; current: ShiftWindow | null; previous: ShiftWindow | null };

const MINUTE = 60_000;

export const isShiftChoice = (v: unknown): v is ShiftChoice => typeof v === "string" && (SHIFT_CHOICES as readonly string[]).includes(v);

function toWindow(o: { name: string; start: Date; end: Date; off: boolean } | null): ShiftWindow | null {
  return o ? { name: o.name, start: o.start.toISOString(), end: o.end.toISOString(), off: o.off } : null;
}

/** The plant's shift windows at `now` (pure). */
export function shiftWindows(cal: PlantCalendar, now: Date): ShiftWindows {
  return {
    timezone: cal.timezone,
    hasShifts: cal.shifts.length > 0,
    current: toWindow(currentShift(cal, now)),
    previous: toWindow(previousShift(cal, now)),
  };
}

/**
 * The figures' range for a shift window: the whole shift once it ended, else its start to now (at least a
 * minute, so a shift that has just begun is still a valid range).
 */
export function shiftRange(w: ShiftWindow, now: Date): { from: string; to: string } {
  const start = new Date(w.start).getTime();
  const to = Math.max(Math.min(now.getTime(), new Date(w.end).getTime()), start + MINUTE);
  return { from: w.start, to: new Date(to).toISOString() };
}

/** Shift windows of these plants (one calendar load for all of them). */
export async function plantShiftWindows(plantIds: string[], now = new Date()): Promise<Map<string, ShiftWindows>> {
  const calendars = await loadCalendars(plantIds, now);
  return new Map([...calendars].map(([id, cal]) => [id, shiftWindows(cal, now)]));
}
