import { append } from "../audit";
import { db } from "../db";
import { type Actor, type AlertView, actorOf, alertMoved, closed, include, load, present, ref } from "./alert-view";
import { publishAlertChanges } from "./live";

export async function acknowledgeAlert(user: Actor, id: string): Promise<AlertView> {
  const a = await load(user, id);
  closed(a);
  if (a.status === "ACKNOWLEDGED") return (await present([a]))[0]!;
  const updated = await db().$transaction(async (tx) => {
    const res = await tx.alert.updateMany({
      where: { id, status: "FIRING" },
      data: { status: "ACKNOWLEDGED", acknowledgedAt: new Date(), acknowledgedById: user.id },
    });
    if (res.count !== 1) throw alertMoved();
    const row = await tx.alert.findUniqueOrThrow({ where: { id }, include });
    await append(tx, { type: "alert.acknowledged", actor: actorOf(user), plantId: a.plantId, subject: { type: "alert", id }, data: ref(a) });
    return row;
  });
  publishAlertChanges([{ id, plantId: a.plantId, status: updated.status }]);
  return (await present([updated]))[0]!;
}
