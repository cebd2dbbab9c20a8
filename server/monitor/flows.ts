import type { PlantCalendar } from "../calendar/shifts";
import { pool } from "../db";
import type { Criticality, FindingKind, Severity, SystemKind } from "../db/generated/enums";
import { SILENT_AFTER_MS } from "../dashboards/overview";
import { formatCount, formatDuration } from "../../lib/format";
import type { MonitorWrites, NewFinding, OpenFindingRef, Resolution } from "./findings";
import {
  type Expectation,
  FINDING_RESOLUTIONS,
  type FlowCounts,
  type FlowWindow,
  TRAFFIC_OUTCOMES,
  floorMinute,
  flowWindow,
  judgeFlow,
  lookbackSpans,
} from "./rules";

/**
 * STOPPED and FLOOD, per flow expectation (plant × interface): traffic (TRAFFIC_OUTCOMES, from the
 * per-minute rollups) against the expected minimum and maximum, on the plant's production calendar.
 * One read of the expectations, one of the connectors, one set-based read of the traffic for all of
 * them; the verdicts are pure (rules.ts judgeFlow). Subject: "<plant id>:<interface id>".
 */
type ExpectationRow = {
  plant_id: string;
  plant_code: string;
  interface_id: string;
  interface_code: string;
  criticality: Criticality;
  source_system: SystemKind;
  window_minutes: number;
  min_count: number;
  max_count: number | null;
  production_only: boolean;
  enabled: boolean;
  interface_enabled: boolean;
  technical_owner_id: string | null;
};

type ConnectorRow = { plant_id: string; kind: SystemKind; last_heartbeat_at: Date | null; disabled: boolean };

export const flowSubject = (plantId: string, interfaceId: string) => `${plantId}:${interfaceId}`;

/** Alive: in service and heard from within SILENT_AFTER_MS (the dashboards' and alerts' notion of silent). */
export function connectorAlive(connectors: ConnectorRow[], plantId: string, source: SystemKind, now: Date): boolean {
  const alive = (c: ConnectorRow) => !c.disabled && c.last_heartbeat_at !== null && now.getTime() - c.last_heartbeat_at.getTime() <= SILENT_AFTER_MS;
  const ofPlant = connectors.filter((c) => c.plant_id === plantId);
  // The connector of the interface's source system; a plant without one is judged by its other connectors.
  const source_ = ofPlant.filter((c) => c.kind === source);
  return (source_.length ? source_ : ofPlant).some(alive);
}

const dur = (ms: number) => formatDuration(ms / 1000);

export function flowSummary(
  kind: "STOPPED" | "FLOOD",
  rule: "silence" | "below_minimum" | null,
  x: { plantCode: string; interfaceCode: string; e: Expectation; count: number; silenceMs: number | null },
): string {
  const per = `per ${dur(x.e.windowMinutes * 60_000)}`;
  if (kind === "FLOOD")
    return `${x.interfaceCode} at ${x.plantCode}: ${formatCount(x.count)} messages in the last ${dur(x.e.windowMinutes * 60_000)}, more than the ${formatCount(x.e.maxCount)} expected`;
  const when = x.e.productionOnly ? " of production time" : "";
  if (rule === "silence")
    return `${x.interfaceCode} stopped at ${x.plantCode}: no messages for ${dur(x.silenceMs ?? 0)}${when} (at least ${formatCount(x.e.minCount)} expected ${per})`;
  return `${x.interfaceCode} at ${x.plantCode}: ${formatCount(x.count)} messages in the last ${dur(x.e.windowMinutes * 60_000)}, fewer than the ${formatCount(x.e.minCount)} expected`;
}

export type FlowConfig = { expectations: ExpectationRow[]; connectors: ConnectorRow[] };

/** The expectations and connectors in scope (configuration: read before the run's transaction, in parallel). */
export async function loadFlowConfig(plantIds: string[] | null, batch: number): Promise<FlowConfig> {
  const [expectations, connectors] = await Promise.all([
    pool().query<ExpectationRow>(
      `SELECT e.plant_id, p.code AS plant_code, e.interface_id, i.code AS interface_code, i.criticality, i.source_system, e.window_minutes, e.min_count,
              e.max_count, e.production_only, e.enabled, COALESCE(pi.enabled, false) AS interface_enabled, pi.technical_owner_id
       FROM flow_expectation e JOIN plant p ON p.id = e.plant_id JOIN interface i ON i.id = e.interface_id
       LEFT JOIN plant_interface pi ON pi.plant_id = e.plant_id AND pi.interface_id = e.interface_id
       WHERE ($1::uuid[] IS NULL OR e.plant_id = ANY($1::uuid[]))
       ORDER BY p.code, i.code
       LIMIT $2`,
      [plantIds, batch],
    ),
    pool().query<ConnectorRow>(
      `SELECT c.plant_id, s.kind, c.last_heartbeat_at, c.disabled_at IS NOT NULL AS disabled FROM connector c JOIN plant_system s ON s.id = c.system_id
       WHERE ($1::uuid[] IS NULL OR c.plant_id = ANY($1::uuid[]))`,
      [plantIds],
    ),
  ]);
  return { expectations: expectations.rows, connectors: connectors.rows };
}

type OpenFlowRow = {
  id: string;
  kind: FindingKind;
  plant_id: string;
  plant_code: string;
  interface_code: string;
  subject_key: string;
  summary: string;
  detail: Record<string, unknown>;
};
type Windowed = { row: ExpectationRow; e: Expectation; w: FlowWindow };
export type FlowState = { config: FlowConfig; windows: Map<string, Windowed>; counts: Map<string, FlowCounts>; open: OpenFlowRow[] };

/** Each active expectation's window on its plant's calendar, then its traffic and the open STOPPED / FLOOD findings (two statements, in parallel). */
export async function readFlows(now: Date, calendars: Map<string, PlantCalendar>, config: FlowConfig, plantIds: string[] | null): Promise<FlowState> {
  // Production spans per plant and kind of expectation, computed once for the lookback.
  const spans = new Map<string, ReturnType<typeof lookbackSpans>>();
  const spansOf = (plantId: string, productionOnly: boolean) => {
    const key = `${plantId}|${productionOnly}`;
    let s = spans.get(key);
    if (!s) {
      s = lookbackSpans(calendars.get(plantId), productionOnly, now);
      spans.set(key, s);
    }
    return s;
  };

  const windows = new Map<string, Windowed>();
  for (const row of config.expectations.filter((r) => r.enabled && r.interface_enabled)) {
    const e: Expectation = { windowMinutes: row.window_minutes, minCount: row.min_count, maxCount: row.max_count, productionOnly: row.production_only };
    windows.set(flowSubject(row.plant_id, row.interface_id), { row, e, w: flowWindow(e, spansOf(row.plant_id, row.production_only), now) });
  }
  const [counts, open] = await Promise.all([
    readTraffic([...windows.values()], now),
    pool().query<OpenFlowRow>(
      `SELECT f.id, f.kind, f.plant_id, p.code AS plant_code, i.code AS interface_code, f.subject_key, f.summary, f.detail
       FROM finding f JOIN plant p ON p.id = f.plant_id JOIN interface i ON i.id = f.interface_id
       WHERE f.kind IN ('STOPPED', 'FLOOD') AND f.status <> 'RESOLVED' AND ($1::uuid[] IS NULL OR f.plant_id = ANY($1::uuid[]))`,
      [plantIds],
    ),
  ]);
  return { config, windows, counts, open: open.rows };
}

export type FlowPlan = {
  toOpen: NewFinding[];
  toRefresh: { id: string; kind: FindingKind; summary: string; detail: Record<string, unknown> }[];
  toResolve: Resolution[];
};
export const flowIsEmpty = (p: FlowPlan) => p.toOpen.length === 0 && p.toRefresh.length === 0 && p.toResolve.length === 0;

/** The verdicts (rules.ts judgeFlow) against the open findings: open, refresh (when the figures changed), resolve. */
export function planFlows(state: FlowState, now: Date): FlowPlan {
  const { windows, counts, config } = state;
  const open = { rows: state.open };
  const toOpen: NewFinding[] = [];
  const toRefresh: { id: string; kind: FindingKind; summary: string; detail: Record<string, unknown> }[] = [];
  const toResolve: Resolution[] = [];
  const openBy = new Map(open.rows.map((f) => [`${f.kind}|${f.subject_key}`, f]));
  const ref = (f: (typeof open.rows)[number]): OpenFindingRef => ({
    id: f.id,
    plantId: f.plant_id,
    plantCode: f.plant_code,
    interfaceCode: f.interface_code,
    kind: f.kind,
    subjectKey: f.subject_key,
    summary: f.summary,
    transactionId: null,
  });

  for (const [subject, { row, e, w: win }] of windows) {
    const c = counts.get(subject) ?? { inWindow: 0, sinceSilenceStart: 0, lastTrafficAt: null };
    const alive = connectorAlive(config.connectors, row.plant_id, row.source_system, now);
    const verdicts = judgeFlow(e, win, c, alive);
    const none = verdicts.find((v) => v.kind === "NONE")!;
    for (const kind of ["STOPPED", "FLOOD"] as const) {
      const v = verdicts.find((x) => x.kind === kind);
      const existing = openBy.get(`${kind}|${subject}`);
      if (v) {
        const rule = v.kind === "STOPPED" ? v.rule : null;
        const summary = flowSummary(kind, rule, {
          plantCode: row.plant_code,
          interfaceCode: row.interface_code,
          e,
          count: c.inWindow,
          silenceMs: win.silenceMs,
        });
        const detail = {
          rule,
          expectedMin: e.minCount,
          expectedMax: e.maxCount,
          actual: c.inWindow,
          windowMinutes: e.windowMinutes,
          windowFrom: win.from.toISOString(),
          windowTo: win.to.toISOString(),
          windowEvaluated: win.windowEvaluable,
          productionOnly: e.productionOnly,
          silenceAfterMs: win.silenceMs,
          lastTrafficAt: c.lastTrafficAt?.toISOString() ?? null,
        };
        // Refreshed when what it says changed (not for the window sliding by a minute).
        if (existing && (existing.summary !== summary || existing.detail.actual !== detail.actual || existing.detail.rule !== detail.rule))
          toRefresh.push({ id: existing.id, kind, summary, detail });
        else if (!existing)
          toOpen.push({
            plantId: row.plant_id,
            plantCode: row.plant_code,
            interfaceId: row.interface_id,
            interfaceCode: row.interface_code,
            kind,
            subjectKey: subject,
            severity: row.criticality as Severity,
            summary,
            detail,
            assigneeId: row.technical_owner_id,
          });
      } else if (existing) {
        toResolve.push({ finding: ref(existing), resolution: kind === "STOPPED" ? none.stoppedResolution : none.floodResolution });
      }
    }
  }
  // Open findings whose expectation is gone, disabled, or whose interface was disabled at the plant.
  const all = new Map(config.expectations.map((r) => [flowSubject(r.plant_id, r.interface_id), r]));
  for (const f of open.rows) {
    if (windows.has(f.subject_key)) continue;
    const r = all.get(f.subject_key);
    const why = r?.enabled && !r.interface_enabled ? FINDING_RESOLUTIONS.interfaceDisabled : FINDING_RESOLUTIONS.expectationRemoved;
    toResolve.push({ finding: ref(f), resolution: why });
  }
  return { toOpen, toRefresh, toResolve };
}

export async function applyFlows(w: MonitorWrites, plan: FlowPlan): Promise<void> {
  await w.resolve(plan.toResolve);
  await w.open(plan.toOpen);
  await w.refresh(plan.toRefresh);
}

/**
 * Traffic per expectation: in its window, since its silence start, and the last minute with traffic,
 * in one statement. Each plant's rollup rows are read once, over the longest range one of its
 * expectations needs (index on plant × bucket), then attributed to the expectations.
 */
async function readTraffic(items: { row: ExpectationRow; w: FlowWindow }[], now: Date): Promise<Map<string, FlowCounts>> {
  const out = new Map<string, FlowCounts>();
  if (items.length === 0) return out;
  const lows = items.map(({ w: win }) => {
    const since = win.silenceSince ? floorMinute(win.silenceSince) : null;
    return since && since < win.from ? since : win.from;
  });
  const { rows } = await pool().query<{ plant_id: string; interface_id: string; in_window: string | null; since: string | null; last_bucket: Date | null }>(
    `WITH e AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[])
         AS e(plant_id, interface_id, wfrom, wto, since, lo)),
     p AS (SELECT plant_id, min(lo) AS lo FROM e GROUP BY plant_id),
     -- One index range scan per plant (OFFSET 0 keeps the planner from flattening it into a scan of the whole table).
     r AS (
       SELECT x.plant_id, x.interface_id, x.bucket, sum(x.count) AS n
       FROM p CROSS JOIN LATERAL (
         SELECT r.plant_id, r.interface_id, r.bucket, r.count FROM telemetry_rollup_minute r
         WHERE r.plant_id = p.plant_id AND r.bucket >= p.lo AND r.bucket <= $7 AND r.outcome = ANY($8::event_outcome[]) AND r.count > 0
         OFFSET 0) x
       GROUP BY 1, 2, 3)
     SELECT e.plant_id, e.interface_id,
            sum(r.n) FILTER (WHERE r.bucket >= e.wfrom AND r.bucket < e.wto) AS in_window,
            sum(r.n) FILTER (WHERE e.since IS NOT NULL AND r.bucket >= e.since) AS since,
            max(r.bucket) AS last_bucket
     FROM e LEFT JOIN r ON r.plant_id = e.plant_id AND r.interface_id = e.interface_id AND r.bucket >= e.lo
     GROUP BY e.plant_id, e.interface_id`,
    [
      items.map((i) => i.row.plant_id),
      items.map((i) => i.row.interface_id),
      items.map((i) => i.w.from),
      items.map((i) => i.w.to),
      items.map((i) => (i.w.silenceSince ? floorMinute(i.w.silenceSince) : null)),
      lows,
      now,
      [...TRAFFIC_OUTCOMES],
    ],
  );
  for (const r of rows) {
    out.set(flowSubject(r.plant_id, r.interface_id), {
      inWindow: Number(r.in_window ?? 0),
      sinceSilenceStart: Number(r.since ?? 0),
      lastTrafficAt: r.last_bucket,
    });
  }
  return out;
}
