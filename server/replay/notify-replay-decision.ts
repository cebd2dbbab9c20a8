import type { ReplayRequest } from "../db/generated/client";
import { publishDecision, publishExceptionsById } from "../realtime/exception-live";
import type { Actor } from "./replay-request-rules";

/**
 * After a replay request is decided (committed): the exception's page and the approvals queue follow it
 * (plant room), and the requester is told wherever they are in the portal (their own room).
 */
export async function notifyReplayDecision(
  user: Actor & { name?: string },
  r: ReplayRequest,
  e: { id: string; plantId: string; interface: { code: string }; transaction: { businessKey: string | null } },
): Promise<void> {
  await publishExceptionsById([e.id]);
  if (r.status !== "APPROVED" && r.status !== "REJECTED") return;
  publishDecision(r.requestedById, {
    kind: "replay_request",
    id: r.id,
    exceptionId: e.id,
    plantId: e.plantId,
    decision: r.status,
    decidedBy: user.name ?? user.email,
    decidedAt: (r.decidedAt ?? new Date()).toISOString(),
    comment: r.decisionComment,
    interfaceCode: e.interface.code,
    businessKey: e.transaction.businessKey,
  });
}
