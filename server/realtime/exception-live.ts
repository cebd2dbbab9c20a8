import { db } from "../db";
import { logger } from "../log";
import { publishExceptionChange } from "./live";
import { liveIo, publishToUser } from "./publish";
import type { DecisionNotice } from "./events";

const log = logger("realtime");

/**
 * After a change is committed, tells the exceptions' plant rooms (exception.updated, or .resolved when
 * closed): detail pages, queues and the approvals page follow their objects from these. For actions
 * that change what a page shows without a status move of their own (a comment, a correction saved or
 * decided, a replay asked for or claimed), so no change goes unseen. Never throws: the change is
 * committed already, and a live update missed is caught up by the next refetch.
 */
export async function publishExceptionsById(ids: readonly string[]): Promise<void> {
  // Only a process with a socket.io server or publisher publishes (tests and scripts without one skip the read).
  if (ids.length === 0 || !liveIo()) return;
  try {
    const rows = await db().exception.findMany({
      where: { id: { in: [...new Set(ids)] } },
      include: { interface: { select: { code: true } }, transaction: { select: { messageId: true } } },
    });
    for (const e of rows) publishExceptionChange(e, e.interface.code, e.transaction.messageId);
  } catch (err) {
    log.warn({ err, ids }, "live update of exceptions not sent");
  }
}

/** A decision on someone's correction or replay request, to that person's own room. */
export function publishDecision(userId: string, notice: DecisionNotice): void {
  publishToUser(userId, notice.kind === "correction" ? "correction.decided" : "replay_request.decided", notice);
}
