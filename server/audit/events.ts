import { z } from "zod";

/**
 * Typed audit events: one zod schema per event type, validated on write and on read.
 * Add new types here; never change the meaning of an existing one (old rows keep it).
 */
const signInData = z.object({ ip: z.string().nullable() });
const signInFailedData = z.object({
  email: z.string(),
  reason: z.enum(["unknown_user", "bad_password", "inactive", "malformed", "throttled"]),
  ip: z.string().nullable(),
});
const signOutData = z.object({});
const plantUpdatedData = z.object({
  before: z.object({ name: z.string(), timezone: z.string() }),
  after: z.object({ name: z.string(), timezone: z.string() }),
});
const exceptionResolvedData = z.object({
  resolution: z.enum(["recovered_at_source"]),
  transactionId: z.string(),
  interfaceCode: z.string(),
  messageId: z.string(),
  deliveredAt: z.string(),
  /** Since every status change is audited with its move (older rows have neither). */
  statusFrom: z.string().optional(),
  statusTo: z.string().optional(),
});
const connectorKeyIssuedData = z.object({
  connectorName: z.string(),
  reason: z.enum(["demo_setup", "admin_request", "connector_created"]),
  /** Since the connector administration: which key was issued and which one it revoked (hints, never keys). */
  keyHint: z.string().optional(),
  revokedKeyHint: z.string().nullable().optional(),
});
const connectorKeyRevokedData = z.object({ connectorName: z.string(), revokedKeyHint: z.string().nullable() });
const fields = z.record(z.string(), z.unknown());
const connectorChangedData = z.object({ connectorId: z.string(), before: fields.nullable(), after: fields });
/** An administrator took a connector out of service (its key refused, no "silent" alert) or put it back. */
const connectorServiceData = z.object({ connectorId: z.string(), connectorName: z.string(), disabledAt: z.string().nullable() });
const plantCreatedData = z.object({ after: z.object({ code: z.string(), name: z.string(), timezone: z.string() }) });
const interfaceChangedData = z.object({ interfaceId: z.string(), code: z.string(), before: fields, after: fields });
const interfaceSchemaAddedData = z.object({
  interfaceId: z.string(),
  code: z.string(),
  version: z.number().int(),
  previousVersion: z.number().int().nullable(),
  patch: z.array(fields),
  schemaHash: z.string(),
});
const exceptionAssignedData = z.object({
  from: z.string().nullable(),
  to: z.string().nullable(),
  statusFrom: z.string(),
  statusTo: z.string(),
  bulkId: z.string().optional(),
});
const exceptionCommentedData = z.object({ commentId: z.string(), excerpt: z.string(), bulkId: z.string().optional() });
const exceptionDiscardedData = z.object({ reason: z.string(), statusFrom: z.string(), bulkId: z.string().optional() });
const patchOps = z.array(z.record(z.string(), z.unknown()));
const correctionSavedData = z.object({
  correctionId: z.string(),
  patch: patchOps,
  schemaValid: z.boolean(),
  payloadHash: z.string(),
  bulkId: z.string().optional(),
});
const correctionSubmittedData = z.object({
  correctionId: z.string(),
  patch: patchOps,
  reason: z.string(),
  payloadHash: z.string(),
  bulkId: z.string().optional(),
});
const correctionDecidedData = z.object({
  correctionId: z.string(),
  authorId: z.string(),
  payloadHash: z.string(),
  comment: z.string().nullable(),
  /** Since dry runs (issue 20): the last dry run's outcome, and the approver's reason to approve after a refusal. */
  dryRunOutcome: z.string().nullable().optional(),
  overrideReason: z.string().optional(),
});
const correctionRefusedData = z.object({ correctionId: z.string(), reason: z.enum(["self_approval", "role"]) });
const correctionVoidedData = z.object({ correctionId: z.string(), why: z.enum(["payload_changed_after_approval"]) });
const replayRequestedData = z.object({
  replayId: z.string(),
  idempotencyKey: z.string(),
  correctionId: z.string().nullable(),
  payloadHash: z.string(),
  mode: z.enum(["push", "pull"]),
  asIs: z.boolean(),
  secondReplayReason: z.string().optional(),
  /** The message had already been delivered by an earlier replay (a new key: a second delivery, asked for with a reason). */
  deliveredBeforeBy: z.string().optional(),
  /** The target had refused exactly this payload in that replay: sent unchanged on purpose, with a reason. */
  refusedBefore: z.string().optional(),
  /** Sent although a prerequisite of the same business object had an open exception: the approver's reason (issue 20). */
  blockOverrideReason: z.string().optional(),
  blockedBy: z.array(z.string()).optional(),
  bulkId: z.string().optional(),
  /** The exception's move to replay queued (optional: older rows have none). */
  statusFrom: z.string().optional(),
  statusTo: z.string().optional(),
});
const replayFinishedData = z.object({
  replayId: z.string(),
  idempotencyKey: z.string(),
  attempts: z.number().int(),
  code: z.string().nullable(),
  message: z.string().nullable(),
  /** The exception's move (resolved, or replay failed), when the settle moved it (older rows have none; a recovered-at-source one stays put). */
  statusFrom: z.string().optional(),
  statusTo: z.string().optional(),
});
const replayEndpointData = z.object({ url: z.string() });
/** A replay that will not be sent (again): its exception no longer expects it, or its approval lapsed. */
const replayCancelledData = z.object({
  replayId: z.string(),
  idempotencyKey: z.string(),
  statusFrom: z.string(),
  why: z.enum(["exception_discarded", "recovered_at_source", "no_longer_wanted", "approval_lapsed"]),
  bulkId: z.string().optional(),
});
/** An approval whose approver may no longer approve in that plant (deactivated, role or plants changed): the correction goes back to the approvers. */
const correctionApprovalLapsedData = z.object({
  correctionId: z.string(),
  approverId: z.string(),
  payloadHash: z.string(),
  why: z.enum(["approver_inactive", "approver_lost_rights"]),
});
/** A replay that needs a second person (interface requires approval): asked by one, approved or rejected by another. */
const replayApprovalRequestedData = z.object({
  replayRequestId: z.string(),
  payloadHash: z.string(),
  correctionId: z.string().nullable(),
  asIs: z.boolean(),
  second: z.boolean(),
  reason: z.string().nullable(),
  statusFrom: z.string(),
  statusTo: z.string(),
  deliveredBeforeBy: z.string().optional(),
  refusedBefore: z.string().optional(),
  bulkId: z.string().optional(),
});
const replayApprovedData = z.object({
  replayRequestId: z.string(),
  requestedById: z.string(),
  payloadHash: z.string(),
  comment: z.string().nullable(),
  replayId: z.string(),
  idempotencyKey: z.string(),
  mode: z.enum(["push", "pull"]),
  correctionId: z.string().nullable(),
  asIs: z.boolean(),
  statusFrom: z.string(),
  statusTo: z.string(),
});
const replayRejectedData = z.object({
  replayRequestId: z.string(),
  requestedById: z.string(),
  payloadHash: z.string(),
  comment: z.string(),
  statusFrom: z.string(),
  statusTo: z.string(),
});
const replayApprovalRefusedData = z.object({ replayRequestId: z.string(), reason: z.enum(["self_approval", "role"]) });
/** A request that can no longer be approved as asked: what would be sent or the exception changed, or its requester lost the right. */
const replayApprovalWithdrawnData = z.object({
  replayRequestId: z.string(),
  payloadHash: z.string(),
  why: z.enum(["payload_changed", "exception_changed", "requester_lost_rights", "approval_lapsed"]),
  detail: z.string().optional(),
});
/** A bulk action's lifecycle; each item's own event (assigned, discarded, ...) carries the bulkId. */
const bulkSummary = z.object({
  bulkId: z.string(),
  kind: z.enum(["ASSIGN", "COMMENT", "DISCARD", "REPLAY", "CORRECT"]),
  total: z.number().int(),
  done: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
});
const bulkStartedData = bulkSummary.extend({ selection: z.record(z.string(), z.unknown()), params: z.record(z.string(), z.unknown()) });
const alertRef = z.object({ alertId: z.string(), ruleId: z.string(), ruleName: z.string(), subject: z.string() });
const alertFiredData = alertRef.extend({ value: z.number(), message: z.string() });
const alertAssignedData = alertRef.extend({ from: z.string().nullable(), to: z.string().nullable() });
const alertClosedData = alertRef.extend({ note: z.string().nullable() });
const ruleFields = z.record(z.string(), z.unknown());
const alertRuleChangedData = z.object({ ruleId: z.string(), before: ruleFields.nullable(), after: ruleFields });
const webhookChangedData = z.object({ webhookId: z.string(), before: ruleFields.nullable(), after: ruleFields });
const retentionValues = z.object({ telemetryDays: z.number().int(), payloadDays: z.number().int() });
const retentionUpdatedData = z.object({ before: retentionValues, after: retentionValues });
const retentionAppliedData = retentionValues.extend({ partitionsDropped: z.number().int(), payloadsRedacted: z.number().int() });
const userFields = z.object({ email: z.string(), name: z.string(), role: z.string(), plants: z.array(z.string()), active: z.boolean() });
const userChangedData = z.object({ userId: z.string(), before: userFields.nullable(), after: userFields });
const chainVerifiedData = z.object({ ok: z.boolean(), checked: z.number().int(), brokenAtId: z.string().nullable() });
/** An exception's status move, on events that carry one: where it was and where it went (the lifecycle's names). */
const statusMove = { statusFrom: z.string(), statusTo: z.string() };
/** A failed message opened an exception (ingest, one event per exception, appended per batch). */
const exceptionOpenedData = z.object({
  transactionId: z.string(),
  interfaceCode: z.string(),
  messageId: z.string(),
  errorCode: z.string(),
  category: z.string(),
  severity: z.string(),
  occurrences: z.number().int(),
  statusTo: z.string(),
});
/** A message whose exception is open failed again with another error or severity: no status change (a repeat of the same failure is not audited: telemetry has it). */
const failureFacts = z.object({ errorCode: z.string(), fingerprint: z.string(), severity: z.string() });
const exceptionReoccurredData = z.object({
  transactionId: z.string(),
  interfaceCode: z.string(),
  messageId: z.string(),
  status: z.string(),
  occurrences: z.number().int(),
  added: z.number().int(),
  before: failureFacts,
  after: failureFacts,
});
/** A replay taken up for delivery (push claim or pull lease), moving its exception to replaying. */
const replayDeliveringData = z.object({ replayId: z.string(), idempotencyKey: z.string(), mode: z.enum(["push", "pull"]), ...statusMove });
/** One committed batch of payload redactions (the same transaction as the redactions); retention.applied sums the run. */
const retentionRedactedData = z.object({
  payloadDays: z.number().int(),
  settledBefore: z.string(),
  count: z.number().int(),
  /** The batch's transaction ids, sorted: first, last and the SHA-256 of all of them joined by newlines. */
  firstTransactionId: z.string(),
  lastTransactionId: z.string(),
  transactionIdsHash: z.string(),
});
const retentionPartitionsDroppedData = z.object({ telemetryDays: z.number().int(), beforeDay: z.string(), partitions: z.array(z.string()) });
const interfaceCreatedData = z.object({ interfaceId: z.string(), code: z.string(), after: fields });
const interfacePlantEnabledData = z.object({ interfaceId: z.string(), code: z.string(), plantCode: z.string() });

// Issue 19: shift calendars, expected traffic, owners and escalation, findings of the flow monitor, handovers.
const calendarShiftData = z.object({ plantCode: z.string(), shiftId: z.string(), before: fields.nullable(), after: fields.nullable() });
const calendarEntryData = z.object({
  plantCode: z.string(),
  entryId: z.string(),
  kind: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  reason: z.string(),
});
/** Expected traffic, batch schedules and late thresholds of a flow (before / after; null: none). */
const flowSettingsData = z.object({
  plantCode: z.string(),
  interfaceCode: z.string(),
  before: fields.nullable(),
  after: fields.nullable(),
  /** Accepted from the suggestion (same hour of the week over the last four weeks). */
  suggested: z.boolean().optional(),
});
/** Plant lead / manager, or an interface's owners at a plant (interfaceCode set). */
const ownersData = z.object({ plantCode: z.string(), interfaceCode: z.string().nullable(), before: fields, after: fields });
const escalationLadderData = z.object({ criticality: z.string(), before: fields, after: fields });
const findingData = z.object({
  findingId: z.string(),
  kind: z.string(),
  plantCode: z.string(),
  interfaceCode: z.string(),
  subjectKey: z.string(),
  summary: z.string(),
  detail: fields.optional(),
  /** finding.resolved: why it cleared (delivered, traffic_resumed, run_completed, escalated, expectation_removed, …). */
  resolution: z.string().optional(),
  transactionId: z.string().nullable().optional(),
  exceptionId: z.string().nullable().optional(),
  statusFrom: z.string().optional(),
  statusTo: z.string().optional(),
});
const findingHandledData = z.object({
  findingId: z.string(),
  kind: z.string(),
  statusFrom: z.string().optional(),
  statusTo: z.string().optional(),
  from: z.string().nullable().optional(),
  to: z.string().nullable().optional(),
});
/** A rung of an escalation ladder reached: who was notified about which subject (alert, finding, exception, handover). */
const escalationData = z.object({
  subjectType: z.string(),
  subjectId: z.string(),
  level: z.string(),
  userIds: z.array(z.string()),
  webhooks: z.number().int().optional(),
  firings: z.number().int().optional(),
});
const handoverData = z.object({
  handoverId: z.string(),
  plantCode: z.string(),
  shiftName: z.string(),
  shiftStart: z.string(),
  shiftEnd: z.string(),
  excerpt: z.string().optional(),
  statusFrom: z.string().optional(),
  statusTo: z.string().optional(),
});

// Issue 20: dependencies, releases, dry runs, runbooks.
const dependencyData = z.object({
  dependencyId: z.string(),
  prerequisite: z.string(),
  dependent: z.string(),
  refKind: z.string(),
  before: fields.nullable(),
  after: fields.nullable(),
});
/** Every prerequisite of the same business object is delivered: the waiting exception may be replayed (auto: queued by Andon). */
const exceptionReleasedData = z.object({
  exceptionId: z.string(),
  interfaceCode: z.string(),
  releasedBy: z.array(z.string()).describe("exception ids of the prerequisites that were delivered"),
  refs: z.array(z.object({ kind: z.string(), value: z.string() })),
  autoReplay: z.boolean(),
});
const dryRunData = z.object({
  correctionId: z.string(),
  payloadHash: z.string(),
  target: z.string(),
  outcome: z.enum(["WOULD_POST", "REFUSED", "ERROR"]),
  code: z.string().nullable(),
  message: z.string(),
});
const runbookData = z.object({ runbookId: z.string(), key: z.string(), version: z.number().int(), title: z.string(), bodyHash: z.string() });

export const auditEventSchemas = {
  "auth.sign_in": signInData,
  "auth.sign_in_failed": signInFailedData,
  "auth.sign_out": signOutData,
  "plant.updated": plantUpdatedData,
  "audit.chain_verified": chainVerifiedData,
  "exception.resolved": exceptionResolvedData,
  "connector.key_issued": connectorKeyIssuedData,
  "connector.key_revoked": connectorKeyRevokedData,
  "connector.created": connectorChangedData,
  "connector.updated": connectorChangedData,
  "plant.created": plantCreatedData,
  "interface.updated": interfaceChangedData,
  "interface.schema_added": interfaceSchemaAddedData,
  "exception.assigned": exceptionAssignedData,
  "exception.commented": exceptionCommentedData,
  "exception.discarded": exceptionDiscardedData,
  "correction.saved": correctionSavedData,
  "correction.submitted": correctionSubmittedData,
  "correction.approved": correctionDecidedData,
  "correction.rejected": correctionDecidedData,
  "correction.approval_refused": correctionRefusedData,
  "correction.voided": correctionVoidedData,
  "replay.requested": replayRequestedData,
  "replay.succeeded": replayFinishedData,
  "replay.failed": replayFinishedData,
  "replay.cancelled": replayCancelledData,
  "correction.approval_lapsed": correctionApprovalLapsedData,
  "replay.approval_requested": replayApprovalRequestedData,
  "replay.approved": replayApprovedData,
  "replay.rejected": replayRejectedData,
  "replay.approval_refused": replayApprovalRefusedData,
  "replay.approval_withdrawn": replayApprovalWithdrawnData,
  "connector.replay_endpoint_registered": replayEndpointData,
  "bulk.started": bulkStartedData,
  "bulk.completed": bulkSummary,
  "bulk.cancelled": bulkSummary,
  "bulk.failed": bulkSummary.extend({ error: z.string() }),
  "alert.fired": alertFiredData,
  "alert.auto_resolved": alertFiredData,
  "alert.acknowledged": alertRef,
  "alert.assigned": alertAssignedData,
  "alert.resolved": alertClosedData,
  "alert_rule.created": alertRuleChangedData,
  "alert_rule.updated": alertRuleChangedData,
  "alert_webhook.created": webhookChangedData,
  "alert_webhook.updated": webhookChangedData,
  "retention.updated": retentionUpdatedData,
  "retention.applied": retentionAppliedData,
  "user.created": userChangedData,
  "user.updated": userChangedData,
  "exception.opened": exceptionOpenedData,
  "exception.reoccurred": exceptionReoccurredData,
  "replay.delivering": replayDeliveringData,
  "retention.payloads_redacted": retentionRedactedData,
  "retention.partitions_dropped": retentionPartitionsDroppedData,
  "interface.created": interfaceCreatedData,
  "interface.plant_enabled": interfacePlantEnabledData,
  "connector.disabled": connectorServiceData,
  "connector.enabled": connectorServiceData,
  "calendar.shift_saved": calendarShiftData,
  "calendar.shift_deleted": calendarShiftData,
  "calendar.entry_added": calendarEntryData,
  "calendar.entry_removed": calendarEntryData,
  "expectation.updated": flowSettingsData,
  "batch_schedule.updated": flowSettingsData,
  "owners.updated": ownersData,
  "escalation_ladder.updated": escalationLadderData,
  "finding.opened": findingData,
  "finding.resolved": findingData,
  "finding.escalated_to_exception": findingData,
  "finding.acknowledged": findingHandledData,
  "finding.assigned": findingHandledData,
  "escalation.notified": escalationData,
  "handover.prepared": handoverData,
  "handover.notes_updated": handoverData,
  "handover.acknowledged": handoverData,
  "dependency.created": dependencyData,
  "dependency.updated": dependencyData,
  "dependency.deleted": dependencyData,
  "exception.released": exceptionReleasedData,
  "correction.dry_run": dryRunData,
  "runbook.saved": runbookData,
} as const;

export type AuditEventType = keyof typeof auditEventSchemas;
export type AuditEventData<T extends AuditEventType> = z.infer<(typeof auditEventSchemas)[T]>;

export const AUDIT_EVENT_LABELS: Record<AuditEventType, string> = {
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_out": "Signed out",
  "plant.updated": "Plant updated",
  "audit.chain_verified": "Audit chain verified",
  "exception.resolved": "Exception resolved",
  "connector.key_issued": "Connector key issued",
  "connector.key_revoked": "Connector key revoked",
  "connector.created": "Connector created",
  "connector.updated": "Connector changed",
  "plant.created": "Plant created",
  "interface.updated": "Interface changed",
  "interface.schema_added": "Interface schema version added",
  "exception.assigned": "Exception assigned",
  "exception.commented": "Comment added",
  "exception.discarded": "Exception discarded",
  "correction.saved": "Correction saved",
  "correction.submitted": "Correction submitted for approval",
  "correction.approved": "Correction approved",
  "correction.rejected": "Correction rejected",
  "correction.approval_refused": "Approval refused",
  "correction.voided": "Approval voided",
  "replay.requested": "Replay requested",
  "replay.succeeded": "Replay delivered",
  "replay.failed": "Replay failed",
  "replay.cancelled": "Replay cancelled",
  "correction.approval_lapsed": "Approval lapsed",
  "replay.approval_requested": "Replay approval requested",
  "replay.approved": "Replay approved",
  "replay.rejected": "Replay rejected",
  "replay.approval_refused": "Replay approval refused",
  "replay.approval_withdrawn": "Replay request withdrawn",
  "connector.replay_endpoint_registered": "Replay endpoint registered",
  "bulk.started": "Bulk action started",
  "bulk.completed": "Bulk action completed",
  "bulk.cancelled": "Bulk action cancelled",
  "bulk.failed": "Bulk action failed",
  "alert.fired": "Alert fired",
  "alert.auto_resolved": "Alert cleared",
  "alert.acknowledged": "Alert acknowledged",
  "alert.assigned": "Alert assigned",
  "alert.resolved": "Alert resolved",
  "alert_rule.created": "Alert rule created",
  "alert_rule.updated": "Alert rule changed",
  "alert_webhook.created": "Alert webhook added",
  "alert_webhook.updated": "Alert webhook changed",
  "retention.updated": "Retention policy changed",
  "retention.applied": "Retention applied",
  "user.created": "User created",
  "user.updated": "User changed",
  "exception.opened": "Exception opened",
  "exception.reoccurred": "Failed again with another error or severity",
  "replay.delivering": "Replay being delivered",
  "retention.payloads_redacted": "Payloads redacted",
  "retention.partitions_dropped": "Telemetry partitions dropped",
  "interface.created": "Interface created",
  "interface.plant_enabled": "Interface enabled for a plant",
  "connector.disabled": "Connector disabled",
  "connector.enabled": "Connector enabled again",
  "calendar.shift_saved": "Shift saved",
  "calendar.shift_deleted": "Shift removed",
  "calendar.entry_added": "Holiday or downtime added",
  "calendar.entry_removed": "Holiday or downtime removed",
  "expectation.updated": "Expected traffic changed",
  "batch_schedule.updated": "Batch schedule changed",
  "owners.updated": "Owners changed",
  "escalation_ladder.updated": "Escalation ladder changed",
  "finding.opened": "Finding opened",
  "finding.resolved": "Finding cleared",
  "finding.escalated_to_exception": "Late message escalated to an exception",
  "finding.acknowledged": "Finding acknowledged",
  "finding.assigned": "Finding assigned",
  "escalation.notified": "Escalated",
  "handover.prepared": "Shift handover prepared",
  "handover.notes_updated": "Handover notes written",
  "handover.acknowledged": "Shift handover acknowledged",
  "dependency.created": "Dependency added",
  "dependency.updated": "Dependency changed",
  "dependency.deleted": "Dependency removed",
  "exception.released": "Released: its prerequisites were delivered",
  "correction.dry_run": "Dry run against the target",
  "runbook.saved": "Runbook saved",
};

export const actorSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("user"), id: z.string(), label: z.string() }),
  z.object({ type: z.literal("anonymous"), label: z.string() }),
  z.object({ type: z.literal("system"), label: z.string() }),
  z.object({ type: z.literal("connector"), id: z.string(), label: z.string() }),
]);
export type Actor = z.infer<typeof actorSchema>;

export const SYSTEM_ACTOR: Actor = { type: "system", label: "andon" };
