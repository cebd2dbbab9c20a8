import { z } from "zod";
import { pool } from "../db";
import type { TransactionStatus } from "../db/generated/enums";
import { forbidden, notFound } from "../http/errors";
import { type Principal, can, canSeePlant } from "../policy";
import { type TimelineEntry, plantTimeline } from "../transactions/timeline";
import { FINDING_COLUMNS, FINDING_FROM, type FindingRow, type FindingSqlRow, toFindingRow } from "./finding-row";

/**
 * One finding with what explains it, read from the tables behind it (not from what the monitor wrote
 * down, which is shown as well under `figures`):
 * - LATE: the message (status, first seen, its interface's latency SLO and late thresholds) and its
 *   timeline across systems (server/transactions/timeline.ts);
 * - STOPPED / FLOOD: the flow's expected traffic (min, max per window) and the last message reported;
 * - MISSED_RUN: the batch schedule, the run's scheduled start and deadline, and what was delivered and
 *   failed between them.
 * Outside the user's plants a finding does not exist (404).
 */
export type FindingDetail = FindingRow & {
  /** The kind-specific figures the monitor recorded (expected / actual counts, window, due times…). */
  figures: Record<string, unknown>;
  late: null | {
    correlationId: string;
    status: TransactionStatus;
    firstSeenAt: string;
    lastEventAt: string;
    deliveredAt: string | null;
    latencySloMs: number;
    /** Late once undelivered this long after it was first seen; an exception this long after. */
    lateAfterMs: number;
    escalateAfterMs: number;
    timeline: TimelineEntry[];
  };
  flow: null | {
    expectation: { windowMinutes: number; minCount: number; maxCount: number | null; productionOnly: boolean; enabled: boolean } | null;
    /** The last message of this flow reported to Andon (any outcome), null: none in the last 30 days. */
    lastMessageAt: string | null;
  };
  run: null | {
    schedule: { cron: string; completeWithinMinutes: number; minMessages: number; enabled: boolean } | null;
    scheduledAt: string | null;
    deadline: string | null;
    delivered: number | null;
    failed: number | null;
  };
  /** The server's clock when it answered. */
  now: string;
};

const DAY = 24 * 3_600_000;

export async function findingDetail(user: Principal, id: string, now = new Date()): Promise<FindingDetail> {
  if (!can(user, "finding.read")) throw forbidden("Your role cannot read findings");
  if (!z.uuid().safeParse(id).success) throw notFound("Finding");
  const { rows } = await pool().query<FindingSqlRow & { detail: unknown; interfaceId: string; subjectKey: string }>(
    `SELECT ${FINDING_COLUMNS}, f.detail, f.interface_id AS "interfaceId", f.subject_key AS "subjectKey" ${FINDING_FROM} WHERE f.id = $1`,
    [id],
  );
  const raw = rows[0];
  if (!raw || !canSeePlant(user, raw.plantId)) throw notFound("Finding");
  const { detail, interfaceId, subjectKey, ...sqlRow } = raw;
  const row = toFindingRow(sqlRow);
  const figures = detail && typeof detail === "object" && !Array.isArray(detail) ? (detail as Record<string, unknown>) : {};
  const base = { ...row, figures, late: null, flow: null, run: null, now: now.toISOString() };
  if (row.kind === "LATE") return { ...base, late: row.transactionId ? await lateOf(raw.plantId, row.transactionId) : null };
  if (row.kind === "STOPPED" || row.kind === "FLOOD") return { ...base, flow: await flowOf(raw.plantId, interfaceId, now) };
  return { ...base, run: await runOf(raw.plantId, interfaceId, subjectKey) };
}

async function lateOf(plantId: string, transactionId: string): Promise<FindingDetail["late"]> {
  const { rows } = await pool().query<{
    correlation_id: string;
    status: TransactionStatus;
    first_seen_at: Date;
    last_event_at: Date;
    delivered_at: Date | null;
    slo: number;
    late_after_factor: number;
    late_escalate_factor: number;
  }>(
    `SELECT t.correlation_id, t.status, t.first_seen_at, t.last_event_at, t.delivered_at, i.latency_slo_ms AS slo, i.late_after_factor, i.late_escalate_factor
     FROM business_transaction t JOIN interface i ON i.id = t.interface_id WHERE t.id = $1 AND t.plant_id = $2`,
    [transactionId, plantId],
  );
  const t = rows[0];
  if (!t) return null;
  return {
    correlationId: t.correlation_id,
    status: t.status,
    firstSeenAt: t.first_seen_at.toISOString(),
    lastEventAt: t.last_event_at.toISOString(),
    deliveredAt: t.delivered_at?.toISOString() ?? null,
    latencySloMs: t.slo,
    lateAfterMs: Math.round(t.slo * t.late_after_factor),
    escalateAfterMs: Math.round(t.slo * t.late_escalate_factor),
    timeline: await plantTimeline(plantId, t.correlation_id),
  };
}

/** The last message of a flow: the last minute with traffic in the rollups, then the last event within that minute. */
export async function lastMessageAt(plantId: string, interfaceId: string, now: Date): Promise<Date | null> {
  const { rows } = await pool().query<{ at: Date | null }>(
    `WITH m AS (SELECT max(bucket) AS b FROM telemetry_rollup_minute WHERE plant_id = $1 AND interface_id = $2 AND bucket >= $3 AND bucket <= $4)
     SELECT coalesce((SELECT max(e.occurred_at) FROM telemetry_event e, m WHERE e.plant_id = $1 AND e.interface_id = $2
                      AND e.occurred_at >= m.b AND e.occurred_at < m.b + interval '1 minute'), (SELECT b FROM m)) AS at`,
    [plantId, interfaceId, new Date(now.getTime() - 30 * DAY), now],
  );
  return rows[0]?.at ?? null;
}

async function flowOf(plantId: string, interfaceId: string, now: Date): Promise<FindingDetail["flow"]> {
  const [exp, last] = await Promise.all([
    pool().query<{ window_minutes: number; min_count: number; max_count: number | null; production_only: boolean; enabled: boolean }>(
      "SELECT window_minutes, min_count, max_count, production_only, enabled FROM flow_expectation WHERE plant_id = $1 AND interface_id = $2",
      [plantId, interfaceId],
    ),
    lastMessageAt(plantId, interfaceId, now),
  ]);
  const e = exp.rows[0];
  return {
    expectation: e
      ? { windowMinutes: e.window_minutes, minCount: e.min_count, maxCount: e.max_count, productionOnly: e.production_only, enabled: e.enabled }
      : null,
    lastMessageAt: last?.toISOString() ?? null,
  };
}

/** MISSED_RUN subjects are "<plant id>:<interface id>:<scheduled start ISO>". */
export function scheduledStartOf(subjectKey: string): Date | null {
  const parts = subjectKey.split(":");
  if (parts.length < 3) return null;
  const at = new Date(parts.slice(2).join(":"));
  return Number.isNaN(at.getTime()) ? null : at;
}

async function runOf(plantId: string, interfaceId: string, subjectKey: string): Promise<FindingDetail["run"]> {
  const { rows } = await pool().query<{ cron: string; complete_within_minutes: number; min_messages: number; enabled: boolean }>(
    "SELECT cron, complete_within_minutes, min_messages, enabled FROM batch_schedule WHERE plant_id = $1 AND interface_id = $2",
    [plantId, interfaceId],
  );
  const s = rows[0];
  const start = scheduledStartOf(subjectKey);
  const deadline = start && s ? new Date(start.getTime() + s.complete_within_minutes * 60_000) : null;
  let delivered: number | null = null;
  let failed: number | null = null;
  if (start && deadline) {
    const { rows: c } = await pool().query<{ delivered: string | null; failed: string | null }>(
      `SELECT sum(count) FILTER (WHERE outcome = 'DELIVERED') AS delivered, sum(count) FILTER (WHERE outcome = 'FAILED') AS failed
       FROM telemetry_rollup_minute WHERE plant_id = $1 AND interface_id = $2 AND bucket >= date_trunc('minute', $3::timestamptz) AND bucket < $4`,
      [plantId, interfaceId, start, deadline],
    );
    delivered = Number(c[0]?.delivered ?? 0);
    failed = Number(c[0]?.failed ?? 0);
  }
  return {
    schedule: s ? { cron: s.cron, completeWithinMinutes: s.complete_within_minutes, minMessages: s.min_messages, enabled: s.enabled } : null,
    scheduledAt: start?.toISOString() ?? null,
    deadline: deadline?.toISOString() ?? null,
    delivered,
    failed,
  };
}
