import { z } from "zod";
import { append, appendMany } from "../audit";
import { db } from "../db";
import type { ExceptionStatus } from "../db/generated/enums";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Action, type Principal, can, canSeePlant } from "../policy";
import { publishExceptionChange } from "../realtime/live";
import { isOpen } from "./lifecycle";
import { cancelOpenReplays, cancelledEvents } from "../replay/cancel-replays";
import { assertTransition, transitionException } from "./transition";

/**
 * Triage actions. Each: load within the user's scope (404 outside it) → policy (403) → lifecycle
 * (409 for a transition the state machine does not allow) → one transaction with the change and its
 * audit row → live update after commit.
 */
type Actor = Principal & { email: string };
/** Set when the action is one item of a bulk action: its audit event names the bulk action. */
export type Via = { bulkId?: string };

export const assignSchema = z.object({ assigneeId: z.uuid().nullable() }).strict();
export const commentSchema = z.object({ body: z.string().trim().min(1, "Write a comment").max(4000, "Comments are limited to 4,000 characters") }).strict();
export const discardSchema = z.object({ reason: z.string().trim().min(10, "Give a reason of at least 10 characters").max(2000) }).strict();

async function loadForAction(user: Actor, id: string, action: Action) {
  if (!z.uuid().safeParse(id).success) throw notFound("Exception");
  const exception = await db().exception.findUnique({ where: { id }, include: { interface: { select: { code: true } }, transaction: { select: { messageId: true } } } });
  if (!exception || !canSeePlant(user, exception.plantId)) throw notFound("Exception");
  if (!can(user, action, { plantId: exception.plantId })) throw forbidden("Your role cannot do this on exceptions");
  return exception;
}

const actorOf = (user: Actor) => ({ type: "user" as const, id: user.id, label: user.email });

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
  const previous = e.assigneeId ? (await db().user.findUnique({ where: { id: e.assigneeId }, select: { email: true } }))?.email ?? e.assigneeId : null;
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

export async function commentOnException(user: Actor, id: string, input: unknown, via: Via = {}) {
  const e = await loadForAction(user, id, "exception.comment");
  const { body } = commentSchema.parse(input);
  return db().$transaction(async (tx) => {
    const comment = await tx.exceptionComment.create({ data: { exceptionId: id, authorId: user.id, body } });
    await append(tx, {
      type: "exception.commented",
      actor: actorOf(user),
      plantId: e.plantId,
      subject: { type: "exception", id },
      data: { commentId: comment.id, excerpt: body.slice(0, 200), ...via },
    });
    return comment;
  });
}

/** Discard: the failure needs no action (e.g. superseded message); a reason is required and audited. */
export async function discardException(user: Actor, id: string, input: unknown, via: Via = {}) {
  const e = await loadForAction(user, id, "exception.discard");
  const { reason } = discardSchema.parse(input);
  assertTransition(e.status, "DISCARDED");
  const updated = await db().$transaction(async (tx) => {
    // Conditional update: a concurrent transition (e.g. resolved at source meanwhile) wins, this one fails.
    const row = await transitionException(tx, { id, from: e.status, to: "DISCARDED", data: { resolvedAt: new Date(), resolution: "discarded" } });
    // A queued replay of a discarded exception must not be sent: cancelled in the same transaction.
    const cancelled = await cancelOpenReplays(tx, [id]);
    await append(tx, { type: "exception.discarded", actor: actorOf(user), plantId: e.plantId, subject: { type: "exception", id }, data: { reason, statusFrom: e.status, ...via } });
    if (cancelled.length) await appendMany(tx, cancelledEvents(cancelled, "exception_discarded", actorOf(user), via));
    return row;
  });
  publishExceptionChange(updated, e.interface.code, e.transaction.messageId);
  return updated;
}
