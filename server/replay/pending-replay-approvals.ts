import { type DbClient, db } from "../db";
import { forbidden } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";

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
          plant: { select: { code: true } },
          interface: { select: { code: true, requiresApproval: true } },
          transaction: { select: { businessKey: true, messageId: true } },
        },
      },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    exceptionId: r.exceptionId,
    plantCode: r.exception.plant.code,
    interfaceCode: r.exception.interface.code,
    requiresApproval: r.exception.interface.requiresApproval,
    category: r.exception.category,
    errorCode: r.exception.errorCode,
    errorMessage: r.exception.errorMessage.slice(0, 300),
    businessKey: r.exception.transaction.businessKey,
    messageId: r.exception.transaction.messageId,
    requester: r.requestedBy,
    ownRequest: r.requestedById === user.id,
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
