import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { notFound } from "../http/errors";
import { type Admin, actorOf, plantFor } from "../flow-settings/access";

/** Removes a holiday or downtime (gone already, e.g. removed by another admin a moment ago ⇒ 404); audited calendar.entry_removed in the same transaction. */
export async function removeCalendarEntry(admin: Admin, plantCode: unknown, entryId: string): Promise<void> {
  const plant = await plantFor(admin, plantCode, "calendar.manage", "Only administrators manage shift calendars");
  if (!z.uuid().safeParse(entryId).success) throw notFound("Calendar entry");
  await db().$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ id: string; kind: string; starts_at: Date; ends_at: Date; reason: string }[]>`
      DELETE FROM plant_calendar_entry WHERE id = ${entryId}::uuid AND plant_id = ${plant.id}::uuid RETURNING id, kind::text, starts_at, ends_at, reason`;
    if (!row) throw notFound("Calendar entry (removed already?)");
    await append(tx, {
      type: "calendar.entry_removed",
      actor: actorOf(admin),
      plantId: plant.id,
      subject: { type: "plant", id: plant.id },
      data: { plantCode: plant.code, entryId, kind: row.kind, startsAt: row.starts_at.toISOString(), endsAt: row.ends_at.toISOString(), reason: row.reason },
    });
  });
}
