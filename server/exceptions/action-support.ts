import { z } from "zod";
import { db } from "../db";
import { forbidden, notFound } from "../http/errors";
import { type Action, type Principal, can, canSeePlant } from "../policy";

/**
 * What the triage actions share. Each action (one per file: assign-exception, comment-on-exception,
 * discard-exception): load within the user's scope (404 outside it) → policy (403) → lifecycle (409
 * for a transition the state machine does not allow, or when the status moved since it was read) →
 * one transaction with the change and its audit row → live update after commit.
 */
export type Actor = Principal & { email: string };
/** Set when the action is one item of a bulk action: its audit event names the bulk action. */
export type Via = { bulkId?: string };

export const actorOf = (user: Actor) => ({ type: "user" as const, id: user.id, label: user.email });

/** The exception an action is about, inside the user's plant scope, if the policy allows the action there. */
export async function loadForAction(user: Actor, id: string, action: Action) {
  if (!z.uuid().safeParse(id).success) throw notFound("Exception");
  const exception = await db().exception.findUnique({
    where: { id },
    include: { interface: { select: { code: true } }, transaction: { select: { messageId: true } } },
  });
  if (!exception || !canSeePlant(user, exception.plantId)) throw notFound("Exception");
  if (!can(user, action, { plantId: exception.plantId })) throw forbidden("Your role cannot do this on exceptions");
  return exception;
}
