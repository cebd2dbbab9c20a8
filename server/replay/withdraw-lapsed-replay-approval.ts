import { appendMany } from "../audit";
import type { Lapse } from "../corrections/approval-standing";
import type { Prisma } from "../db";
import { transitionException } from "../exceptions/transition";
import { AppError } from "../http/errors";
import { cancelOpenReplays, cancelledEvents } from "./cancel-replays";

/**
 * A replay approved through a replay request is sent only while its approver may still approve replays
 * in that plant (the same rule as a correction's approval). When the approval lapsed before the worker
 * sent it: in one transaction the replay is cancelled, the approved request is withdrawn, the same
 * request (payload, requester, reason) is asked again for another approver, and the exception awaits
 * approval again — all audited. Conditional on what was read: a concurrent change makes it a 409.
 */
export async function withdrawLapsedReplayApproval(
  tx: Prisma.TransactionClient,
  input: { requestId: string; exceptionId: string; plantId: string; why: Lapse },
): Promise<void> {
  const r = await tx.replayRequest.findUnique({ where: { id: input.requestId } });
  const res = await tx.replayRequest.updateMany({ where: { id: input.requestId, status: "APPROVED" }, data: { status: "WITHDRAWN" } });
  if (!r || res.count !== 1) throw new AppError(409, "conflict", "The replay request changed meanwhile");
  const cancelled = await cancelOpenReplays(tx, [input.exceptionId]);
  await transitionException(tx, { id: input.exceptionId, from: "REPLAYING", to: "AWAITING_APPROVAL" });
  const again = await tx.replayRequest.create({
    data: {
      exceptionId: r.exceptionId,
      requestedById: r.requestedById,
      payload: r.payload as Prisma.InputJsonValue,
      payloadHash: r.payloadHash,
      correctionId: r.correctionId,
      reason: r.reason,
      second: r.second,
      exceptionStatusFrom: r.exceptionStatusFrom,
    },
  });
  const actor = { type: "system" as const, label: "andon four-eyes" };
  const subject = { type: "exception", id: input.exceptionId };
  await appendMany(tx, [
    {
      type: "replay.approval_withdrawn",
      actor,
      plantId: input.plantId,
      subject,
      data: { replayRequestId: r.id, payloadHash: r.payloadHash, why: "approval_lapsed", detail: input.why },
    },
    ...cancelledEvents(cancelled, "approval_lapsed", actor),
    {
      type: "replay.approval_requested",
      actor,
      plantId: input.plantId,
      subject,
      data: {
        replayRequestId: again.id,
        payloadHash: r.payloadHash,
        correctionId: r.correctionId,
        asIs: r.correctionId === null,
        second: r.second,
        reason: r.reason,
        statusFrom: "REPLAYING",
        statusTo: "AWAITING_APPROVAL",
      },
    },
  ]);
}
