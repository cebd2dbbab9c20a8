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
const plantCreatedData = z.object({ after: z.object({ code: z.string(), name: z.string(), timezone: z.string() }) });
const interfaceChangedData = z.object({ interfaceId: z.string(), code: z.string(), before: fields, after: fields });
const interfaceSchemaAddedData = z.object({ interfaceId: z.string(), code: z.string(), version: z.number().int(), previousVersion: z.number().int().nullable(), patch: z.array(fields), schemaHash: z.string() });
const exceptionAssignedData = z.object({ from: z.string().nullable(), to: z.string().nullable(), statusFrom: z.string(), statusTo: z.string(), bulkId: z.string().optional() });
const exceptionCommentedData = z.object({ commentId: z.string(), excerpt: z.string(), bulkId: z.string().optional() });
const exceptionDiscardedData = z.object({ reason: z.string(), statusFrom: z.string(), bulkId: z.string().optional() });
const patchOps = z.array(z.record(z.string(), z.unknown()));
const correctionSavedData = z.object({ correctionId: z.string(), patch: patchOps, schemaValid: z.boolean(), payloadHash: z.string(), bulkId: z.string().optional() });
const correctionSubmittedData = z.object({ correctionId: z.string(), patch: patchOps, reason: z.string(), payloadHash: z.string(), bulkId: z.string().optional() });
const correctionDecidedData = z.object({ correctionId: z.string(), authorId: z.string(), payloadHash: z.string(), comment: z.string().nullable() });
const correctionRefusedData = z.object({ correctionId: z.string(), reason: z.enum(["self_approval", "role"]) });
const correctionVoidedData = z.object({ correctionId: z.string(), why: z.enum(["payload_changed_after_approval"]) });
const replayRequestedData = z.object({
  replayId: z.string(), idempotencyKey: z.string(), correctionId: z.string().nullable(), payloadHash: z.string(), mode: z.enum(["push", "pull"]), asIs: z.boolean(),
  secondReplayReason: z.string().optional(),
  /** The message had already been delivered by an earlier replay (a new key: a second delivery, asked for with a reason). */
  deliveredBeforeBy: z.string().optional(),
  bulkId: z.string().optional(),
});
const replayFinishedData = z.object({ replayId: z.string(), idempotencyKey: z.string(), attempts: z.number().int(), code: z.string().nullable(), message: z.string().nullable() });
const replayEndpointData = z.object({ url: z.string() });
/** A replay that will not be sent (again): its exception no longer expects it, or its approval lapsed. */
const replayCancelledData = z.object({
  replayId: z.string(), idempotencyKey: z.string(), statusFrom: z.string(),
  why: z.enum(["exception_discarded", "recovered_at_source", "no_longer_wanted", "approval_lapsed"]),
  bulkId: z.string().optional(),
});
/** An approval whose approver may no longer approve in that plant (deactivated, role or plants changed): the correction goes back to the approvers. */
const correctionApprovalLapsedData = z.object({ correctionId: z.string(), approverId: z.string(), payloadHash: z.string(), why: z.enum(["approver_inactive", "approver_lost_rights"]) });
/** A bulk action's lifecycle; each item's own event (assigned, discarded, ...) carries the bulkId. */
const bulkSummary = z.object({ bulkId: z.string(), kind: z.enum(["ASSIGN", "COMMENT", "DISCARD", "REPLAY", "CORRECT"]), total: z.number().int(), done: z.number().int(), skipped: z.number().int(), failed: z.number().int() });
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
};

export const actorSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("user"), id: z.string(), label: z.string() }),
  z.object({ type: z.literal("anonymous"), label: z.string() }),
  z.object({ type: z.literal("system"), label: z.string() }),
  z.object({ type: z.literal("connector"), id: z.string(), label: z.string() }),
]);
export type Actor = z.infer<typeof actorSchema>;

export const SYSTEM_ACTOR: Actor = { type: "system", label: "andon" };
