import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { AppError, notFound } from "../http/errors";
import { type Admin, actorOf, conflict, hhmm, plantFor } from "../flow-settings/access";
import { type ShiftView, shiftView } from "./calendar-view";
import { shiftClash, shiftInputSchema } from "./shift-rules";

const auditable = (s: { name: string; weekdays: number[]; startMinute: number; endMinute: number }) => ({
  name: s.name,
  weekdays: s.weekdays,
  start: hhmm(s.startMinute),
  end: hhmm(s.endMinute),
});

/**
 * Creates a shift (no `shiftId`) or edits one (`shiftId` with the `expectedUpdatedAt` the form read: if
 * someone changed it meanwhile, 409). Refused with a 400 when it overlaps another shift of the plant.
 * Writes of one plant's calendar are serialised (advisory lock), so two concurrent saves cannot both pass
 * the overlap check. Audited (calendar.shift_saved, before/after) in the same transaction.
 */
export async function saveShift(admin: Admin, plantCode: unknown, input: unknown, shiftId?: string): Promise<ShiftView> {
  const plant = await plantFor(admin, plantCode, "calendar.manage", "Only administrators manage shift calendars");
  if (shiftId !== undefined && !z.uuid().safeParse(shiftId).success) throw notFound("Shift");
  const { name, weekdays, start, end, expectedUpdatedAt } = shiftInputSchema.parse(input);
  if (shiftId !== undefined && !expectedUpdatedAt) throw new AppError(400, "invalid_request", "expectedUpdatedAt: give the updatedAt of the shift you edit");
  const next = { name, weekdays, startMinute: start, endMinute: end };
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('plant_calendar'), hashtext(${plant.id}))`;
    const existing = shiftId ? await tx.plantShift.findFirst({ where: { id: shiftId, plantId: plant.id } }) : null;
    if (shiftId && !existing) throw notFound("Shift");
    if (existing && existing.updatedAt.toISOString() !== new Date(expectedUpdatedAt!).toISOString()) throw conflict(`The shift "${existing.name}"`);
    const others = await tx.plantShift.findMany({ where: { plantId: plant.id, ...(shiftId ? { id: { not: shiftId } } : {}) } });
    if (others.some((o) => o.name.toLowerCase() === name.toLowerCase()))
      throw new AppError(409, "shift_exists", `${plant.code} has a shift named "${name}" already`);
    const clash = shiftClash(next, others);
    if (clash) throw new AppError(400, "shift_overlap", clash);
    if (existing && JSON.stringify(auditable(existing)) === JSON.stringify(auditable(next)))
      throw new AppError(409, "no_change", "The shift already has these values");
    const row = existing
      ? await tx.plantShift.update({ where: { id: existing.id }, data: next })
      : await tx.plantShift.create({ data: { plantId: plant.id, ...next } });
    await append(tx, {
      type: "calendar.shift_saved",
      actor: actorOf(admin),
      plantId: plant.id,
      subject: { type: "plant", id: plant.id },
      data: { plantCode: plant.code, shiftId: row.id, before: existing ? auditable(existing) : null, after: auditable(row) },
    });
    return shiftView(row);
  });
}
