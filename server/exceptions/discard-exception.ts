import { z } from "zod";
import { append, appendMany } from "../audit";
import { db } from "../db";
import { publishExceptionChange } from "../realtime/live";
import { cancelOpenReplays, cancelledEvents } from "../replay/cancel-replays";
import { withdrawReplayRequest } from "../replay/replay-request-rules";
import { type Actor, type Via, actorOf, loadForAction } from "./action-support";
import { assertTransition, transitionException } from "./transition";

export const discardSchema = z.object({ reason: z.string().trim().min(10, "Give a reason of at least 10 characters").max(2000) }).strict();

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
    await append(tx, {
      type: "exception.discarded",
      actor: actorOf(user),
      plantId: e.plantId,
      subject: { type: "exception", id },
      data: { reason, statusFrom: e.status, ...via },
    });
    if (cancelled.length) await appendMany(tx, cancelledEvents(cancelled, "exception_discarded", actorOf(user), via));
    // …and a replay waiting for a second person's approval will not be approved.
    const waiting = await tx.replayRequest.findFirst({ where: { exceptionId: id, status: "REQUESTED" }, select: { id: true, payloadHash: true } });
    if (waiting) await withdrawReplayRequest(tx, { ...waiting, exceptionId: id, plantId: e.plantId }, "exception_changed", "discarded");
    return row;
  });
  publishExceptionChange(updated, e.interface.code, e.transaction.messageId);
  return updated;
}
