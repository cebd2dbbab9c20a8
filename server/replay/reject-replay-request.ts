import { append } from "../audit";
import { db } from "../db";
import type { ExceptionStatus } from "../db/generated/enums";
import { transitionException } from "../exceptions/transition";
import { AppError } from "../http/errors";
import { notifyReplayDecision } from "./notify-replay-decision";
import { type Actor, actorOf, assertMayDecide, awaitingStatus, loadReplayRequest, rejectReplaySchema } from "./replay-request-rules";

/**
 * A second person rejects a replay request, with a comment: nothing is sent, and an exception that was
 * waiting for this request goes back to the status it had when the replay was asked for (the requester
 * may correct it, discard it or ask again). One that moved on meanwhile (a correction submitted, say)
 * keeps its status. The requester can never reject their own request either (403, audited).
 */
export async function rejectReplayRequest(user: Actor, requestId: string, input: unknown) {
  const r = await loadReplayRequest(user, requestId);
  await assertMayDecide(user, r);
  const { comment, payloadHash: reviewed } = rejectReplaySchema.parse(input ?? {});
  if (r.status !== "REQUESTED") throw new AppError(409, "invalid_transition", `A ${r.status.toLowerCase()} replay request cannot be rejected`);
  if (reviewed !== undefined && reviewed !== r.payloadHash) {
    throw new AppError(409, "payload_changed", "This is not the payload of this replay request: reload it and review the payload before deciding");
  }
  const e = r.exception;
  // The exception waits for this request only if it is where the request left it, with no correction submitted since.
  const waiting =
    e.status === "AWAITING_APPROVAL" &&
    awaitingStatus(r) === "AWAITING_APPROVAL" &&
    (await db().correction.count({ where: { exceptionId: e.id, status: "SUBMITTED" } })) === 0;
  const statusTo: ExceptionStatus = waiting ? r.exceptionStatusFrom : e.status;
  const rejected = await db().$transaction(async (tx) => {
    const res = await tx.replayRequest.updateMany({
      where: { id: r.id, status: "REQUESTED" },
      data: { status: "REJECTED", approverId: user.id, decidedAt: new Date(), decisionComment: comment },
    });
    if (res.count !== 1) throw new AppError(409, "conflict", "The replay request was decided meanwhile; reload it");
    if (waiting) await transitionException(tx, { id: e.id, from: e.status, to: statusTo });
    await append(tx, {
      type: "replay.rejected",
      actor: actorOf(user),
      plantId: e.plantId,
      subject: { type: "exception", id: e.id },
      data: { replayRequestId: r.id, requestedById: r.requestedById, payloadHash: r.payloadHash, comment, statusFrom: e.status, statusTo },
    });
    return tx.replayRequest.findUniqueOrThrow({ where: { id: r.id } });
  });
  await notifyReplayDecision(user, rejected, e);
  return rejected;
}
