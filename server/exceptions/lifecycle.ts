import type { ExceptionStatus, Severity } from "../db/generated/enums";

/**
 * The exception lifecycle: one source of truth for statuses and allowed transitions.
 * new → triaged → correcting → awaiting_approval → approved → replay_queued → replaying → resolved,
 * replay_failed → correcting | replay_queued, rejected → correcting, discarded from any open state;
 * approved / replay states → awaiting_approval when the approval lapsed (the approver lost the right);
 * resolved → replay_queued only as an explicit second replay with a reason.
 * (The workbench issue adds the actions that drive these transitions.)
 */
export const OPEN_STATUSES = [
  "NEW",
  "TRIAGED",
  "CORRECTING",
  "AWAITING_APPROVAL",
  "APPROVED",
  "REPLAY_QUEUED",
  "REPLAYING",
  "REPLAY_FAILED",
  "REJECTED",
] as const satisfies readonly ExceptionStatus[];
export const CLOSED_STATUSES = ["RESOLVED", "DISCARDED"] as const satisfies readonly ExceptionStatus[];

export const TRANSITIONS: Record<ExceptionStatus, readonly ExceptionStatus[]> = {
  NEW: ["TRIAGED", "CORRECTING", "REPLAY_QUEUED", "RESOLVED", "DISCARDED"],
  TRIAGED: ["CORRECTING", "REPLAY_QUEUED", "RESOLVED", "DISCARDED"],
  CORRECTING: ["AWAITING_APPROVAL", "REPLAY_QUEUED", "RESOLVED", "DISCARDED"],
  AWAITING_APPROVAL: ["APPROVED", "REJECTED", "CORRECTING", "RESOLVED", "DISCARDED"],
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
