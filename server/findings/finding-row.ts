import type { BusinessProcess, FindingKind, FindingStatus, Severity } from "../db/generated/enums";

/** One finding as lists show it (the queue, the plant page, GET /api/findings). */
export type FindingRow = {
  id: string;
  plantId: string;
  plantCode: string;
  /** The plant's IANA time zone: its instants are shown in it. */
  plantZone: string;
  interfaceCode: string;
  interfaceName: string;
  process: BusinessProcess;
  kind: FindingKind;
  status: FindingStatus;
  severity: Severity;
  summary: string;
  openedAt: string;
  lastEvaluatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  assignee: { id: string; label: string } | null;
  resolvedAt: string | null;
  resolution: string | null;
  /** LATE: the message that is late (its business key and message id), and the exception it became, if it did. */
  transactionId: string | null;
  messageId: string | null;
  businessKey: string | null;
  exceptionId: string | null;
};

export type FindingSqlRow = Omit<FindingRow, "openedAt" | "lastEvaluatedAt" | "acknowledgedAt" | "resolvedAt" | "assignee"> & {
  openedAt: Date;
  lastEvaluatedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  assigneeId: string | null;
  assigneeLabel: string | null;
};

/** The columns of FindingSqlRow, over FINDING_FROM. */
export const FINDING_COLUMNS = `f.id, f.plant_id AS "plantId", p.code AS "plantCode", p.timezone AS "plantZone", i.code AS "interfaceCode",
  i.name AS "interfaceName", i.process, f.kind, f.status, f.severity, f.summary, f.opened_at AS "openedAt", f.last_evaluated_at AS "lastEvaluatedAt",
  f.acknowledged_at AS "acknowledgedAt", ack.email AS "acknowledgedBy", f.assignee_id AS "assigneeId", coalesce(asg.name, asg.email) AS "assigneeLabel",
  f.resolved_at AS "resolvedAt", f.resolution, f.transaction_id AS "transactionId", t.message_id AS "messageId", t.business_key AS "businessKey",
  f.exception_id AS "exceptionId"`;

export const FINDING_FROM = `FROM finding f JOIN plant p ON p.id = f.plant_id JOIN interface i ON i.id = f.interface_id
  LEFT JOIN business_transaction t ON t.id = f.transaction_id LEFT JOIN app_user ack ON ack.id = f.acknowledged_by_id
  LEFT JOIN app_user asg ON asg.id = f.assignee_id`;

export function toFindingRow({ assigneeId, assigneeLabel, ...r }: FindingSqlRow): FindingRow {
  return {
    ...r,
    openedAt: r.openedAt.toISOString(),
    lastEvaluatedAt: r.lastEvaluatedAt.toISOString(),
    acknowledgedAt: r.acknowledgedAt?.toISOString() ?? null,
    resolvedAt: r.resolvedAt?.toISOString() ?? null,
    assignee: assigneeId ? { id: assigneeId, label: assigneeLabel ?? assigneeId } : null,
  };
}
