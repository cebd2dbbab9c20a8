import type { ExceptionStatus, Severity } from "../db/generated/enums";

/**
 * The exception lifecycle: one source of truth for statuses and allowed transitions.
 * new → triaged → correcting → awaiting_approval → approved → replay_queued → replaying → resolved,
 * replay_failed → correcting | replay_queued, rejected → correcting, discarded from any open state;
 * approved / replay states → awaiting_approval when the approval lapsed (the approver lost the right);
 * resolved → replay_queued only as an explicit second replay with a reason.
 * A replay that needs a second person (policy: replayNeedsApproval) waits in awaiting_approval: → replay_queued
 * when another approver approves it, back to the status it came from when rejected (server/replay/).
 * (The workbench issue adds the actions that drive these transitions.)
 */
// The open/closed lists are shared with the browser: defined once, in the client-safe rules module.
export { CLOSED_STATUSES, OPEN_STATUSES } from "../../lib/rules";
import { OPEN_STATUSES } from "../../lib/rules";
/** The status an exception is opened in (by ingest, when a message fails). */
export const INITIAL_STATUS = "NEW" as const satisfies ExceptionStatus;

export const TRANSITIONS: Record<ExceptionStatus, readonly ExceptionStatus[]> = {
  NEW: ["TRIAGED", "CORRECTING", "REPLAY_QUEUED", "AWAITING_APPROVAL", "RESOLVED", "DISCARDED"],
  TRIAGED: ["CORRECTING", "REPLAY_QUEUED", "AWAITING_APPROVAL", "RESOLVED", "DISCARDED"],
  CORRECTING: ["AWAITING_APPROVAL", "REPLAY_QUEUED", "RESOLVED", "DISCARDED"],
  // → REPLAY_QUEUED / back to NEW, TRIAGED, REPLAY_FAILED: a replay request approved / rejected (server/replay/).
  AWAITING_APPROVAL: ["APPROVED", "REJECTED", "CORRECTING", "REPLAY_QUEUED", "NEW", "TRIAGED", "REPLAY_FAILED", "RESOLVED", "DISCARDED"],
  // → AWAITING_APPROVAL from approved and replay states: the approver lost the right to approve (server/corrections/approval-standing.ts).
  APPROVED: ["REPLAY_QUEUED", "CORRECTING", "AWAITING_APPROVAL", "RESOLVED", "DISCARDED"],
  REPLAY_QUEUED: ["REPLAYING", "AWAITING_APPROVAL", "RESOLVED", "DISCARDED"],
  REPLAYING: ["RESOLVED", "REPLAY_FAILED", "AWAITING_APPROVAL"],
  REPLAY_FAILED: ["CORRECTING", "REPLAY_QUEUED", "AWAITING_APPROVAL", "RESOLVED", "DISCARDED"],
  REJECTED: ["CORRECTING", "RESOLVED", "DISCARDED"],
  RESOLVED: ["REPLAY_QUEUED"], // only a deliberate second replay, with a reason (server/replay/request-replay.ts)
  DISCARDED: [],
};

export function isOpen(status: ExceptionStatus): boolean {
  return (OPEN_STATUSES as readonly ExceptionStatus[]).includes(status);
}

export function canTransition(from: ExceptionStatus, to: ExceptionStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Time to act, by severity (drives the SLA due date and the queue's ordering). */
export const SLA_MS: Record<Severity, number> = {
  CRITICAL: 60 * 60 * 1000,
  HIGH: 4 * 60 * 60 * 1000,
  MEDIUM: 24 * 60 * 60 * 1000,
  LOW: 72 * 60 * 60 * 1000,
};
