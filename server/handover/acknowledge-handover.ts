import { append } from "../audit";
import { db } from "../db";
import { forbidden } from "../http/errors";
import { can } from "../policy";
import { type Actor, type HandoverView, actorOf, alreadyAcknowledged, loadHandover, present, ref } from "./handover-view";
import { publishHandoverChange } from "./live";

/**
 * The incoming lead takes the shift over: PREPARED → ACKNOWLEDGED, conditional on the status read (a second
 * acknowledgement, concurrent or later, is a 409), audited in the same transaction, pushed to the plant's room.
 */
export async function acknowledgeHandover(user: Actor, code: string, id: string, now = new Date()): Promise<HandoverView> {
  const { plant, row } = await loadHandover(user, code, id);
  if (!can(user, "handover.acknowledge", { plantId: plant.id })) throw forbidden("Your role cannot acknowledge handovers");
  if (row.status !== "PREPARED") throw alreadyAcknowledged();
  const updated = await db().$transaction(async (tx) => {
    const res = await tx.handover.updateMany({
      where: { id, status: "PREPARED" },
      data: { status: "ACKNOWLEDGED", acknowledgedAt: now, acknowledgedById: user.id },
    });
    if (res.count !== 1) throw alreadyAcknowledged();
    await append(tx, {
      type: "handover.acknowledged",
      actor: actorOf(user),
      plantId: plant.id,
      subject: { type: "handover", id },
      data: { ...ref(plant, row), statusFrom: "PREPARED", statusTo: "ACKNOWLEDGED" },
    });
    return tx.handover.findUniqueOrThrow({ where: { id } });
  });
  publishHandoverChange({ id, plantId: plant.id, status: updated.status });
  return (await present(user, plant, [updated]))[0]!;
}
