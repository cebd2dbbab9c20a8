import type {
  AlertRuleKind,
  AlertStatus,
  BusinessProcess,
  CalendarEntryKind,
  ConnectorState,
  CorrectionStatus,
  Criticality,
  ErrorCategory,
  EscalationLevel,
  EventOutcome,
  ExceptionStatus,
  FindingKind,
  FindingStatus,
  HandoverStatus,
  ReplayRequestStatus,
  ReplayStatus,
  Severity,
  SystemKind,
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
  LATE_MESSAGES: "Late messages at least",
  FLOW_STOPPED: "Flow stopped",
  FLOW_FLOOD: "Flow above its expected traffic",
  MISSED_RUN: "Batch run missed",
  TARGET_DOWN: "Target system down",
  EXCEPTION_OVERDUE: "Exceptions past their due date at least",
  HANDOVER_UNACKNOWLEDGED: "Handover not acknowledged after",
};

export const FINDING_KIND_LABELS: Record<FindingKind, string> = {
  LATE: "Late message",
  STOPPED: "Flow stopped",
  FLOOD: "Flow flooded",
  MISSED_RUN: "Batch run missed",
};

/** Why a finding cleared (server/monitor/rules.ts FINDING_RESOLUTIONS; people acknowledge, Andon clears). */
export const FINDING_RESOLUTION_LABELS: Record<string, string> = {
  delivered: "the message was delivered",
  failed_reported: "the message was reported failed (an exception took over)",
  escalated: "still late past its second threshold: became an exception",
  transaction_removed: "the message is no longer kept",
  traffic_resumed: "traffic resumed",
  traffic_normal: "traffic back within its expectation",
  production_ended: "production time ended",
  connector_down: "the source connector went silent (connector down, not a stopped flow)",
  expectation_removed: "its expectation was removed or switched off",
  interface_disabled: "the interface was switched off at the plant",
  run_completed: "the run completed late",
  superseded: "a later run completed",
  schedule_removed: "its schedule was removed or switched off",
};

export const FINDING_STATUS_LABELS: Record<FindingStatus, string> = { OPEN: "Open", ACKNOWLEDGED: "Acknowledged", RESOLVED: "Resolved" };

export const BUSINESS_PROCESS_LABELS: Record<BusinessProcess, string> = {
  ORDER_TO_PRODUCTION: "Order to production",
  PROCURE_TO_RECEIPT: "Procure to receipt",
  QUALITY: "Quality",
  MAINTENANCE: "Maintenance",
  PLANNING: "Planning",
  FINANCE: "Finance",
};

export const CALENDAR_ENTRY_KIND_LABELS: Record<CalendarEntryKind, string> = { HOLIDAY: "Holiday", DOWNTIME: "Planned downtime" };

export const ESCALATION_LEVEL_LABELS: Record<EscalationLevel, string> = {
  TECHNICAL_OWNER: "Technical owner",
  PLANT_LEAD: "Plant lead",
  PLANT_MANAGER: "Plant manager",
  BUSINESS_OWNER: "Business owner",
};

export const HANDOVER_STATUS_LABELS: Record<HandoverStatus, string> = { PREPARED: "Awaiting acknowledgement", ACKNOWLEDGED: "Acknowledged" };

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

/** How an exception was closed (exception.resolution). */
export const RESOLUTION_LABELS: Record<string, string> = {
  replayed: "delivered by a replay",
  recovered_at_source: "recovered at the source (the message arrived after all)",
  discarded: "discarded",
};

/** Why something happened, as audit events record it (cancellations, lapses, withdrawals, failed sign-ins). */
export const AUDIT_REASON_LABELS: Record<string, string> = {
  ...REFUSAL_REASON_LABELS,
  exception_discarded: "the exception was discarded",
  recovered_at_source: "the message arrived at the source after all",
  no_longer_wanted: "the exception no longer waits for it",
  approval_lapsed: "its approval lapsed",
  payload_changed_after_approval: "the payload changed after it was approved",
  approver_inactive: "the approver's account was deactivated",
  approver_lost_rights: "the approver may no longer approve in this plant",
  exception_changed: "the exception changed meanwhile",
  requester_lost_rights: "the requester may no longer ask for it",
  unknown_user: "no such user",
  bad_password: "wrong password",
  inactive: "the account is deactivated",
  malformed: "the sign-in request was malformed",
  throttled: "too many attempts (throttled)",
  demo_setup: "demo setup",
  admin_request: "asked by an administrator",
  connector_created: "the connector was created",
};

/** How a replay reached its target: pushed by Andon to the connector, or collected by the connector. */
export const REPLAY_MODE_LABELS: Record<string, string> = { push: "pushed to the connector", pull: "collected by the connector" };

/** Who did something, when it was not a person. */
export const ACTOR_TYPE_LABELS: Record<string, string> = { user: "Person", system: "Andon", connector: "Connector", anonymous: "Not signed in" };

export const BULK_KIND_LABELS: Record<string, string> = {
  ASSIGN: "Assign",
  COMMENT: "Comment",
  DISCARD: "Discard",
  REPLAY: "Replay",
  CORRECT: "Correct",
};

/** The plant systems a message hops between (hop sources and targets). */
export const SYSTEM_LABELS: Record<SystemKind, string> = {
  SAP_ERP: "SAP ERP",
  ODOO: "Odoo",
  MES: "MES",
  QMS: "QMS",
  WMS: "WMS",
  CMMS: "CMMS",
  PLM: "PLM",
  SUPPLIER_PORTAL: "Supplier portal",
  PLANNING: "Planning",
  LIMS: "LIMS",
};

/** A system named inside a sentence: "SAP ERP", "Odoo", "the MES", "the supplier portal". */
export function systemInSentence(kind: string): string {
  const label = (SYSTEM_LABELS as Record<string, string>)[kind];
  if (!label) return humanize(kind);
  return kind === "SAP_ERP" || kind === "ODOO" ? label : `the ${label === label.toUpperCase() ? label : label.toLowerCase()}`;
}

/** Business objects a message concerns (typed references, issue 20). */
export const REF_KIND_LABELS: Record<string, string> = {
  MATERIAL: "Material",
  BOM: "BOM",
  PRODUCTION_ORDER: "Production order",
  LOT: "Lot",
  PURCHASE_ORDER: "Purchase order",
  ASN: "ASN",
  WORK_ORDER: "Work order",
  INSPECTION_LOT: "Inspection lot",
  INVOICE: "Invoice",
  FORECAST_VERSION: "Forecast version",
};

/** Issue 20: a correction's dry run against its target. */
export const DRY_RUN_OUTCOME_LABELS: Record<string, string> = {
  WOULD_POST: "Would post",
  REFUSED: "Refused by the target",
  ERROR: "Not checked",
};

/** Issue 20: how earlier failures of the same group or error code were closed ("what fixed it before"). */
export const SUGGESTION_KIND_LABELS: Record<string, string> = {
  corrected_field: "Corrected field",
  replayed_as_is: "Replayed as is",
  discarded: "Discarded:",
  recovered_at_source: "Recovered at the source",
};
