import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { enqueueInTx } from "../workers/boss";
import { type Actor, type AlertView, actorOf, alertMoved, closed, include, load, present, ref } from "./alert-view";
import { ALERT_WEBHOOK_QUEUE } from "./evaluate";
import { publishAlertChanges } from "./live";

export const resolveAlertSchema = z.object({ note: z.string().trim().max(2000).nullable().default(null) }).strict();

export async function resolveAlert(user: Actor, id: string, input: unknown): Promise<AlertView> {
  const a = await load(user, id);
  const { note } = resolveAlertSchema.parse(input ?? {});
  closed(a);
  const updated = await db().$transaction(async (tx) => {
    const moved = await tx.alert.updateMany({ where: { id, status: a.status }, data: { status: "RESOLVED", resolvedAt: new Date(), resolvedById: user.id } });
    if (moved.count !== 1) throw alertMoved();
    const row = await tx.alert.findUniqueOrThrow({ where: { id }, include });
    await append(tx, { type: "alert.resolved", actor: actorOf(user), plantId: a.plantId, subject: { type: "alert", id }, data: { ...ref(a), note } });
    const hooks = await tx.alertWebhook.findMany({ where: { enabled: true, OR: [{ plantId: null }, { plantId: a.plantId }] }, select: { id: true } });
    for (const w of hooks) {
      const created = await tx.alertNotification.createManyAndReturn({
        data: [{ alertId: id, webhookId: w.id, event: "alert.resolved" }],
        skipDuplicates: true,
        select: { id: true },
      });
      for (const n of created) await enqueueInTx(tx, ALERT_WEBHOOK_QUEUE, { notificationId: n.id });
    }
    return row;
  });
  publishAlertChanges([{ id, plantId: a.plantId, status: updated.status }]);
  return (await present([updated]))[0]!;
}
