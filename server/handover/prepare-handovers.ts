import { randomUUID } from "node:crypto";
import { SYSTEM_ACTOR, append } from "../audit";
import { loadCalendars } from "../calendar/load-calendar";
import { shiftOccurrences } from "../calendar/shifts";
import { db, pool } from "../db";
import { logger } from "../log";
import { collectSummary } from "./collect-summary";
import { publishHandoverChange } from "./live";

/**
 * The handover job (every minute, singleton; server/workers): for every plant, each shift of its calendar
 * that ended in the last 24 hours and was not wholly inside a holiday or planned downtime gets its
 * handover, prepared once. The unique (plant, shift start) decides between concurrent runs: the insert of
 * the second does nothing, and only the run whose insert took writes the "handover.prepared" audit row (same
 * transaction) and tells the plant's room. `now` is injectable (tests drive the clock).
 */
export const HANDOVER_QUEUE = "handover.prepare";
const LOOKBACK_MS = 24 * 3_600_000;
const log = logger("handover");

export type PrepareResult = { due: number; prepared: number };

export async function prepareHandovers(now = new Date(), plantIds?: string[]): Promise<PrepareResult> {
  const since = new Date(now.getTime() - LOOKBACK_MS);
  const calendars = await loadCalendars(plantIds, now);
  const due: { plantId: string; name: string; start: Date; end: Date }[] = [];
  for (const [plantId, cal] of calendars) {
    if (cal.shifts.length === 0) continue;
    for (const o of shiftOccurrences(cal, since, now)) if (o.end <= now && o.end > since && !o.off) due.push({ plantId, ...o });
  }
  if (due.length === 0) return { due: 0, prepared: 0 };

  const ids = [...new Set(due.map((d) => d.plantId))];
  const [{ rows: existing }, { rows: plants }] = await Promise.all([
    pool().query<{ plant_id: string; shift_start: Date }>("SELECT plant_id, shift_start FROM handover WHERE plant_id = ANY($1::uuid[]) AND shift_start >= $2", [
      ids,
      new Date(since.getTime() - LOOKBACK_MS),
    ]),
    pool().query<{ id: string; code: string }>("SELECT id, code FROM plant WHERE id = ANY($1::uuid[])", [ids]),
  ]);
  const done = new Set(existing.map((e) => `${e.plant_id}|${e.shift_start.getTime()}`));
  const codes = new Map(plants.map((p) => [p.id, p.code]));
  let prepared = 0;
  for (const d of due) {
    if (done.has(`${d.plantId}|${d.start.getTime()}`)) continue;
    const summary = await collectSummary(d.plantId, d.start, d.end);
    const id = randomUUID();
    const created = await db().$transaction(async (tx) => {
      const inserted = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO handover (id, plant_id, shift_name, shift_start, shift_end, status, summary, prepared_at)
        VALUES (${id}::uuid, ${d.plantId}::uuid, ${d.name}, ${d.start}, ${d.end}, 'PREPARED', ${JSON.stringify(summary)}::jsonb, ${now})
        ON CONFLICT (plant_id, shift_start) DO NOTHING RETURNING id`;
      if (inserted.length === 0) return false; // another run prepared it meanwhile
      await append(tx, {
        type: "handover.prepared",
        actor: SYSTEM_ACTOR,
        plantId: d.plantId,
        subject: { type: "handover", id },
        data: { handoverId: id, plantCode: codes.get(d.plantId) ?? "", shiftName: d.name, shiftStart: d.start.toISOString(), shiftEnd: d.end.toISOString() },
      });
      return true;
    });
    if (!created) continue;
    prepared++;
    publishHandoverChange({ id, plantId: d.plantId, status: "PREPARED" });
  }
  if (prepared) log.info({ prepared, due: due.length }, "shift handovers prepared");
  return { due: due.length, prepared };
}
