import { randomUUID } from "node:crypto";
import { z } from "zod";
import { append } from "../audit";
import { approvalLapse, withdrawLapsedApproval } from "../corrections/approval-standing";
import { approvalHolds, payloadHash } from "../corrections/corrections";
import { Prisma, db } from "../db";
import { canTransition } from "../exceptions/lifecycle";
import { transitionException } from "../exceptions/transition";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can, canSeePlant } from "../policy";
import type { Via } from "../exceptions/actions";
import { enqueueReplayJob } from "./queue";

/**
 * Request a replay. What may be sent: the payload of an approved correction whose approval still
 * holds, or — for a technical failure with no correction — the original payload as is. Interfaces
 * with requiresApproval therefore never replay a changed payload without a second person's approval.
 * One idempotency key per replay, reused by every retry.
 */
type Actor = Principal & { email: string };
export const requestReplaySchema = z.object({ reason: z.string().trim().min(10, "A second replay needs a reason of at least 10 characters").max(2000).optional() }).strict();

export async function requestReplay(user: Actor, exceptionId: string, input: unknown, via: Via = {}) {
  if (!z.uuid().safeParse(exceptionId).success) throw notFound("Exception");
  const e = await db().exception.findUnique({ where: { id: exceptionId }, include: { transaction: true, interface: true, plant: true } });
  if (!e || !canSeePlant(user, e.plantId)) throw notFound("Exception");
  if (!can(user, "exception.replay_technical", { plantId: e.plantId })) throw forbidden("Your role cannot replay messages");
  const { reason } = requestReplaySchema.parse(input ?? {});
  if (!canTransition(e.status, "REPLAY_QUEUED")) throw new AppError(409, "invalid_transition", `A ${e.status.toLowerCase().replace(/_/g, " ")} exception cannot be replayed`);

  // A message an earlier replay already delivered (this exception's, or an earlier exception's of the same
  // transaction: a late failure reopened it) is sent again only on purpose, with a reason.
  const deliveredBefore = await db().replay.findFirst({
    where: { status: "SUCCEEDED", exception: { transactionId: e.transactionId } }, orderBy: { finishedAt: "desc" }, select: { id: true, finishedAt: true },
  });
  const second = e.status === "RESOLVED" || deliveredBefore !== null;
  if (second && !reason) {
    throw new AppError(400, "reason_required", deliveredBefore
      ? `This message was already delivered by replay ${deliveredBefore.id} at ${deliveredBefore.finishedAt?.toISOString() ?? "?"}: sending it again needs a reason`
      : "This transaction was already resolved: a second replay needs a reason");
  }
  const correction = await db().correction.findFirst({ where: { exceptionId, status: { in: ["DRAFT", "SUBMITTED", "APPROVED"] } } });
  let payload: unknown;
  let correctionId: string | null = null;
  const lastDelivered = e.status === "RESOLVED" ? await db().replay.findFirst({ where: { exceptionId, status: "SUCCEEDED" }, orderBy: { createdAt: "desc" } }) : null;
  if (lastDelivered) {
    // Send again exactly what was delivered (and approved) before; a new key: it is a new delivery.
    payload = lastDelivered.payload;
    correctionId = lastDelivered.correctionId;
  } else if (correction) {
    if (!approvalHolds(correction)) throw new AppError(409, "approval_required", "The correction has not been approved by a second person (or was changed after approval)");
    const lapse = await approvalLapse(correction, e.plantId);
    if (lapse) {
      // The approver may no longer approve here: the correction goes back to the approvers' queue.
      await db().$transaction((tx) => withdrawLapsedApproval(tx, {
        correctionId: correction.id, approverId: correction.approverId!, payloadHash: correction.payloadHash, exceptionId, exceptionStatus: e.status, plantId: e.plantId, why: lapse,
      }));
      throw new AppError(409, "approval_lapsed", "The approver of this correction may no longer approve in this plant (deactivated or rights changed): it is back in the approvals queue and needs a new approval");
    }
    payload = correction.payload;
    correctionId = correction.id;
  } else if (e.category === "TECHNICAL" || e.status === "RESOLVED") {
    payload = e.transaction.payload;
  } else {
    throw new AppError(409, "correction_required", "A business failure fails again as is: correct the payload and have it approved first");
  }
  if (payload === null || payload === undefined) throw new AppError(409, "no_payload", "No payload was reported for this message: nothing to replay");

  const target = e.interface.targetSystems[0];
  const connector = await db().connector.findFirst({ where: { plantId: e.plantId, system: { kind: target } } });
  if (!connector) throw new AppError(409, "no_connector", `${e.plant.code} has no connector for ${target ?? "the target system"}`);
  // Push when the connector registered an endpoint; otherwise the job waits for it to pull.
  const mode = connector.replayUrl && connector.replaySecret ? "push" : "pull";
  const replayId = randomUUID();
  const idempotencyKey = `andon-replay-${replayId}`;
  try {
    return await db().$transaction(async (tx) => {
      // The exception first, conditional on the status read: a replay never starts from a stale read.
      await transitionException(tx, { id: exceptionId, from: e.status, to: "REPLAY_QUEUED" });
      const replay = await tx.replay.create({
        data: { id: replayId, exceptionId, connectorId: connector.id, correctionId, idempotencyKey, payload: payload as Prisma.InputJsonValue, requestedById: user.id, mode, ...(second ? { reason } : {}) },
      });
      await append(tx, {
        type: "replay.requested",
        actor: { type: "user", id: user.id, label: user.email },
        plantId: e.plantId,
        subject: { type: "exception", id: exceptionId },
        data: { replayId, idempotencyKey, correctionId, payloadHash: payloadHash(payload), mode, asIs: correctionId === null,
          ...(second ? { secondReplayReason: reason } : {}), ...(deliveredBefore ? { deliveredBeforeBy: deliveredBefore.id } : {}), ...via },
      });
      if (mode === "push") await enqueueReplayJob(tx, replayId);
      return replay;
    });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      throw new AppError(409, "replay_in_flight", "A replay of this exception is already under way (or the transaction has a newer open exception)");
    }
    throw err;
  }
}
