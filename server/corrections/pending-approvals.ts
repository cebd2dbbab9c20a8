import { type DbClient, db } from "../db";
import { forbidden } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";
import { latestError, latestFailedReplays } from "../replay/latest-error";
import { type DryRunView, dryRunView } from "./dry-run-view";
import { keyFields } from "./key-fields";

export type { DryRunView };

/**
 * Approvers' queue: submitted corrections in their plants, oldest first, each with what a decision
 * needs beside the diff: the key business fields before and after (material, plant, batch, quantity…),
 * the error the correction is meant to fix (the latest: a failed replay's, else the reported one), and
 * whether this approver may decide it (never on their own correction: four-eyes, said up front).
 */
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
          plant: { select: { code: true, timezone: true } },
          interface: { select: { code: true, requiresApproval: true, targetSystems: true } },
          transaction: { select: { payload: true, businessKey: true, messageId: true } },
        },
      },
    },
  });
  const byIds = [...new Set(rows.map((c) => c.dryRunById).filter((x): x is string => x !== null))];
  const names = new Map(
    (byIds.length ? await client.user.findMany({ where: { id: { in: byIds } }, select: { id: true, name: true } }) : []).map((u) => [u.id, u.name]),
  );
  const failed = await latestFailedReplays(
    rows.map((c) => c.exceptionId),
    client,
  );
  return rows.map((c) => ({
    id: c.id,
    exceptionId: c.exceptionId,
    plantId: c.exception.plantId,
    plantCode: c.exception.plant.code,
    plantZone: c.exception.plant.timezone,
    interfaceCode: c.exception.interface.code,
    requiresApproval: c.exception.interface.requiresApproval,
    errorCode: c.exception.errorCode,
    errorMessage: c.exception.errorMessage.slice(0, 300),
    businessKey: c.exception.transaction.businessKey,
    author: c.author,
    ownCorrection: c.authorId === user.id,
    /** What this approver may do here: decided by the policy (four-eyes), shown before anyone clicks. */
    allowed: { decide: can(user, "correction.approve", { plantId: c.exception.plantId, authorId: c.authorId }) },
    /** The error this correction is meant to fix. */
    error: latestError(c.exception, failed.get(c.exceptionId), c.exception.interface.targetSystems[0] ?? null),
    /** Material, plant, batch, quantity…: original and corrected. */
    keyFields: keyFields(c.exception.interface.code, c.exception.transaction.payload, c.payload),
    reason: c.reason,
    submittedAt: c.submittedAt?.toISOString() ?? null,
    /** What an approval of this item names: the hash of exactly this payload. */
    payloadHash: c.payloadHash,
    patch: c.patch as { op: string; path: string; value?: unknown }[],
    original: c.exception.transaction.payload,
    payload: c.payload,
    /** The last dry run against the target (issue 20); `current`: it checked exactly this payload. */
    dryRun: dryRunView(c, c.dryRunById ? (names.get(c.dryRunById) ?? null) : null),
    /** May this user ask the target for a dry run here. */
    canDryRun: can(user, "correction.dry_run", { plantId: c.exception.plantId }),
  }));
}
export type PendingApproval = Awaited<ReturnType<typeof pendingApprovals>>[number];
