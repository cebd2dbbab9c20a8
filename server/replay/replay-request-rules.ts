import { z } from "zod";
import { type AuditEventData, append, record } from "../audit";
import { type Prisma, db } from "../db";
import type { ExceptionStatus } from "../db/generated/enums";
import { forbidden, notFound } from "../http/errors";
import { type Principal, can, canSeePlant } from "../policy";
import { blockOverrideReason } from "../dependencies/check-blocked";

/**
 * What the replay-request actions share (one action per file: request-replay asks, approve-replay-request
 * and reject-replay-request decide). A replay request is asked by one person and decided by another
 * (`replay.approve`, never on one's own request: policy, and a database CHECK); the approval names the
 * hash of the payload the approver reviewed, and is used only while that is still what would be sent.
 */
export type Actor = Principal & { email: string };
export const actorOf = (u: Actor) => ({ type: "user" as const, id: u.id, label: u.email });

const reviewedHash = z.string().regex(/^[0-9a-f]{64}$/, "payloadHash must be the SHA-256 (hex) of the payload you reviewed");
export const approveReplaySchema = z
  .object({ payloadHash: reviewedHash, comment: z.string().trim().max(2000).optional(), blockOverrideReason: blockOverrideReason.optional() })
  .strict();
export const rejectReplaySchema = z
  .object({ comment: z.string().trim().min(5, "Say why the replay is rejected").max(2000), payloadHash: reviewedHash.optional() })
  .strict();

/**
 * The exception's status while its request waits: AWAITING_APPROVAL, except for a second replay of a
 * resolved exception, which stays resolved until the replay is approved. Anything else means the
 * exception moved on (corrected, discarded, recovered at the source) and the request is stale.
 */
export function awaitingStatus(r: { exceptionStatusFrom: ExceptionStatus }): ExceptionStatus {
  return r.exceptionStatusFrom === "RESOLVED" ? "RESOLVED" : "AWAITING_APPROVAL";
}

/** A replay request with its exception, inside the user's plant scope (404 outside it). */
export async function loadReplayRequest(user: Principal, requestId: string) {
  if (!z.uuid().safeParse(requestId).success) throw notFound("Replay request");
  const r = await db().replayRequest.findUnique({
    where: { id: requestId },
    include: { exception: { include: { transaction: true, interface: true, plant: true } } },
  });
  if (!r || !canSeePlant(user, r.exception.plantId)) throw notFound("Replay request");
  return r;
}
export type LoadedReplayRequest = Awaited<ReturnType<typeof loadReplayRequest>>;

/** May this user decide on this request? If not, the refusal is audited (its own transaction) and answered 403. */
export async function assertMayDecide(user: Actor, r: LoadedReplayRequest): Promise<void> {
  const plantId = r.exception.plantId;
  if (can(user, "replay.approve", { plantId, authorId: r.requestedById })) return;
  const self = r.requestedById === user.id;
  await record({
    type: "replay.approval_refused",
    actor: actorOf(user),
    plantId,
    subject: { type: "exception", id: r.exceptionId },
    data: { replayRequestId: r.id, reason: self ? "self_approval" : "role" },
  });
  throw forbidden(self ? "You cannot approve or reject your own replay request: a second person must decide" : "Only approvers decide on replay requests");
}

/**
 * A request that can no longer be approved as asked is withdrawn (conditional on it still being open),
 * audited in the same transaction; the exception's status is left to whatever moved it.
 */
export async function withdrawReplayRequest(
  tx: Prisma.TransactionClient,
  r: { id: string; exceptionId: string; payloadHash: string; plantId: string },
  why: AuditEventData<"replay.approval_withdrawn">["why"],
  detail?: string,
): Promise<boolean> {
  const res = await tx.replayRequest.updateMany({ where: { id: r.id, status: "REQUESTED" }, data: { status: "WITHDRAWN", decidedAt: new Date() } });
  if (res.count !== 1) return false;
  await append(tx, {
    type: "replay.approval_withdrawn",
    actor: { type: "system", label: "andon four-eyes" },
    plantId: r.plantId,
    subject: { type: "exception", id: r.exceptionId },
    data: { replayRequestId: r.id, payloadHash: r.payloadHash, why, ...(detail ? { detail } : {}) },
  });
  return true;
}
