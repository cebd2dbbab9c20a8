import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { notFound } from "../http/errors";
import { type Admin, actorOf, conflict, expectedUpdatedAtSchema, hhmm, plantFor } from "../flow-settings/access";

const deleteShiftSchema = z.object({ expectedUpdatedAt: expectedUpdatedAtSchema.unwrap() }).strict();

/** Removes a shift as read (`expectedUpdatedAt`; changed meanwhile ⇒ 409, gone ⇒ 404); audited calendar.shift_deleted in the same transaction. */
export async function deleteShift(admin: Admin, plantCode: unknown, shiftId: string, input: unknown): Promise<void> {
  const plant = await plantFor(admin, plantCode, "calendar.manage", "Only administrators manage shift calendars");
  if (!z.uuid().safeParse(shiftId).success) throw notFound("Shift");
  const { expectedUpdatedAt } = deleteShiftSchema.parse(input);
  await db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('plant_calendar'), hashtext(${plant.id}))`;
    const existing = await tx.plantShift.findFirst({ where: { id: shiftId, plantId: plant.id } });
    if (!existing) throw notFound("Shift");
    const { count } = await tx.plantShift.deleteMany({ where: { id: shiftId, updatedAt: new Date(expectedUpdatedAt) } });
    if (count === 0) throw conflict(`The shift "${existing.name}"`);
    await append(tx, {
      type: "calendar.shift_deleted",
      actor: actorOf(admin),
      plantId: plant.id,
      subject: { type: "plant", id: plant.id },
      data: {
        plantCode: plant.code,
        shiftId,
        before: { name: existing.name, weekdays: existing.weekdays, start: hhmm(existing.startMinute), end: hhmm(existing.endMinute) },
        after: null,
      },
    });
  });
}
