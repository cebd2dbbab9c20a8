import type { PoolClient } from "pg";
import type { Actor, AppendInput, AuditEventType } from "../audit";
import type { FindingKind, FindingStatus, Severity } from "../db/generated/enums";
import type { ExceptionChange, FindingChange } from "../realtime/events";

/**
 * The finding lifecycle as the monitor writes it, on the run's pg transaction: open (one unresolved
 * finding per kind × subject, enforced by the partial unique index: a second writer's insert does
 * nothing), refresh (figures and last_evaluated_at, no status change, not audited), resolve (only rows
 * still unresolved under their row lock: a person's resolve meanwhile wins). Every open and resolve
 * queues its audit event, appended with the rest of the run's events last (one chain lock until commit),
 * and its live change, published after commit.
 */
export const MONITOR_ACTOR: Actor = { type: "system", label: "flow monitor" };

export type NewFinding = {
  plantId: string;
  plantCode: string;
  interfaceId: string;
  interfaceCode: string;
  kind: FindingKind;
  subjectKey: string;
  severity: Severity;
  summary: string;
  detail: Record<string, unknown>;
  transactionId?: string | null;
  /** The plant × interface technical owner: new findings land in their queue. */
  assigneeId?: string | null;
};

export type OpenFindingRef = {
  id: string;
  plantId: string;
  plantCode: string;
  interfaceCode: string;
  kind: FindingKind;
  subjectKey: string;
  summary: string;
  transactionId: string | null;
};

export type Resolution = {
  finding: OpenFindingRef;
  resolution: string;
  exceptionId?: string | null;
  /** finding.resolved, or finding.escalated_to_exception when it became an exception. */
  event?: "finding.resolved" | "finding.escalated_to_exception";
  detail?: Record<string, unknown>;
};

export type RunCounters = { opened: number; resolved: number; escalated: number; refreshed: number };

export class MonitorWrites {
  readonly events: AppendInput<AuditEventType>[] = [];
  readonly changes: FindingChange[] = [];
  readonly exceptionsOpened: ExceptionChange[] = [];
  readonly counters: Record<FindingKind, RunCounters> = {
    LATE: { opened: 0, resolved: 0, escalated: 0, refreshed: 0 },
    STOPPED: { opened: 0, resolved: 0, escalated: 0, refreshed: 0 },
    FLOOD: { opened: 0, resolved: 0, escalated: 0, refreshed: 0 },
    MISSED_RUN: { opened: 0, resolved: 0, escalated: 0, refreshed: 0 },
  };

  constructor(
    readonly client: PoolClient,
    readonly now: Date,
  ) {}

  /** Opens the findings not open yet (one statement); returns the opened ones by subject key. */
  async open(items: NewFinding[]): Promise<Map<string, string>> {
    const opened = new Map<string, string>();
    if (items.length === 0) return opened;
    const sorted = [...items].sort((a, b) => (a.kind + a.subjectKey < b.kind + b.subjectKey ? -1 : 1));
    const { rows } = await this.client.query<{ id: string; kind: FindingKind; subject_key: string }>(
      `INSERT INTO finding (id, plant_id, interface_id, kind, status, subject_key, severity, summary, detail, transaction_id, assignee_id, opened_at, last_evaluated_at)
       SELECT gen_random_uuid(), x.plant_id, x.interface_id, x.kind::finding_kind, 'OPEN', x.subject_key, x.severity::severity, x.summary, x.detail,
              x.transaction_id, x.assignee_id, $2, $2
       FROM jsonb_to_recordset($1::jsonb) AS x(plant_id uuid, interface_id uuid, kind text, subject_key text, severity text, summary text, detail jsonb,
            transaction_id uuid, assignee_id uuid, n int)
       ORDER BY x.n
       ON CONFLICT (kind, subject_key) WHERE status <> 'RESOLVED' DO NOTHING
       RETURNING id, kind, subject_key`,
      [
        JSON.stringify(
          sorted.map((f, n) => ({
            plant_id: f.plantId,
            interface_id: f.interfaceId,
            kind: f.kind,
            subject_key: f.subjectKey,
            severity: f.severity,
            summary: f.summary,
            detail: f.detail,
            transaction_id: f.transactionId ?? null,
            assignee_id: f.assigneeId ?? null,
            n,
          })),
        ),
        this.now,
      ],
    );
    const byKey = new Map(sorted.map((f) => [`${f.kind}|${f.subjectKey}`, f]));
    for (const r of rows) {
      const f = byKey.get(`${r.kind}|${r.subject_key}`)!;
      opened.set(r.subject_key, r.id);
      this.counters[f.kind].opened++;
      this.events.push({
        type: "finding.opened",
        actor: MONITOR_ACTOR,
        plantId: f.plantId,
        subject: { type: "finding", id: r.id },
        data: {
          findingId: r.id,
          kind: f.kind,
          plantCode: f.plantCode,
          interfaceCode: f.interfaceCode,
          subjectKey: f.subjectKey,
          summary: f.summary,
          detail: f.detail,
          transactionId: f.transactionId ?? null,
          statusTo: "OPEN",
        },
      } satisfies AppendInput<"finding.opened">);
      this.changes.push({ id: r.id, plantId: f.plantId, kind: f.kind, status: "OPEN", interfaceCode: f.interfaceCode });
    }
    return opened;
  }

  /** New figures for findings that still hold (no status change: not audited, not published). */
  async refresh(items: { id: string; kind: FindingKind; summary?: string; detail?: Record<string, unknown> }[]): Promise<void> {
    if (items.length === 0) return;
    await this.client.query(
      `UPDATE finding f SET summary = COALESCE(x.summary, f.summary), detail = COALESCE(x.detail, f.detail), last_evaluated_at = $2
       FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, summary text, detail jsonb)
       WHERE f.id = x.id AND f.status <> 'RESOLVED'`,
      [JSON.stringify(items.map((i) => ({ id: i.id, summary: i.summary ?? null, detail: i.detail ?? null }))), this.now],
    );
    for (const i of items) this.counters[i.kind].refreshed++;
  }

  /** Resolves the findings still unresolved (row-locked in id order, the status read under the lock is audited). */
  async resolve(items: Resolution[]): Promise<string[]> {
    if (items.length === 0) return [];
    const byId = new Map(items.map((r) => [r.finding.id, r]));
    const ids = [...byId.keys()].sort();
    const { rows } = await this.client.query<{ id: string; status_from: FindingStatus }>(
      `WITH old AS (SELECT id, status FROM finding WHERE id = ANY($1::uuid[]) AND status <> 'RESOLVED' ORDER BY id FOR UPDATE),
            x AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::jsonb[]) AS x(id, resolution, exception_id, detail))
       UPDATE finding f SET status = 'RESOLVED', resolved_at = $5, last_evaluated_at = $5, resolution = x.resolution,
              exception_id = COALESCE(x.exception_id, f.exception_id), detail = COALESCE(x.detail, f.detail)
       FROM old JOIN x ON x.id = old.id
       WHERE f.id = old.id
       RETURNING f.id, old.status AS status_from`,
      [
        ids,
        ids.map((id) => byId.get(id)!.resolution),
        ids.map((id) => byId.get(id)!.exceptionId ?? null),
        ids.map((id) => {
          const d = byId.get(id)!.detail;
          return d ? JSON.stringify(d) : null;
        }),
        this.now,
      ],
    );
    rows.sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const row of rows) {
      const r = byId.get(row.id)!;
      const f = r.finding;
      const type = r.event ?? "finding.resolved";
      if (type === "finding.escalated_to_exception") this.counters[f.kind].escalated++;
      else this.counters[f.kind].resolved++;
      this.events.push({
        type,
        actor: MONITOR_ACTOR,
        plantId: f.plantId,
        subject: { type: "finding", id: f.id },
        data: {
          findingId: f.id,
          kind: f.kind,
          plantCode: f.plantCode,
          interfaceCode: f.interfaceCode,
          subjectKey: f.subjectKey,
          summary: f.summary,
          resolution: r.resolution,
          transactionId: f.transactionId,
          exceptionId: r.exceptionId ?? null,
          statusFrom: row.status_from,
          statusTo: "RESOLVED",
        },
      });
      this.changes.push({ id: f.id, plantId: f.plantId, kind: f.kind, status: "RESOLVED", interfaceCode: f.interfaceCode });
    }
    return rows.map((r) => r.id);
  }
}
