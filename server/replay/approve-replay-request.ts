import { append } from "../audit";
import { loadPrincipal } from "../auth/principal";
import { db } from "../db";
import { AppError } from "../http/errors";
import { can } from "../policy";
import { overrideFrom } from "../dependencies/check-blocked";
import { publishExceptionsById } from "../realtime/exception-live";
import { notifyReplayDecision } from "./notify-replay-decision";
import { queueReplay, replayConflict, replayTarget } from "./queue-replay";
import { type ReplayPlan, planReplay } from "./replay-plan";
import { type Actor, actorOf, approveReplaySchema, assertMayDecide, awaitingStatus, loadReplayRequest, withdrawReplayRequest } from "./replay-request-rules";

/**
 * A second person approves a replay request: the approval names the hash of the payload the approver
 * reviewed, and is used only for exactly that request and payload. It is checked, in this order, that
 * the approver may approve here and is not the requester (403, audited), that the requester may still
 * replay here, that the replay would still send the payload the request named (a correction saved,
 * approved or lapsed since, a resolution... — else the request is withdrawn and the answer is 409
 * payload_changed or exception_changed), and that the reviewed hash is that payload's. Then one
 * transaction: the exception to REPLAY_QUEUED, the replay and its job (the same code as a direct
 * replay), the request APPROVED naming its replay, and the audit event. Two approvals at once: one
 * replay (the exception moves once; the request is approved once).
 */
export async function approveReplayRequest(user: Actor, requestId: string, input: unknown) {
  const r = await loadReplayRequest(user, requestId);
  await assertMayDecide(user, r);
  const { payloadHash: reviewed, comment: given, blockOverrideReason } = approveReplaySchema.parse(input ?? {});
  // Approving a replay whose prerequisite is still open needs the approver's own override reason (it is the approval's comment too).
  const override = overrideFrom(user, r.exception.plantId, blockOverrideReason);
  const comment = [given, override ? `Prerequisite override: ${override.reason}` : null].filter(Boolean).join(" — ") || undefined;
  if (r.status !== "REQUESTED") throw new AppError(409, "invalid_transition", `A ${r.status.toLowerCase()} replay request cannot be approved`);
  const e = r.exception;
  const ref = { ...r, plantId: e.plantId };
  const withdraw = async (why: "payload_changed" | "exception_changed" | "requester_lost_rights", detail?: string) => {
    await db().$transaction((tx) => withdrawReplayRequest(tx, ref, why, detail));
    await publishExceptionsById([e.id]);
  };

  // The requester's right to replay here holds as long as the request does.
  const requester = await loadPrincipal(r.requestedById);
  if (!requester || !can(requester, "exception.replay_technical", { plantId: e.plantId })) {
    await withdraw("requester_lost_rights");
    throw new AppError(
      409,
      "requester_lost_rights",
      "The person who asked for this replay may no longer replay in this plant (deactivated or rights changed): the request is withdrawn",
    );
  }
  // What would be sent now must be exactly what the request named, from the exception as it was left.
  let plan: ReplayPlan | null = null;
  let planError: AppError | null = null;
  try {
    plan = await planReplay(e, r.reason);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    planError = err;
  }
  if (plan && (plan.payloadHash !== r.payloadHash || plan.correctionId !== r.correctionId)) {
    await withdraw("payload_changed");
    throw stalePayload();
  }
  if (e.status !== awaitingStatus(r)) {
    await withdraw("exception_changed", `the exception is ${e.status.toLowerCase()} now`);
    throw new AppError(
      409,
      "exception_changed",
      "The exception changed since the replay was asked for (corrected, discarded or resolved): the request is withdrawn; reload",
    );
  }
  if (!plan) {
    await withdraw("payload_changed", planError!.code);
    throw stalePayload();
  }
  if (reviewed !== r.payloadHash) {
    throw new AppError(409, "payload_changed", "This is not the payload of this replay request: reload it and review the payload before deciding");
  }
  const target = await replayTarget(e);
  try {
    const approved = await db().$transaction(async (tx) => {
      const { replay } = await queueReplay(tx, {
        exceptionId: e.id,
        from: e.status,
        target,
        plan,
        requestedById: r.requestedById,
        reason: r.reason,
        override,
      });
      // Conditional on the request still being open with the reviewed payload: decided once.
      const res = await tx.replayRequest.updateMany({
        where: { id: r.id, status: "REQUESTED", payloadHash: reviewed },
        data: { status: "APPROVED", approverId: user.id, decidedAt: new Date(), decisionComment: comment ?? null, replayId: replay.id },
      });
      if (res.count !== 1) throw new AppError(409, "conflict", "The replay request was decided meanwhile; reload it");
      await append(tx, {
        type: "replay.approved",
        actor: actorOf(user),
        plantId: e.plantId,
        subject: { type: "exception", id: e.id },
        data: {
          replayRequestId: r.id,
          requestedById: r.requestedById,
          payloadHash: r.payloadHash,
          comment: comment ?? null,
          replayId: replay.id,
          idempotencyKey: replay.idempotencyKey,
          mode: target.mode,
          correctionId: r.correctionId,
          asIs: r.correctionId === null,
          statusFrom: e.status,
          statusTo: "REPLAY_QUEUED",
        },
      });
      return tx.replayRequest.findUniqueOrThrow({ where: { id: r.id } });
    });
    await notifyReplayDecision(user, approved, e);
    return approved;
  } catch (err) {
    throw replayConflict(err) ?? err;
  }
}

const stalePayload = () =>
  new AppError(
    409,
    "payload_changed",
    "What this replay would send changed since it was asked for (a correction was saved, approved or withdrawn): the request is withdrawn; the requester asks again for the current payload",
  );
