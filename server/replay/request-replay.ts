import { z } from "zod";
import { append } from "../audit";
import { type Prisma, db } from "../db";
import type { Replay, ReplayRequest } from "../db/generated/client";
import { canTransition } from "../exceptions/lifecycle";
import { staleException, transitionException } from "../exceptions/transition";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can, canSeePlant, replayNeedsApproval } from "../policy";
import { blockOverrideReason, checkBlocked, overrideFrom } from "../dependencies/check-blocked";
import { publishExceptionsById } from "../realtime/exception-live";
import type { Via } from "../exceptions/action-support";
import { queueReplay, replayConflict, replayTarget } from "./queue-replay";
import { planReplay } from "./replay-plan";
import { awaitingStatus, withdrawReplayRequest } from "./replay-request-rules";

/**
 * Request a replay. What may be sent (replay-plan.ts): the payload of an approved correction whose
 * approval holds, or — for a technical failure with no correction — the original payload as is.
 * Where the policy wants a second person (`replayNeedsApproval`: interfaces that require approval,
 * unless an approved correction already has one), nothing is queued: a replay request names the payload
 * and waits, the exception in AWAITING_APPROVAL (a resolved one stays resolved), until another approver
 * approves it (approve-replay-request.ts). One idempotency key per replay, reused by every retry.
 */
type Actor = Principal & { email: string };
export const requestReplaySchema = z
  .object({
    /** Why it goes again: required for a second delivery and for a payload the target refused as it is (replay-plan.ts). */
    reason: z.string().trim().min(10, "A second replay needs a reason of at least 10 characters").max(2000).optional(),
    /** An approver sends it although a prerequisite of the same business object has an open exception (server/dependencies). */
    blockOverrideReason: blockOverrideReason.optional(),
  })
  .strict();

/** Queued at once, or asked of a second person (the API answers 202 with the request). */
export type RequestedReplay = { kind: "queued"; replay: Replay } | { kind: "approval_requested"; request: ReplayRequest };

export async function requestReplay(user: Actor, exceptionId: string, input: unknown, via: Via = {}): Promise<RequestedReplay> {
  if (!z.uuid().safeParse(exceptionId).success) throw notFound("Exception");
  const e = await db().exception.findUnique({ where: { id: exceptionId }, include: { transaction: true, interface: true, plant: true } });
  if (!e || !canSeePlant(user, e.plantId)) throw notFound("Exception");
  if (!can(user, "exception.replay_technical", { plantId: e.plantId })) throw forbidden("Your role cannot replay messages");
  const { reason, blockOverrideReason: overrideReason } = requestReplaySchema.parse(input ?? {});
  const override = overrideFrom(user, e.plantId, overrideReason);
  // A request still waiting for its approver answers for this exception; one the exception moved away from is stale.
  const open = await db().replayRequest.findFirst({ where: { exceptionId, status: "REQUESTED" } });
  if (open && awaitingStatus(open) === e.status) {
    throw new AppError(409, "replay_approval_pending", "A replay of this exception is already waiting for a second person's approval (see Approvals)");
  }
  if (e.status === "AWAITING_APPROVAL" || !canTransition(e.status, "REPLAY_QUEUED")) {
    throw new AppError(409, "invalid_transition", `A ${e.status.toLowerCase().replace(/_/g, " ")} exception cannot be replayed`);
  }
  const plan = await planReplay(e, reason);
  const target = await replayTarget(e);
  const withdrawStale = (tx: Prisma.TransactionClient) =>
    open
      ? withdrawReplayRequest(tx, { ...open, plantId: e.plantId }, "exception_changed", `the exception is ${e.status.toLowerCase()} now`)
      : Promise.resolve(false);
  const actor = { type: "user" as const, id: user.id, label: user.email };
  const subject = { type: "exception", id: exceptionId };
  try {
    if (!replayNeedsApproval(e.interface, plan)) {
      const replay = await db().$transaction(async (tx) => {
        await withdrawStale(tx);
        const { replay, blockedBy } = await queueReplay(tx, {
          exceptionId,
          from: e.status,
          target,
          plan,
          requestedById: user.id,
          reason: reason ?? null,
          override,
        });
        await append(tx, {
          type: "replay.requested",
          actor,
          plantId: e.plantId,
          subject,
          data: {
            replayId: replay.id,
            idempotencyKey: replay.idempotencyKey,
            correctionId: plan.correctionId,
            payloadHash: plan.payloadHash,
            mode: target.mode,
            asIs: plan.correctionId === null,
            // The reason for sending it again: required for a second delivery, given when resending a refused payload.
            ...(reason ? { secondReplayReason: reason } : {}),
            ...(plan.deliveredBeforeBy ? { deliveredBeforeBy: plan.deliveredBeforeBy } : {}),
            ...(plan.refusedBefore ? { refusedBefore: plan.refusedBefore } : {}),
            ...(blockedBy.length && override ? { blockOverrideReason: override.reason, blockedBy } : {}),
            statusFrom: e.status,
            statusTo: "REPLAY_QUEUED",
            ...via,
          },
        });
        return replay;
      });
      await publishExceptionsById([exceptionId]);
      return { kind: "queued", replay };
    }
    const request = await db().$transaction(async (tx) => {
      await withdrawStale(tx);
      // The exception first, conditional on the status read. A resolved one stays resolved until the replay is approved.
      if (e.status === "RESOLVED") {
        const res = await tx.exception.updateMany({ where: { id: exceptionId, status: "RESOLVED" }, data: { updatedAt: new Date() } });
        if (res.count !== 1) throw staleException();
      } else {
        await transitionException(tx, { id: exceptionId, from: e.status, to: "AWAITING_APPROVAL" });
      }
      // Dependency order holds for a request too (checked again when it is approved); an override's reason is the request's.
      const blockedBy = await checkBlocked(tx, exceptionId, override);
      const requestReason = [reason, blockedBy.length && override ? `Prerequisite override: ${override.reason}` : null].filter(Boolean).join(" — ") || null;
      const request = await tx.replayRequest.create({
        data: {
          exceptionId,
          requestedById: user.id,
          payload: plan.payload as Prisma.InputJsonValue,
          payloadHash: plan.payloadHash,
          correctionId: plan.correctionId,
          reason: requestReason,
          second: plan.second,
          exceptionStatusFrom: e.status,
        },
      });
      await append(tx, {
        type: "replay.approval_requested",
        actor,
        plantId: e.plantId,
        subject,
        data: {
          replayRequestId: request.id,
          payloadHash: plan.payloadHash,
          correctionId: plan.correctionId,
          asIs: plan.correctionId === null,
          second: plan.second,
          reason: requestReason,
          statusFrom: e.status,
          statusTo: e.status === "RESOLVED" ? "RESOLVED" : "AWAITING_APPROVAL",
          ...(plan.deliveredBeforeBy ? { deliveredBeforeBy: plan.deliveredBeforeBy } : {}),
          ...(plan.refusedBefore ? { refusedBefore: plan.refusedBefore } : {}),
          ...via,
        },
      });
      return request;
    });
    await publishExceptionsById([exceptionId]);
    return { kind: "approval_requested", request };
  } catch (err) {
    throw replayConflict(err) ?? err;
  }
}
