import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";
import { can } from "../policy";
import { type Actor, type AlertView, actorOf, alertMoved, closed, include, load, present, ref } from "./alert-view";
import { publishAlertChanges } from "./live";

export const assignAlertSchema = z.object({ assigneeId: z.uuid().nullable() }).strict();

export async function assignAlert(user: Actor, id: string, input: unknown): Promise<AlertView> {
  const a = await load(user, id);
  const { assigneeId } = assignAlertSchema.parse(input);
  closed(a);
  let label: string | null = null;
  if (assigneeId) {
    const u = await db().user.findUnique({ where: { id: assigneeId }, include: { plants: true } });
    const principal = u && { id: u.id, role: u.role, plantIds: u.plants.map((p) => p.plantId), active: u.active };
    if (!principal || !can(principal, "alert.handle", { plantId: a.plantId }))
      throw new AppError(422, "invalid_assignee", "The assignee must be an active user who handles this plant's alerts");
    label = u.email;
  }
  const updated = await db().$transaction(async (tx) => {
    // Conditional on the status read: an alert resolved meanwhile is not reassigned.
    const res = await tx.alert.updateMany({ where: { id, status: a.status }, data: { assigneeId } });
    if (res.count !== 1) throw alertMoved();
    const row = await tx.alert.findUniqueOrThrow({ where: { id }, include });
    await append(tx, {
      type: "alert.assigned",
      actor: actorOf(user),
      plantId: a.plantId,
      subject: { type: "alert", id },
      data: { ...ref(a), from: a.assignee?.email ?? null, to: label },
    });
    return row;
  });
  publishAlertChanges([{ id, plantId: a.plantId, status: updated.status }]);
  return (await present([updated]))[0]!;
}
