import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";
import { findingDetail, type FindingDetail } from "./finding-detail";
import { type Actor, actorOf, findingMoved, loadFindingForAction, publishFindingChange } from "./load-finding";

/**
 * Acknowledge a finding: someone has seen it and takes care (it stays listed until the monitor finds the
 * condition cleared). Only an OPEN finding is acknowledged, conditional on that status in the same
 * transaction as its audit row: of two people acknowledging at once, one succeeds and the other gets 409.
 */
export async function acknowledgeFinding(user: Actor, id: string): Promise<FindingDetail> {
  const f = await loadFindingForAction(user, id);
  if (f.status !== "OPEN") throw new AppError(409, "already_acknowledged", "This finding is acknowledged already");
  await db().$transaction(async (tx) => {
    const res = await tx.finding.updateMany({
      where: { id, status: "OPEN" },
      data: { status: "ACKNOWLEDGED", acknowledgedAt: new Date(), acknowledgedById: user.id },
    });
    if (res.count !== 1) throw findingMoved();
    await append(tx, {
      type: "finding.acknowledged",
      actor: actorOf(user),
      plantId: f.plantId,
      subject: { type: "finding", id },
      data: { findingId: id, kind: f.kind, statusFrom: "OPEN", statusTo: "ACKNOWLEDGED" },
    });
  });
  publishFindingChange({ id, plantId: f.plantId, kind: f.kind, status: "ACKNOWLEDGED", interfaceCode: f.interfaceCode });
  return findingDetail(user, id);
}
