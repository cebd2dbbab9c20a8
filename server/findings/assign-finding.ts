import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";
import { can } from "../policy";
import { findingDetail, type FindingDetail } from "./finding-detail";
import { type Actor, actorOf, findingMoved, loadFindingForAction, publishFindingChange } from "./load-finding";

export const assignFindingSchema = z.object({ assigneeId: z.uuid().nullable() }).strict();

/**
 * Assign (or release) an unresolved finding: the assignee must be an active user who handles this plant's
 * findings. Conditional on the status read (a finding the monitor cleared meanwhile is not reassigned: 409).
 */
export async function assignFinding(user: Actor, id: string, input: unknown): Promise<FindingDetail> {
  const f = await loadFindingForAction(user, id);
  const { assigneeId } = assignFindingSchema.parse(input);
  let label: string | null = null;
  if (assigneeId) {
    const u = await db().user.findUnique({ where: { id: assigneeId }, include: { plants: true } });
    const principal = u && { id: u.id, role: u.role, plantIds: u.plants.map((p) => p.plantId), active: u.active };
    if (!principal || !can(principal, "finding.handle", { plantId: f.plantId }))
      throw new AppError(422, "invalid_assignee", "The assignee must be an active user who handles this plant's findings");
    label = u.email;
  }
  await db().$transaction(async (tx) => {
    const res = await tx.finding.updateMany({ where: { id, status: f.status }, data: { assigneeId } });
    if (res.count !== 1) throw findingMoved();
    await append(tx, {
      type: "finding.assigned",
      actor: actorOf(user),
      plantId: f.plantId,
      subject: { type: "finding", id },
      data: { findingId: id, kind: f.kind, from: f.assignee?.email ?? null, to: label },
    });
  });
  publishFindingChange({ id, plantId: f.plantId, kind: f.kind, status: f.status, interfaceCode: f.interfaceCode });
  return findingDetail(user, id);
}
