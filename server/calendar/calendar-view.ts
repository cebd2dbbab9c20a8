import { DateTime } from "luxon";
import { db } from "../db";
import { type AdminPlant, hhmm, plantFor } from "../flow-settings/access";
import type { Principal } from "../policy";
import { shiftOccurrences } from "./shifts";

/** A plant's calendar as the administration shows it: its shifts and its holidays and downtime from today on. */
export type ShiftView = { id: string; name: string; weekdays: number[]; start: string; end: string; updatedAt: string };
export type CalendarEntryView = { id: string; kind: "HOLIDAY" | "DOWNTIME"; startsAt: string; endsAt: string; reason: string };
/** A shift of this week (Monday to Sunday in the plant's zone); off: wholly inside a holiday or planned downtime. */
export type WeekShiftView = { name: string; start: string; end: string; off: boolean };
export type CalendarAdminView = { plant: AdminPlant; shifts: ShiftView[]; entries: CalendarEntryView[]; week: WeekShiftView[] };

export const shiftView = (s: { id: string; name: string; weekdays: number[]; startMinute: number; endMinute: number; updatedAt: Date }): ShiftView => ({
  id: s.id,
  name: s.name,
  weekdays: s.weekdays,
  start: hhmm(s.startMinute),
  end: hhmm(s.endMinute),
  updatedAt: s.updatedAt.toISOString(),
});

export const entryView = (e: { id: string; kind: "HOLIDAY" | "DOWNTIME"; startsAt: Date; endsAt: Date; reason: string }): CalendarEntryView => ({
  id: e.id,
  kind: e.kind,
  startsAt: e.startsAt.toISOString(),
  endsAt: e.endsAt.toISOString(),
  reason: e.reason,
});

/** Entries still to come or under way at `now` (at most 200, by start); past ones stay in the audit trail. */
export async function getCalendarAdmin(user: Principal, plantCode: unknown, now = new Date()): Promise<CalendarAdminView> {
  const plant = await plantFor(user, plantCode, "calendar.manage", "Only administrators manage shift calendars");
  const [shifts, entries] = await Promise.all([
    db().plantShift.findMany({ where: { plantId: plant.id }, orderBy: [{ startMinute: "asc" }, { name: "asc" }] }),
    db().plantCalendarEntry.findMany({ where: { plantId: plant.id, endsAt: { gt: now } }, orderBy: { startsAt: "asc" }, take: 200 }),
  ]);
  const monday = DateTime.fromJSDate(now, { zone: plant.timezone }).startOf("week");
  const [from, to] = [monday.toJSDate(), monday.plus({ weeks: 1 }).toJSDate()];
  const around = await db().plantCalendarEntry.findMany({
    where: { plantId: plant.id, startsAt: { lt: to }, endsAt: { gt: new Date(from.getTime() - 86_400_000) } },
    select: { kind: true, startsAt: true, endsAt: true, reason: true },
  });
  const week = shiftOccurrences({ timezone: plant.timezone, shifts, entries: around }, from, to)
    .filter((o) => o.start >= from)
    .map((o) => ({ name: o.name, start: o.start.toISOString(), end: o.end.toISOString(), off: o.off }));
  return { plant, shifts: shifts.map(shiftView), entries: entries.map(entryView), week };
}
