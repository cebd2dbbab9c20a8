import { pool } from "../db";
import type { CalendarEntry, PlantCalendar, ShiftDef } from "./shifts";

/** Entries are read from this far back: the monitor looks back at most a day, handovers and windows a week. */
const ENTRIES_FROM_MS = 35 * 24 * 3_600_000;

/**
 * The calendars of these plants (every plant when omitted): zone, shifts and the holidays and downtime that
 * end after `now` − 35 days. Three queries whatever the number of plants.
 */
export async function loadCalendars(plantIds?: string[], now = new Date()): Promise<Map<string, PlantCalendar>> {
  const scoped = plantIds !== undefined;
  const ids = plantIds ?? [];
  if (scoped && ids.length === 0) return new Map();
  const where = scoped ? "WHERE plant_id = ANY($1::uuid[])" : "";
  const [plants, shifts, entries] = await Promise.all([
    pool().query<{ id: string; timezone: string }>(`SELECT id, timezone FROM plant ${scoped ? "WHERE id = ANY($1::uuid[])" : ""}`, scoped ? [ids] : []),
    pool().query<ShiftDef & { plant_id: string }>(
      `SELECT plant_id, name, weekdays, start_minute AS "startMinute", end_minute AS "endMinute" FROM plant_shift ${where} ORDER BY start_minute, name`,
      scoped ? [ids] : [],
    ),
    pool().query<CalendarEntry & { plant_id: string }>(
      `SELECT plant_id, kind::text AS kind, starts_at AS "startsAt", ends_at AS "endsAt", reason FROM plant_calendar_entry
       WHERE ends_at > $${scoped ? 2 : 1} ${scoped ? "AND plant_id = ANY($1::uuid[])" : ""} ORDER BY starts_at`,
      scoped ? [ids, new Date(now.getTime() - ENTRIES_FROM_MS)] : [new Date(now.getTime() - ENTRIES_FROM_MS)],
    ),
  ]);
  const out = new Map<string, PlantCalendar>(plants.rows.map((p) => [p.id, { timezone: p.timezone, shifts: [], entries: [] }]));
  for (const { plant_id, ...s } of shifts.rows) out.get(plant_id)?.shifts.push(s);
  for (const { plant_id, ...e } of entries.rows) out.get(plant_id)?.entries.push(e);
  return out;
}
