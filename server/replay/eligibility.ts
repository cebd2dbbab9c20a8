import type { ExceptionStatus } from "../db/generated/enums";

/**
 * Whether a replay can be requested now (for showing the action; request-replay.ts enforces it):
 * an approved correction, or a technical failure as is, from a status the lifecycle lets replay.
 * A resolved exception is offered only the explicit "replay again" (with a reason).
 */
export function canRequestReplay(e: { status: ExceptionStatus; category: "TECHNICAL" | "BUSINESS"; correctionStatus: string | null }): boolean {
  if (!["NEW", "TRIAGED", "APPROVED", "REPLAY_FAILED"].includes(e.status)) return false;
  if (e.correctionStatus === "DRAFT" || e.correctionStatus === "SUBMITTED") return false;
  return e.correctionStatus === "APPROVED" || e.category === "TECHNICAL";
}
