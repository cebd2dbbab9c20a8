import { type DbClient, db } from "../db";
import { forbidden } from "../http/errors";
import { keyFields } from "../corrections/key-fields";
import { type Principal, can, plantScope } from "../policy";
import { latestError, latestFailedReplays } from "./latest-error";

/**
 * Approvers' queue of replay requests (beside the corrections'): open requests in their plants whose
 * exception still waits for them, oldest first, each with the payload it would send and its hash (what
 * an approval names). The user's own requests are listed but marked: approving them is refused.
 */
export async function pendingReplayApprovals(user: Principal, client: DbClient = db()) {
  if (!can(user, "replay.approve")) throw forbidden("Only approvers see the approval queue");
  const scope = plantScope(user);
  const inScope = scope.plantId ? { plantId: scope.plantId } : {};
  const rows = await client.replayRequest.findMany({
    where: {
      status: "REQUESTED",
      // Still waiting: the exception is where the request left it (see awaitingStatus).
      OR: [
        { exceptionStatusFrom: { not: "RESOLVED" }, exception: { ...inScope, status: "AWAITING_APPROVAL" } },
        { exceptionStatusFrom: "RESOLVED", exception: { ...inScope, status: "RESOLVED" } },
      ],
    },
    orderBy: { createdAt: "asc" },
    take: 200,
    include: {
      requestedBy: { select: { id: true, name: true } },
      exception: {
        include: {
          plant: { select: { code: true, timezone: true } },
          interface: { select: { code: true, requiresApproval: true, targetSystems: true } },
          transaction: { select: { businessKey: true, messageId: true, payload: true } },
        },
      },
    },
  });
  const failed = await latestFailedReplays(
    rows.map((r) => r.exceptionId),
    client,
  );
  return rows.map((r) => ({
    id: r.id,
    exceptionId: r.exceptionId,
    plantId: r.exception.plantId,
    plantCode: r.exception.plant.code,
    plantZone: r.exception.plant.timezone,
    interfaceCode: r.exception.interface.code,
    requiresApproval: r.exception.interface.requiresApproval,
    category: r.exception.category,
    errorCode: r.exception.errorCode,
    errorMessage: r.exception.errorMessage.slice(0, 300),
    businessKey: r.exception.transaction.businessKey,
    messageId: r.exception.transaction.messageId,
    requester: r.requestedBy,
    ownRequest: r.requestedById === user.id,
    /** What this approver may do here: decided by the policy (never on their own request), shown before anyone clicks. */
    allowed: { decide: can(user, "replay.approve", { plantId: r.exception.plantId, authorId: r.requestedById }) },
    /** The error the replay is meant to get past (the latest: a failed replay's, else the reported one). */
    error: latestError(r.exception, failed.get(r.exceptionId), r.exception.interface.targetSystems[0] ?? null),
    /** Material, plant, batch, quantity… of what would be sent (against the original payload when a correction is sent). */
    keyFields: keyFields(r.exception.interface.code, r.exception.transaction.payload, r.payload),
    reason: r.reason,
    requestedAt: r.createdAt.toISOString(),
    /** The original payload as reported, or an approved correction's. */
    asIs: r.correctionId === null,
    /** A second delivery of a message that was delivered (or resolved) before. */
    second: r.second,
    /** What an approval of this item names: the hash of exactly this payload. */
    payloadHash: r.payloadHash,
    payload: r.payload,
  }));
}
export type PendingReplayApproval = Awaited<ReturnType<typeof pendingReplayApprovals>>[number];
