import { approvalLapse, withdrawLapsedApproval } from "../corrections/approval-standing";
import { approvalHolds, payloadHash } from "../corrections/rules";
import { db } from "../db";
import type { ExceptionStatus } from "../db/generated/enums";
import { AppError } from "../http/errors";
import { publishExceptionsById } from "../realtime/exception-live";
import { latestError, latestFailedReplays, refusedAsIs } from "./latest-error";

/**
 * What a replay of an exception would send now, and on whose approval: the payload of an approved
 * correction whose approval holds (and whose approver may still approve), or — for a technical failure
 * with no correction — the original payload as is; a resolved exception sends again exactly what was
 * delivered before. A message an earlier replay delivered goes again only with a reason, and so does a
 * payload the target refused as it is (sent unchanged it fails the same way, unless its cause was fixed
 * on the target's side: the reason says so).
 * Requesting a replay asks this; approving a replay request asks it again and sends only if the answer
 * is still the payload the request named.
 */
export type ReplayPlan = {
  payload: unknown;
  payloadHash: string;
  correctionId: string | null;
  /** The payload is a correction whose four-eyes approval holds: its approver is the second person. */
  approvedCorrection: boolean;
  /** A second delivery of the message (the exception is resolved, or a replay delivered it before). */
  second: boolean;
  deliveredBeforeBy: string | null;
  /** The replay whose payload the target refused, when this plan sends exactly that payload again. */
  refusedBefore: string | null;
};

type PlannedException = {
  id: string;
  status: ExceptionStatus;
  category: "TECHNICAL" | "BUSINESS";
  errorCode: string;
  errorMessage: string;
  lastSeenAt: Date;
  plantId: string;
  transactionId: string;
  transaction: { payload: unknown };
};

export async function planReplay(e: PlannedException, reason: string | null | undefined): Promise<ReplayPlan> {
  // A message an earlier replay already delivered (this exception's, or an earlier exception's of the same
  // transaction: a late failure reopened it) is sent again only on purpose, with a reason.
  const deliveredBefore = await db().replay.findFirst({
    where: { status: "SUCCEEDED", exception: { transactionId: e.transactionId } },
    orderBy: { finishedAt: "desc" },
    select: { id: true, finishedAt: true },
  });
  const second = e.status === "RESOLVED" || deliveredBefore !== null;
  if (second && !reason) {
    throw new AppError(
      400,
      "reason_required",
      deliveredBefore
        ? `This message was already delivered by replay ${deliveredBefore.id} at ${deliveredBefore.finishedAt?.toISOString() ?? "?"}: sending it again needs a reason`
        : "This transaction was already resolved: a second replay needs a reason",
    );
  }
  const correction = await db().correction.findFirst({ where: { exceptionId: e.id, status: { in: ["DRAFT", "SUBMITTED", "APPROVED"] } } });
  let payload: unknown;
  let correctionId: string | null = null;
  let approvedCorrection = false;
  const lastDelivered =
    e.status === "RESOLVED" ? await db().replay.findFirst({ where: { exceptionId: e.id, status: "SUCCEEDED" }, orderBy: { createdAt: "desc" } }) : null;
  if (lastDelivered) {
    // Send again exactly what was delivered (and approved) before; a new key: it is a new delivery.
    payload = lastDelivered.payload;
    correctionId = lastDelivered.correctionId;
  } else if (correction) {
    if (!approvalHolds(correction))
      throw new AppError(409, "approval_required", "The correction has not been approved by a second person (or was changed after approval)");
    const lapse = await approvalLapse(correction, e.plantId);
    if (lapse) {
      // The approver may no longer approve here: the correction goes back to the approvers' queue.
      await db().$transaction((tx) =>
        withdrawLapsedApproval(tx, {
          correctionId: correction.id,
          approverId: correction.approverId!,
          payloadHash: correction.payloadHash,
          exceptionId: e.id,
          exceptionStatus: e.status,
          plantId: e.plantId,
          why: lapse,
        }),
      );
      await publishExceptionsById([e.id]);
      throw new AppError(
        409,
        "approval_lapsed",
        "The approver of this correction may no longer approve in this plant (deactivated or rights changed): it is back in the approvals queue and needs a new approval",
      );
    }
    payload = correction.payload;
    correctionId = correction.id;
    approvedCorrection = true;
  } else if (e.category === "TECHNICAL" || e.status === "RESOLVED") {
    payload = e.transaction.payload;
  } else {
    throw new AppError(409, "correction_required", "A business failure fails again as is: correct the payload and have it approved first");
  }
  if (payload === null || payload === undefined) throw new AppError(409, "no_payload", "No payload was reported for this message: nothing to replay");
  const refusedBefore =
    e.status === "REPLAY_FAILED" ? refusedAsIs(e.status, latestError(e, (await latestFailedReplays([e.id])).get(e.id), null), correctionId) : null;
  if (refusedBefore && !reason) {
    throw new AppError(
      400,
      "reason_required",
      `The target refused exactly this payload (replay ${refusedBefore}): correct it, or send it unchanged with a reason (what was fixed on the target's side)`,
    );
  }
  return {
    payload,
    payloadHash: payloadHash(payload),
    correctionId,
    approvedCorrection,
    second,
    deliveredBeforeBy: deliveredBefore?.id ?? null,
    refusedBefore,
  };
}
