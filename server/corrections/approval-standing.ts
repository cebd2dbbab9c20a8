import { appendMany } from "../audit";
import { loadPrincipal } from "../auth/principal";
import type { Prisma } from "../db";
import type { ExceptionStatus } from "../db/generated/enums";
import { transitionException } from "../exceptions/transition";
import { AppError } from "../http/errors";
import { can } from "../policy";
import { cancelOpenReplays, cancelledEvents } from "../replay/cancel-replays";

/**
 * An approval holds only while its approver may still approve in that plant: a replay of a correction
 * whose approver was deactivated, lost the approver role or the plant needs a new approval. Checked
 * when a replay is requested and again before the worker sends it.
 */
export type Lapse = "approver_inactive" | "approver_lost_rights";

export async function approvalLapse(
  c: { approverId: string | null; authorId: string },
  plantId: string,
  action: "correction.approve" | "replay.approve" = "correction.approve",
): Promise<Lapse | null> {
  if (!c.approverId) return "approver_inactive";
  const approver = await loadPrincipal(c.approverId); // null when deactivated
  if (!approver) return "approver_inactive";
  return can(approver, action, { plantId, authorId: c.authorId }) ? null : "approver_lost_rights";
}

/**
 * The lapsed approval is withdrawn in one transaction: the correction goes back to the approvers'
 * queue (SUBMITTED, same payload), its open replay is cancelled, the exception awaits approval again;
 * all audited. Conditional on what was read: a concurrent change makes it a 409.
 */
export async function withdrawLapsedApproval(
  tx: Prisma.TransactionClient,
  input: { correctionId: string; approverId: string; payloadHash: string; exceptionId: string; exceptionStatus: ExceptionStatus; plantId: string; why: Lapse },
): Promise<void> {
  const res = await tx.correction.updateMany({
    where: { id: input.correctionId, status: "APPROVED", approverId: input.approverId },
    data: { status: "SUBMITTED", approverId: null, decidedAt: null, decisionComment: null, approvedPayloadHash: null },
  });
  if (res.count !== 1) throw new AppError(409, "conflict", "The correction changed meanwhile; reload it");
  const cancelled = await cancelOpenReplays(tx, [input.exceptionId]);
  if (input.exceptionStatus !== "AWAITING_APPROVAL")
    await transitionException(tx, { id: input.exceptionId, from: input.exceptionStatus, to: "AWAITING_APPROVAL" });
  const actor = { type: "system" as const, label: "andon four-eyes" };
  await appendMany(tx, [
    {
      type: "correction.approval_lapsed",
      actor,
      plantId: input.plantId,
      subject: { type: "exception", id: input.exceptionId },
      data: { correctionId: input.correctionId, approverId: input.approverId, payloadHash: input.payloadHash, why: input.why },
    },
    ...cancelledEvents(cancelled, "approval_lapsed", actor),
  ]);
}
