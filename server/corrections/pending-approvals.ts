import { type DbClient, db } from "../db";
import { forbidden } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";

/** Approvers' queue: submitted corrections in their plants, oldest first, with the diff. */
export async function pendingApprovals(user: Principal, client: DbClient = db()) {
  if (!can(user, "correction.approve")) throw forbidden("Only approvers see the approval queue");
  const scope = plantScope(user);
  const rows = await client.correction.findMany({
    where: { status: "SUBMITTED", exception: scope.plantId ? { plantId: scope.plantId } : {} },
    orderBy: { submittedAt: "asc" },
    take: 200,
    include: {
      author: { select: { id: true, name: true } },
      exception: {
        include: {
          plant: { select: { code: true } },
          interface: { select: { code: true, requiresApproval: true } },
          transaction: { select: { payload: true, businessKey: true, messageId: true } },
        },
      },
    },
  });
  return rows.map((c) => ({
    id: c.id,
    exceptionId: c.exceptionId,
    plantCode: c.exception.plant.code,
    interfaceCode: c.exception.interface.code,
    requiresApproval: c.exception.interface.requiresApproval,
    errorCode: c.exception.errorCode,
    errorMessage: c.exception.errorMessage.slice(0, 300),
    businessKey: c.exception.transaction.businessKey,
    author: c.author,
    ownCorrection: c.authorId === user.id,
    reason: c.reason,
    submittedAt: c.submittedAt?.toISOString() ?? null,
    /** What an approval of this item names: the hash of exactly this payload. */
    payloadHash: c.payloadHash,
    patch: c.patch as { op: string; path: string; value?: unknown }[],
    original: c.exception.transaction.payload,
    payload: c.payload,
  }));
}
export type PendingApproval = Awaited<ReturnType<typeof pendingApprovals>>[number];
