import { db } from "../db";
import { AppError } from "../http/errors";
import { publishToUser } from "../realtime/publish";
import { type Actor, type BulkSummary, FINISHED, loadOwn, summary } from "./bulk-rules";

/** Ask a running bulk action to stop (before its next chunk); a queued one stops at once. */
export async function cancelBulk(user: Actor, bulkId: string): Promise<BulkSummary> {
  const op = await loadOwn(user, bulkId);
  if (FINISHED.includes(op.status)) throw new AppError(409, "finished", "This bulk action has already finished");
  const now = new Date();
  await db().bulkOperation.updateMany({ where: { id: bulkId, cancelRequestedAt: null }, data: { cancelRequestedAt: now } });
  const updated = await db().bulkOperation.findUniqueOrThrow({ where: { id: bulkId } });
  publishToUser(user.id, "bulk.progress", summary(updated));
  return summary(updated);
}
