import { pool } from "../db";
import type { Criticality, Severity } from "../db/generated/enums";
import { formatCount, formatInstant } from "../../lib/format";
import type { MonitorWrites, NewFinding, OpenFindingRef, Resolution } from "./findings";
import {
  FINDING_RESOLUTIONS,
  LATE_COMPLETION_FACTOR,
  MISSED_RUN_LOOKBACK_MS,
  type RunCounts,
  type ScheduledRun,
  judgeRun,
  latestRunDue,
  runCompletedLate,
  runsDue,
} from "./rules";

/**
 * MISSED_RUN, per batch schedule (cron in the plant's zone): every run whose deadline (start + complete
 * within) passed in the last 24 hours, started after the schedule was created, is judged on its
 * messages — the plant × interface transactions first seen in [start, deadline): fewer than min_messages
 * delivered by the deadline, or any of them failed, is a missed ("nothing came") or incomplete run, one
 * finding per run (subject "<plant id>:<interface id>:<start ISO>"). It clears when the run completes
 * late (its messages first seen within twice its window all delivered, at least min_messages:
 * "run_completed"), when a later run completed ("superseded"), or when the schedule is removed or
 * disabled ("schedule_removed"); otherwise it stays open until a person acknowledges and resolves it.
 * A run whose finding was resolved is not judged again.
 */
export type ScheduleRow = {
  id: string;
  plant_id: string;
  plant_code: string;
  timezone: string;
  interface_id: string;
  interface_code: string;
  criticality: Criticality;
  cron: string;
  complete_within_minutes: number;
  min_messages: number;
  active: boolean;
  created_at: Date;
  technical_owner_id: string | null;
};
type OpenRow = {
  id: string;
  plant_id: string;
  plant_code: string;
  interface_id: string;
  interface_code: string;
  subject_key: string;
  summary: string;
  detail: Record<string, unknown>;
};

export const runSubject = (plantId: string, interfaceId: string, start: Date) => `${plantId}:${interfaceId}:${start.toISOString()}`;

export function runSummary(
  interfaceCode: string,
  plantCode: string,
  timezone: string,
  run: ScheduledRun,
  verdict: "missed" | "incomplete",
  minMessages: number,
  c: Pick<RunCounts, "deliveredByDeadline" | "failed">,
): string {
  const at = formatInstant(run.start, timezone);
  const by = formatInstant(run.deadline, timezone, "time");
  if (verdict === "missed") return `${interfaceCode} run of ${at} at ${plantCode} missed: nothing arrived by ${by}`;
  const failed = c.failed ? `, ${formatCount(c.failed)} failed` : "";
  return `${interfaceCode} run of ${at} at ${plantCode} incomplete: ${formatCount(c.deliveredByDeadline)} of at least ${formatCount(minMessages)} messages delivered by ${by}${failed}`;
}

/** The batch schedules in scope (configuration: read before the run's transaction). */
export async function loadSchedules(plantIds: string[] | null): Promise<ScheduleRow[]> {
  return (
    await pool().query<ScheduleRow>(
      `SELECT b.id, b.plant_id, p.code AS plant_code, p.timezone, b.interface_id, i.code AS interface_code, i.criticality, b.cron, b.complete_within_minutes,
              b.min_messages, (b.enabled AND COALESCE(pi.enabled, false)) AS active, b.created_at, pi.technical_owner_id
       FROM batch_schedule b JOIN plant p ON p.id = b.plant_id JOIN interface i ON i.id = b.interface_id
       LEFT JOIN plant_interface pi ON pi.plant_id = b.plant_id AND pi.interface_id = b.interface_id
       WHERE ($1::uuid[] IS NULL OR b.plant_id = ANY($1::uuid[]))
       ORDER BY p.code, i.code`,
      [plantIds],
    )
  ).rows;
}

/** The open MISSED_RUN findings in scope. */
export async function readOpenRuns(plantIds: string[] | null, batch: number): Promise<OpenRow[]> {
  return (
    await pool().query<OpenRow>(
      `SELECT f.id, f.plant_id, p.code AS plant_code, f.interface_id, i.code AS interface_code, f.subject_key, f.summary, f.detail
       FROM finding f JOIN plant p ON p.id = f.plant_id JOIN interface i ON i.id = f.interface_id
       WHERE f.kind = 'MISSED_RUN' AND f.status <> 'RESOLVED' AND ($1::uuid[] IS NULL OR f.plant_id = ANY($1::uuid[]))
       ORDER BY f.opened_at LIMIT $2`,
      [plantIds, batch],
    )
  ).rows;
}

type Run = ScheduledRun & { schedule: ScheduleRow; key: string };
export type RunState = {
  schedules: ScheduleRow[];
  open: OpenRow[];
  runs: Map<string, Run>;
  dueKeys: string[];
  latestKey: Map<string, string>;
  counts: Map<string, RunCounts>;
  judged: Set<string>;
};

/** The runs to judge (due in the last 24 h, those of open findings, each schedule's latest), their messages, and which were judged before (two statements, in parallel). */
export async function readRuns(now: Date, schedules: ScheduleRow[], open: OpenRow[], batch: number): Promise<RunState> {
  const scheduleOf = new Map(schedules.map((s) => [`${s.plant_id}:${s.interface_id}`, s]));
  // The runs to count: those due in the last 24 h, those of open findings, and each schedule's latest.
  const runs = new Map<string, Run>();
  const add = (schedule: ScheduleRow, r: ScheduledRun): string | null => {
    const key = runSubject(schedule.plant_id, schedule.interface_id, r.start);
    if (!runs.has(key)) {
      if (runs.size >= batch) return null; // the rest next minute
      runs.set(key, { ...r, schedule, key });
    }
    return key;
  };
  const dueKeys: string[] = [];
  const latestKey = new Map<string, string>();
  for (const s of schedules.filter((x) => x.active)) {
    let due: ScheduledRun[];
    try {
      due = runsDue(
        { cron: s.cron, completeWithinMinutes: s.complete_within_minutes, createdAt: s.created_at },
        s.timezone,
        new Date(now.getTime() - MISSED_RUN_LOOKBACK_MS),
        now,
      );
    } catch {
      continue; // an expression the editor let through but the parser refuses: nothing is due
    }
    for (const r of due) {
      const key = add(s, r);
      if (key) dueKeys.push(key);
    }
    const latest = latestRunDue({ cron: s.cron, completeWithinMinutes: s.complete_within_minutes, createdAt: s.created_at }, s.timezone, now);
    const key = latest && add(s, latest);
    if (key) latestKey.set(s.id, key);
  }
  for (const f of open) {
    const s = scheduleOf.get(`${f.plant_id}:${f.interface_id}`);
    const start = typeof f.detail.start === "string" ? new Date(f.detail.start) : null;
    if (s?.active && start && !Number.isNaN(start.getTime())) add(s, { start, deadline: new Date(start.getTime() + s.complete_within_minutes * 60_000) });
  }
  const [counts, judgedRows] = await Promise.all([
    countRuns(now, [...runs.values()]),
    // Runs already judged (their finding open, or resolved — by the monitor or a person): not opened again.
    dueKeys.length
      ? pool().query<{ subject_key: string }>(
          `SELECT subject_key FROM finding WHERE kind = 'MISSED_RUN' AND plant_id = ANY($1::uuid[]) AND subject_key = ANY($2::text[])`,
          [[...new Set(dueKeys.map((k) => runs.get(k)!.schedule.plant_id))], dueKeys],
        )
      : { rows: [] as { subject_key: string }[] },
  ]);
  return { schedules, open, runs, dueKeys, latestKey, counts, judged: new Set(judgedRows.rows.map((r) => r.subject_key)) };
}

export type RunPlan = { toOpen: NewFinding[]; toResolve: Resolution[] };
export const runsIsEmpty = (p: RunPlan) => p.toOpen.length === 0 && p.toResolve.length === 0;

export function planRuns(state: RunState): RunPlan {
  const { open, runs, dueKeys, latestKey, counts, judged } = state;
  const scheduleOf = new Map(state.schedules.map((s) => [`${s.plant_id}:${s.interface_id}`, s]));
  const ref = (f: OpenRow): OpenFindingRef => ({
    id: f.id,
    plantId: f.plant_id,
    plantCode: f.plant_code,
    interfaceCode: f.interface_code,
    kind: "MISSED_RUN",
    subjectKey: f.subject_key,
    summary: f.summary,
    transactionId: null,
  });

  const ok = (r: Run) => judgeRun(r.schedule.min_messages, counts.get(r.key)!) === "ok";
  const toOpen: NewFinding[] = [];
  for (const key of dueKeys) {
    const r = runs.get(key)!;
    if (judged.has(key)) continue;
    const c = counts.get(key)!;
    const verdict = judgeRun(r.schedule.min_messages, c);
    if (verdict === "ok") continue;
    const s = r.schedule;
    toOpen.push({
      plantId: s.plant_id,
      plantCode: s.plant_code,
      interfaceId: s.interface_id,
      interfaceCode: s.interface_code,
      kind: "MISSED_RUN",
      subjectKey: key,
      severity: s.criticality as Severity,
      summary: runSummary(s.interface_code, s.plant_code, s.timezone, r, verdict, s.min_messages, c),
      detail: {
        verdict,
        scheduleId: s.id,
        cron: s.cron,
        timezone: s.timezone,
        start: r.start.toISOString(),
        deadline: r.deadline.toISOString(),
        minMessages: s.min_messages,
        delivered: c.deliveredByDeadline,
        failed: c.failed,
      },
      assigneeId: s.technical_owner_id,
    });
  }

  const toResolve: Resolution[] = [];
  for (const f of open) {
    const s = scheduleOf.get(`${f.plant_id}:${f.interface_id}`);
    if (!s?.active) {
      toResolve.push({ finding: ref(f), resolution: FINDING_RESOLUTIONS.scheduleRemoved });
      continue;
    }
    const run = runs.get(f.subject_key);
    const c = run && counts.get(run.key);
    if (run && c && (judgeRun(s.min_messages, c) === "ok" || runCompletedLate(s.min_messages, c))) {
      toResolve.push({ finding: ref(f), resolution: FINDING_RESOLUTIONS.runCompleted, detail: { ...f.detail, lateDelivered: c.lateDelivered } });
      continue;
    }
    const latest = runs.get(latestKey.get(s.id) ?? "");
    if (run && latest && latest.start > run.start && ok(latest))
      toResolve.push({ finding: ref(f), resolution: FINDING_RESOLUTIONS.superseded, detail: { ...f.detail, supersededBy: latest.start.toISOString() } });
  }
  return { toOpen, toResolve };
}

export async function applyRuns(w: MonitorWrites, plan: RunPlan): Promise<void> {
  await w.resolve(plan.toResolve);
  await w.open(plan.toOpen);
}

/** The messages of each run, from the transactions (index on plant × first seen), in one statement. */
async function countRuns(
  now: Date,
  runs: (ScheduledRun & { schedule: { plant_id: string; interface_id: string; complete_within_minutes: number }; key: string })[],
) {
  const out = new Map<string, RunCounts>();
  if (runs.length === 0) return out;
  const ext = (r: (typeof runs)[number]) =>
    new Date(Math.min(now.getTime(), r.start.getTime() + LATE_COMPLETION_FACTOR * r.schedule.complete_within_minutes * 60_000));
  const { rows } = await pool().query<{ n: string; by_deadline: number; failed: number; late_delivered: number; late_failed: number; late_pending: number }>(
    `SELECT r.n, c.*
     FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[]) WITH ORDINALITY AS r(plant_id, interface_id, s, d, x, n)
     -- One index range scan (plant × first seen) per run.
     CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE t.first_seen_at < r.d AND t.status = 'DELIVERED' AND t.delivered_at < r.d)::int AS by_deadline,
              count(*) FILTER (WHERE t.first_seen_at < r.d AND t.status = 'FAILED')::int AS failed,
              count(*) FILTER (WHERE t.status = 'DELIVERED')::int AS late_delivered,
              count(*) FILTER (WHERE t.status = 'FAILED')::int AS late_failed,
              count(*) FILTER (WHERE t.status IN ('IN_FLIGHT', 'RETRYING'))::int AS late_pending
       FROM business_transaction t
       WHERE t.plant_id = r.plant_id AND t.interface_id = r.interface_id AND t.first_seen_at >= r.s AND t.first_seen_at < GREATEST(r.x, r.d)) c`,
    [runs.map((r) => r.schedule.plant_id), runs.map((r) => r.schedule.interface_id), runs.map((r) => r.start), runs.map((r) => r.deadline), runs.map(ext)],
  );
  for (const r of rows) {
    const run = runs[Number(r.n) - 1]!;
    out.set(run.key, {
      deliveredByDeadline: r.by_deadline,
      failed: r.failed,
      lateDelivered: r.late_delivered,
      lateFailed: r.late_failed,
      latePending: r.late_pending,
    });
  }
  return out;
}
