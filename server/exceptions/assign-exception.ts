import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import type { ExceptionStatus } from "../db/generated/enums";
import { AppError } from "../http/errors";
import { can } from "../policy";
import { publishExceptionChange } from "../realtime/live";
import { type Actor, type Via, actorOf, loadForAction } from "./action-support";
import { isOpen } from "./lifecycle";
import { assertTransition, transitionException } from "./transition";

export const assignSchema = z.object({ assigneeId: z.uuid().nullable() }).strict();

/** Assign (or unassign) an exception; a NEW exception becomes TRIAGED when someone takes it. */
export async function assignException(user: Actor, id: string, input: unknown, via: Via = {}) {
  const e = await loadForAction(user, id, "exception.triage");
  const { assigneeId } = assignSchema.parse(input);
  let assigneeLabel: string | null = null;
  if (assigneeId) {
    const assignee = await db().user.findUnique({ where: { id: assigneeId }, include: { plants: true } });
    const principal = assignee && { id: assignee.id, role: assignee.role, plantIds: assignee.plants.map((p) => p.plantId), active: assignee.active };
    if (!principal || !can(principal, "exception.triage", { plantId: e.plantId })) {
      throw new AppError(422, "invalid_assignee", "The assignee must be an active operator of this plant");
    }
    assigneeLabel = assignee.email;
  }
  if (!isOpen(e.status)) throw new AppError(409, "invalid_transition", `A ${e.status.toLowerCase()} exception cannot be reassigned`);
  const statusTo: ExceptionStatus = e.status === "NEW" && assigneeId ? "TRIAGED" : e.status;
  assertTransition(e.status, statusTo);
  const previous = e.assigneeId ? ((await db().user.findUnique({ where: { id: e.assigneeId }, select: { email: true } }))?.email ?? e.assigneeId) : null;
  const updated = await db().$transaction(async (tx) => {
    // Conditional on the status read above: a replay or another action that moved it meanwhile wins (409).
    const row = await transitionException(tx, { id, from: e.status, to: statusTo, data: { assigneeId } });
    await append(tx, {
      type: "exception.assigned",
      actor: actorOf(user),
      plantId: e.plantId,
      subject: { type: "exception", id },
      data: { from: previous, to: assigneeLabel, statusFrom: e.status, statusTo, ...via },
    });
    return row;
  });
  publishExceptionChange(updated, e.interface.code, e.transaction.messageId);
  return updated;
}
