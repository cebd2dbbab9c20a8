import type {
  AlertRuleKind,
  AlertStatus,
  ConnectorState,
  CorrectionStatus,
  Criticality,
  ErrorCategory,
  EventOutcome,
  ExceptionStatus,
  ReplayRequestStatus,
  ReplayStatus,
  Severity,
  TransactionStatus,
} from "@/server/db/generated/enums";

/**
 * The one source of the words people read for Andon's codes: statuses, severities, reasons. Pages, the
 * API's display fields and exports all take them from here (client-safe), never print the raw enum.
 */
export const EXCEPTION_STATUS_LABELS: Record<ExceptionStatus, string> = {
  NEW: "New",
  TRIAGED: "Triaged",
  CORRECTING: "Correcting",
  AWAITING_APPROVAL: "Awaiting approval",
  APPROVED: "Approved",
  REPLAY_QUEUED: "Replay queued",
  REPLAYING: "Replaying",
  REPLAY_FAILED: "Replay failed",
  REJECTED: "Correction rejected",
  RESOLVED: "Resolved",
  DISCARDED: "Discarded",
};

export const CORRECTION_STATUS_LABELS: Record<CorrectionStatus, string> = {
  DRAFT: "Draft",
  SUBMITTED: "Awaiting approval",
  APPROVED: "Approved",
  REJECTED: "Rejected",
  VOID: "Superseded",
};

export const REPLAY_STATUS_LABELS: Record<ReplayStatus, string> = {
  QUEUED: "Queued",
  DELIVERING: "Delivering",
  SUCCEEDED: "Delivered",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
};

export const REPLAY_REQUEST_STATUS_LABELS: Record<ReplayRequestStatus, string> = {
  REQUESTED: "Awaiting approval",
  APPROVED: "Approved",
  REJECTED: "Rejected",
  WITHDRAWN: "Withdrawn",
};

export const TRANSACTION_STATUS_LABELS: Record<TransactionStatus, string> = {
  IN_FLIGHT: "In flight",
  DELIVERED: "Delivered",
  FAILED: "Failed",
  RETRYING: "Retrying",
};

export const OUTCOME_LABELS: Record<EventOutcome, string> = { RECEIVED: "Received", DELIVERED: "Delivered", FAILED: "Failed", RETRYING: "Retrying" };

export const ALERT_STATUS_LABELS: Record<AlertStatus, string> = { FIRING: "Firing", ACKNOWLEDGED: "Acknowledged", RESOLVED: "Resolved" };

export const ALERT_RULE_KIND_LABELS: Record<AlertRuleKind, string> = {
  BACKLOG_ABOVE: "Backlog above",
  OLDEST_ABOVE: "Oldest exception older than",
  P95_ABOVE_SLO: "Latency above SLO",
  FAILURE_RATE_ABOVE: "Failure rate above",
  CONNECTOR_SILENT: "Connector silent for",
};

export const SEVERITY_LABELS: Record<Severity, string> = { CRITICAL: "Critical", HIGH: "High", MEDIUM: "Medium", LOW: "Low" };
export const CRITICALITY_LABELS: Record<Criticality, string> = SEVERITY_LABELS;
export const CATEGORY_LABELS: Record<ErrorCategory, string> = { TECHNICAL: "Technical", BUSINESS: "Business" };
export const CONNECTOR_STATE_LABELS: Record<ConnectorState, string> = {
  UNKNOWN: "No heartbeat yet",
  ONLINE: "Online",
  DEGRADED: "Degraded",
  OFFLINE: "Offline",
};

/** Why an action was refused (audit data, API error codes): what the person should read. */
export const REFUSAL_REASON_LABELS: Record<string, string> = {
  self_approval: "the approver wrote it (four-eyes: someone else must decide)",
  role: "the user's role or plants do not allow it",
  payload_changed: "the payload changed after it was reviewed",
  stale: "it changed meanwhile",
};

/** Any code not in a table: "AWAITING_APPROVAL" / "self_approval" → "Awaiting approval" / "Self approval". */
export function humanize(code: string): string {
  const words = code
    .replace(/[_.-]+/g, " ")
    .trim()
    .toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : code;
}

/** The label of `code` in `labels`, or its humanized form (a newer server code never prints raw). */
export function labelOf<K extends string>(labels: Record<K, string>, code: string | null | undefined): string {
  if (!code) return "—";
  return (labels as Record<string, string>)[code] ?? humanize(code);
}
