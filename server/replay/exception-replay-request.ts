import { type DbClient, db } from "../db";
import { type Principal, canSeePlant } from "../policy";
import { awaitingStatus } from "./replay-request-rules";

/**
 * For an exception's page: its latest replay request (who asked, who decided, and whether it still
 * waits for a second person), or null when it has none or lies outside the user's plants.
 */
export async function latestReplayRequest(user: Principal, exceptionId: string, client: DbClient = db()) {
  const r = await client.replayRequest.findFirst({
    where: { exceptionId },
    orderBy: { createdAt: "desc" },
    include: { requestedBy: { select: { name: true } }, approver: { select: { name: true } }, exception: { select: { plantId: true, status: true } } },
  });
  if (!r || !canSeePlant(user, r.exception.plantId)) return null;
  return {
    id: r.id,
    status: r.status,
    /** Open, and the exception still waits for it. */
    waiting: r.status === "REQUESTED" && r.exception.status === awaitingStatus(r),
    requestedBy: r.requestedBy.name,
    requestedAt: r.createdAt.toISOString(),
    asIs: r.correctionId === null,
    reason: r.reason,
    decidedBy: r.approver?.name ?? null,
    decidedAt: r.decidedAt?.toISOString() ?? null,
    decisionComment: r.decisionComment,
  };
}
export type ExceptionReplayRequest = NonNullable<Awaited<ReturnType<typeof latestReplayRequest>>>;
