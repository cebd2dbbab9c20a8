import type { Criticality, ErrorCategory, ExceptionStatus, Severity, SystemKind } from "../db/generated/enums";
import { fingerprint } from "../exceptions/fingerprint";
import { CLOSED_STATUSES, INITIAL_STATUS, SLA_MS } from "../exceptions/lifecycle";
import { severityOf } from "../exceptions/severity";
import { formatDuration } from "../../lib/format";
import { MONITOR_ACTOR, type MonitorWrites, type NewFinding, type OpenFindingRef, type Resolution } from "./findings";
import { FINDING_RESOLUTIONS, escalateAfterMs, lateAfterMs, stuckHop } from "./rules";

/**
 * LATE: a message received (IN_FLIGHT) or being retried (RETRYING) and not delivered within its
 * interface's late_after_factor × latency SLO of first being seen. One finding per transaction
 * (subject = transaction id). It clears when the message is delivered ("delivered") or fails (an
 * exception then exists: "failed_reported"); still undelivered after late_escalate_factor × SLO it
 * becomes an exception (technical, error code LATE) and the finding resolves "escalated".
 *
 * The exception is opened with the same invariants as ingest's: one open exception per transaction
 * (the partial unique index; a failure reported meanwhile wins and is linked instead), the failure
 * fingerprint, severity from severityOf, SLA due date from SLA_MS, status NEW, exception.opened audited.
 * The transaction keeps its status (the source has not reported a failure) but gets failed_at: a
 * delivery reported later then resolves the exception "recovered at source" on ingest's own path.
 *
 * Set-based and bounded: at most `batch` new late messages (oldest first) and `batch` open findings per run.
 */
const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(", ");
const STATUS_WORDS: Record<string, string> = { IN_FLIGHT: "in flight", RETRYING: "being retried" };
const ms = (v: number) => formatDuration(v / 1000);

type Candidate = {
  id: string;
  plant_id: string;
  plant_code: string;
  interface_id: string;
  interface_code: string;
  message_id: string;
  status: string;
  first_seen_at: Date;
  last_event_at: Date;
  attempts: number;
  criticality: Criticality;
  latency_slo_ms: number;
  late_after_factor: number;
  late_escalate_factor: number;
  technical_owner_id: string | null;
};

const thresholds = (c: Candidate) => ({ latencySloMs: c.latency_slo_ms, lateAfterFactor: c.late_after_factor, lateEscalateFactor: c.late_escalate_factor });

export function lateSummary(interfaceCode: string, messageId: string, ageMs: number, dueMs: number): string {
  return `${interfaceCode} message ${messageId} not delivered ${ms(ageMs)} after it was received (due within ${ms(dueMs)})`;
}

/** Step 1: open a finding for each undelivered message past its late threshold that has none (and no open exception, and was not escalated before). */
export async function openLate(w: MonitorWrites, plantIds: string[] | null, batch: number): Promise<void> {
  const { rows } = await w.client.query<Candidate>(
    `SELECT t.id, t.plant_id, p.code AS plant_code, t.interface_id, i.code AS interface_code, t.message_id, t.status::text AS status, t.first_seen_at,
            t.last_event_at, t.attempts, i.criticality, i.latency_slo_ms, i.late_after_factor, i.late_escalate_factor, pi.technical_owner_id
     FROM business_transaction t
     JOIN interface i ON i.id = t.interface_id
     JOIN plant p ON p.id = t.plant_id
     LEFT JOIN plant_interface pi ON pi.plant_id = t.plant_id AND pi.interface_id = t.interface_id
     WHERE t.status IN ('IN_FLIGHT', 'RETRYING')
       AND t.first_seen_at <= $1::timestamptz - make_interval(secs => (SELECT min(late_after_factor * latency_slo_ms) FROM interface) / 1000.0)
       AND t.first_seen_at <= $1::timestamptz - make_interval(secs => i.late_after_factor * i.latency_slo_ms / 1000.0)
       AND ($2::uuid[] IS NULL OR t.plant_id = ANY($2::uuid[]))
       AND NOT EXISTS (SELECT 1 FROM finding f WHERE f.transaction_id = t.id AND f.kind = 'LATE' AND (f.status <> 'RESOLVED' OR f.resolution = 'escalated'))
       AND NOT EXISTS (SELECT 1 FROM exception x WHERE x.transaction_id = t.id AND x.status NOT IN (${CLOSED_SQL}))
     ORDER BY t.first_seen_at
     LIMIT $3`,
    [w.now, plantIds, batch],
  );
  const items: NewFinding[] = rows.map((c) => {
    const due = lateAfterMs(thresholds(c));
    const age = w.now.getTime() - c.first_seen_at.getTime();
    return {
      plantId: c.plant_id,
      plantCode: c.plant_code,
      interfaceId: c.interface_id,
      interfaceCode: c.interface_code,
      kind: "LATE",
      subjectKey: c.id,
      severity: severityOf({ interfaceCode: c.interface_code, criticality: c.criticality, category: "TECHNICAL", attempt: c.attempts }),
      summary: lateSummary(c.interface_code, c.message_id, age, due),
      detail: {
        messageId: c.message_id,
        status: c.status,
        firstSeenAt: c.first_seen_at.toISOString(),
        dueAt: new Date(c.first_seen_at.getTime() + due).toISOString(),
        escalateAt: new Date(c.first_seen_at.getTime() + escalateAfterMs(thresholds(c))).toISOString(),
        lateAfterMs: due,
        ageMs: age,
        latencySloMs: c.latency_slo_ms,
      },
      transactionId: c.id,
      assigneeId: c.technical_owner_id,
    };
  });
  await w.open(items);
}

type OpenLate = Candidate & {
  finding_id: string;
  subject_key: string;
  summary: string;
  tx_id: string | null;
  hops: unknown;
  source_system: SystemKind;
  target_systems: SystemKind[];
  open_exception_id: string | null;
};

/** Step 2: the open LATE findings: resolved when their message was delivered or failed, escalated when still undelivered past the second threshold. */
export async function settleLate(w: MonitorWrites, plantIds: string[] | null, batch: number): Promise<void> {
  const { rows } = await w.client.query<OpenLate>(
    `SELECT f.id AS finding_id, f.subject_key, f.summary, f.plant_id, p.code AS plant_code, f.interface_id, i.code AS interface_code, f.transaction_id AS tx_id,
            t.id, t.message_id, t.status::text AS status, t.first_seen_at, t.last_event_at, t.attempts, t.hops, i.criticality, i.latency_slo_ms,
            i.late_after_factor, i.late_escalate_factor, i.source_system, i.target_systems, pi.technical_owner_id,
            (SELECT x.id FROM exception x WHERE x.transaction_id = f.transaction_id AND x.status NOT IN (${CLOSED_SQL}) LIMIT 1) AS open_exception_id
     FROM finding f
     JOIN plant p ON p.id = f.plant_id
     JOIN interface i ON i.id = f.interface_id
     LEFT JOIN business_transaction t ON t.id = f.transaction_id
     LEFT JOIN plant_interface pi ON pi.plant_id = f.plant_id AND pi.interface_id = f.interface_id
     WHERE f.kind = 'LATE' AND f.status <> 'RESOLVED' AND ($1::uuid[] IS NULL OR f.plant_id = ANY($1::uuid[]))
     ORDER BY f.opened_at, f.id
     LIMIT $2`,
    [plantIds, batch],
  );
  const ref = (r: OpenLate): OpenFindingRef => ({
    id: r.finding_id,
    plantId: r.plant_id,
    plantCode: r.plant_code,
    interfaceCode: r.interface_code,
    kind: "LATE",
    subjectKey: r.subject_key,
    summary: r.summary,
    transactionId: r.tx_id,
  });
  const resolutions: Resolution[] = [];
  const toEscalate: OpenLate[] = [];
  const stillLate: OpenLate[] = [];
  for (const r of rows) {
    if (!r.id) resolutions.push({ finding: ref(r), resolution: FINDING_RESOLUTIONS.transactionRemoved });
    else if (r.status === "DELIVERED") resolutions.push({ finding: ref(r), resolution: FINDING_RESOLUTIONS.delivered });
    else if (r.status === "FAILED" || r.open_exception_id)
      resolutions.push({ finding: ref(r), resolution: FINDING_RESOLUTIONS.failedReported, exceptionId: r.open_exception_id });
    else if (w.now.getTime() - r.first_seen_at.getTime() >= escalateAfterMs(thresholds(r))) toEscalate.push(r);
    else stillLate.push(r);
  }
  await w.resolve(resolutions);
  await escalate(w, toEscalate, ref);
  await w.refresh(
    stillLate.map((r) => {
      const age = w.now.getTime() - r.first_seen_at.getTime();
      return { id: r.finding_id, kind: "LATE" as const, summary: lateSummary(r.interface_code, r.message_id, age, lateAfterMs(thresholds(r))) };
    }),
  );
}

type InsertedException = {
  id: string;
  transaction_id: string;
  status: ExceptionStatus;
  severity: Severity;
  category: ErrorCategory;
  error_code: string;
  error_message: string;
  occurrences: number;
  last_seen_at: Date;
};

async function escalate(w: MonitorWrites, rows: OpenLate[], ref: (r: OpenLate) => OpenFindingRef): Promise<void> {
  if (rows.length === 0) return;
  // The transactions still undelivered, locked in id order (a delivery committed since the read is left to the next run).
  const locked = await w.client.query<{ id: string }>(
    `WITH l AS (SELECT id FROM business_transaction WHERE id = ANY($1::uuid[]) AND status IN ('IN_FLIGHT', 'RETRYING') ORDER BY id FOR UPDATE)
     UPDATE business_transaction t SET failed_at = COALESCE(t.failed_at, $2) FROM l WHERE t.id = l.id RETURNING t.id`,
    [rows.map((r) => r.id), w.now],
  );
  const still = new Set(locked.rows.map((r) => r.id));
  const plans = rows
    .filter((r) => still.has(r.id))
    .sort((a, b) => (a.id < b.id ? -1 : 1))
    .map((r) => {
      const escalateMs = escalateAfterMs(thresholds(r));
      const message = `Not delivered ${ms(escalateMs)} after it was received (${r.late_escalate_factor} × the ${ms(r.latency_slo_ms)} latency SLO): the message is still ${STATUS_WORDS[r.status] ?? "under way"}`;
      const severity = severityOf({ interfaceCode: r.interface_code, criticality: r.criticality, category: "TECHNICAL", attempt: r.attempts });
      const hop = stuckHop(r.hops, r.source_system, r.target_systems);
      return {
        row: r,
        insert: {
          interface_id: r.interface_id,
          plant_id: r.plant_id,
          transaction_id: r.id,
          fingerprint: fingerprint(r.interface_code, "LATE", message),
          severity,
          error_message: message,
          error_details: {
            firstSeenAt: r.first_seen_at.toISOString(),
            lastEventAt: r.last_event_at.toISOString(),
            ageMs: w.now.getTime() - r.first_seen_at.getTime(),
            escalateAfterMs: escalateMs,
            latencySloMs: r.latency_slo_ms,
            status: r.status,
          },
          first_seen_at: r.first_seen_at.toISOString(),
          last_seen_at: r.last_event_at.toISOString(),
          sla_due_at: new Date(w.now.getTime() + SLA_MS[severity]).toISOString(),
          hop_source: hop.source,
          hop_target: hop.target,
          assignee_id: r.technical_owner_id,
        },
      };
    });
  if (plans.length === 0) return;
  const inserted = await w.client.query<InsertedException>(
    `INSERT INTO exception (plant_id, interface_id, transaction_id, status, fingerprint, category, severity, error_code, error_message, error_details,
                           occurrences, first_seen_at, last_seen_at, sla_due_at, hop_source, hop_target, assignee_id)
     SELECT y.plant_id, y.interface_id, y.transaction_id, $2::exception_status, y.fingerprint, 'TECHNICAL', y.severity::severity, 'LATE', y.error_message,
            y.error_details, 1, y.first_seen_at, y.last_seen_at, y.sla_due_at, y.hop_source::system_kind, y.hop_target::system_kind, y.assignee_id
     FROM jsonb_to_recordset($1::jsonb) AS y(plant_id uuid, interface_id uuid, transaction_id uuid, fingerprint text, severity text, error_message text,
          error_details jsonb, first_seen_at timestamptz, last_seen_at timestamptz, sla_due_at timestamptz, hop_source text, hop_target text,
          assignee_id uuid, n int)
     ORDER BY y.n
     ON CONFLICT (transaction_id) WHERE status NOT IN (${CLOSED_SQL}) DO NOTHING
     RETURNING id, transaction_id, status, severity, category, error_code, error_message, occurrences, last_seen_at`,
    [JSON.stringify(plans.map((p, n) => ({ ...p.insert, n }))), INITIAL_STATUS],
  );
  const byTx = new Map(inserted.rows.map((x) => [x.transaction_id, x]));
  // A failure reported between the read and the insert opened its exception first: linked, "failed_reported".
  const lost = plans.filter((p) => !byTx.has(p.row.id)).map((p) => p.row.id);
  const existing = lost.length
    ? (
        await w.client.query<{ id: string; transaction_id: string }>(
          `SELECT id, transaction_id FROM exception WHERE transaction_id = ANY($1::uuid[]) AND status NOT IN (${CLOSED_SQL})`,
          [lost],
        )
      ).rows
    : [];
  const existingByTx = new Map(existing.map((x) => [x.transaction_id, x.id]));
  const resolutions: Resolution[] = [];
  for (const { row: r } of plans) {
    const x = byTx.get(r.id);
    if (!x) {
      resolutions.push({ finding: ref(r), resolution: FINDING_RESOLUTIONS.failedReported, exceptionId: existingByTx.get(r.id) ?? null });
      continue;
    }
    resolutions.push({ finding: ref(r), resolution: FINDING_RESOLUTIONS.escalated, exceptionId: x.id, event: "finding.escalated_to_exception" });
    w.events.push({
      type: "exception.opened",
      actor: MONITOR_ACTOR,
      plantId: r.plant_id,
      subject: { type: "exception", id: x.id },
      data: {
        transactionId: r.id,
        interfaceCode: r.interface_code,
        messageId: r.message_id,
        errorCode: x.error_code,
        category: x.category,
        severity: x.severity,
        occurrences: x.occurrences,
        statusTo: x.status,
      },
    });
    w.exceptionsOpened.push({
      id: x.id,
      plantId: r.plant_id,
      interfaceCode: r.interface_code,
      transactionId: r.id,
      messageId: r.message_id,
      status: x.status,
      severity: x.severity,
      category: x.category,
      errorCode: x.error_code,
      errorMessage: x.error_message.slice(0, 300),
      occurrences: x.occurrences,
      lastSeenAt: x.last_seen_at.toISOString(),
    });
  }
  await w.resolve(resolutions);
}
