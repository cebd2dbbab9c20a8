import { append, SYSTEM_ACTOR } from "../audit";
import { db, pool, type Prisma } from "../db";
import type { AlertRuleKind, Criticality, FindingKind, Severity } from "../db/generated/enums";
import { BUCKETS, percentile } from "../metrics/histogram";
import { forbidden } from "../http/errors";
import { type Principal, can } from "../policy";
import { enqueueInTx, enqueueNow } from "../workers/boss";
import type { AlertChange } from "../realtime/events";
import { publishAlertChanges } from "./live";
import { formatCount, formatDuration } from "../../lib/format";
import { DEFAULT_CIRCUIT } from "../replay/circuit";
import { MIN_VOLUME, RULE_KINDS } from "./rule-kinds";
import { webhookRoutes } from "./severity-routing";

/**
 * The alert evaluator (a pg-boss job, once a minute across all instances). For every enabled rule it
 * finds the subjects (plant, plant × interface, or connector) for which the condition holds now,
 * then reconciles with the open alerts in one transaction under an advisory lock:
 *   holds and open → stays firing (value refreshed, no new notification);
 *   holds, none open → fires once (the partial unique index allows one open alert per rule and subject);
 *   open, no longer holds → resolves (auto);
 *   resolved by a person while still holding → stays quiet until the condition has cleared once.
 * Every fire and auto-resolve is audited and queued to the matching webhooks once (unique per alert,
 * webhook and event), in the same transaction.
 */
export const ALERT_WEBHOOK_QUEUE = "alerts.webhook";
export const ALERT_EVALUATE_QUEUE = "alerts.evaluate";
const EVALUATION_LOCK = 72_616_205;
const OPEN_STATUSES = "status NOT IN ('RESOLVED', 'DISCARDED')"; // matches exception_open_dashboard_idx

type Rule = {
  id: string;
  name: string;
  kind: AlertRuleKind;
  threshold: number;
  windowMinutes: number;
  plantId: string | null;
  interfaceId: string | null;
  criticality: Criticality | null;
  severity: Severity;
};
export type Finding = { plantId: string; subjectKey: string; subjectLabel: string; value: number; message: string };
type Pair = { plantId: string; plantCode: string; interfaceId: string; interfaceCode: string; sloMs: number; criticality: Criticality };

/** Per-run memo: every rule of one kind and window shares one query. */
class Snapshot {
  private memo = new Map<string, Promise<unknown>>();
  constructor(readonly now: Date) {}
  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.memo.set(key, p);
    }
    return p;
  }
  pairs() {
    return this.once(
      "pairs",
      async () =>
        (
          await pool().query<Pair>(
            `SELECT p.id AS "plantId", p.code AS "plantCode", i.id AS "interfaceId", i.code AS "interfaceCode", i.latency_slo_ms AS "sloMs", i.criticality
       FROM plant_interface pi JOIN plant p ON p.id = pi.plant_id JOIN interface i ON i.id = pi.interface_id WHERE pi.enabled ORDER BY p.code, i.code`,
          )
        ).rows,
    );
  }
  plants() {
    return this.once("plants", async () => (await pool().query<{ id: string; code: string }>("SELECT id, code FROM plant ORDER BY code")).rows);
  }
  openExceptions() {
    return this.once(
      "open",
      async () =>
        (
          await pool().query<{ plant_id: string; interface_id: string; n: number; oldest: Date }>(
            `SELECT plant_id, interface_id, count(*)::int AS n, min(first_seen_at) AS oldest FROM exception WHERE ${OPEN_STATUSES} GROUP BY plant_id, interface_id`,
          )
        ).rows,
    );
  }
  outcomes(minutes: number) {
    return this.once(
      `outcomes:${minutes}`,
      async () =>
        (
          await pool().query<{ plant_id: string; interface_id: string; delivered: string; failed: string }>(
            `SELECT plant_id, interface_id, sum(count) FILTER (WHERE outcome = 'DELIVERED') AS delivered, sum(count) FILTER (WHERE outcome = 'FAILED') AS failed
       FROM telemetry_rollup_minute WHERE bucket >= $1 AND bucket <= $2 AND outcome IN ('DELIVERED', 'FAILED') GROUP BY plant_id, interface_id`,
            [new Date(this.now.getTime() - minutes * 60_000), this.now],
          )
        ).rows,
    );
  }
  /** Delivered-latency histograms per plant × interface × complete minute of the last `minutes`. */
  minuteHistograms(minutes: number) {
    return this.once(`hist:${minutes}`, async () => {
      const end = new Date(Math.floor(this.now.getTime() / 60_000) * 60_000);
      const { rows } = await pool().query<{ plant_id: string; interface_id: string; bucket: Date; i: number; n: string }>(
        `SELECT r.plant_id, r.interface_id, r.bucket, h.i::int, sum(h.n) AS n FROM telemetry_rollup_minute r, unnest(r.histogram) WITH ORDINALITY AS h(n, i)
         WHERE r.bucket >= $1 AND r.bucket < $2 AND r.outcome = 'DELIVERED' AND h.n > 0 GROUP BY 1, 2, 3, 4`,
        [new Date(end.getTime() - minutes * 60_000), end],
      );
      const out = new Map<string, Map<number, number[]>>();
      for (const r of rows) {
        const key = `${r.plant_id}:${r.interface_id}`;
        let perMinute = out.get(key);
        if (!perMinute) {
          perMinute = new Map();
          out.set(key, perMinute);
        }
        let hist = perMinute.get(r.bucket.getTime());
        if (!hist) {
          hist = new Array<number>(BUCKETS).fill(0);
          perMinute.set(r.bucket.getTime(), hist);
        }
        hist[r.i - 1] = Number(r.n);
      }
      return out;
    });
  }
  /** Unresolved findings of the flow monitor per plant × interface × kind: all, the OPEN ones (not acknowledged), and the oldest OPEN one's summary. */
  findingCounts() {
    return this.once(
      "findings",
      async () =>
        (
          await pool().query<{ plant_id: string; interface_id: string; kind: FindingKind; unresolved: number; open: number; summary: string | null }>(
            `SELECT plant_id, interface_id, kind, count(*)::int AS unresolved, count(*) FILTER (WHERE status = 'OPEN')::int AS open,
                    (array_agg(summary ORDER BY opened_at) FILTER (WHERE status = 'OPEN'))[1] AS summary
             FROM finding WHERE status <> 'RESOLVED' GROUP BY plant_id, interface_id, kind`,
          )
        ).rows,
    );
  }
  /** Open exceptions past their SLA due date per plant × interface. */
  overdueExceptions() {
    return this.once(
      "overdue",
      async () =>
        (
          await pool().query<{ plant_id: string; interface_id: string; n: number; oldest_due: Date }>(
            `SELECT plant_id, interface_id, count(*)::int AS n, min(sla_due_at) AS oldest_due FROM exception
             WHERE ${OPEN_STATUSES} AND sla_due_at < $1 GROUP BY plant_id, interface_id`,
            [this.now],
          )
        ).rows,
    );
  }
  /** Replay targets (connectors in service) whose circuit is open or whose last deliveries failed in a row. */
  targets() {
    return this.once(
      "targets",
      async () =>
        (
          await pool().query<{ id: string; plant_id: string; name: string; system: string; failures: number; paused_until: Date | null }>(
            `SELECT c.id, c.plant_id, c.name, s.kind::text AS system, c.replay_failures AS failures, c.replay_paused_until AS paused_until
             FROM connector c JOIN plant_system s ON s.id = c.system_id
             WHERE c.disabled_at IS NULL AND (c.replay_paused_until > $1 OR c.replay_failures >= $2) ORDER BY c.name`,
            [this.now, DEFAULT_CIRCUIT.threshold],
          )
        ).rows,
    );
  }
  /** Handovers prepared and not acknowledged per plant: how many, the oldest shift end and its shift's name. */
  pendingHandovers() {
    return this.once(
      "handovers",
      async () =>
        (
          await pool().query<{ plant_id: string; n: number; oldest_end: Date; shift_name: string }>(
            `SELECT plant_id, count(*)::int AS n, min(shift_end) AS oldest_end, (array_agg(shift_name ORDER BY shift_end))[1] AS shift_name
             FROM handover WHERE status = 'PREPARED' AND shift_end <= $1 GROUP BY plant_id`,
            [this.now],
          )
        ).rows,
    );
  }
  connectors() {
    return this.once(
      "connectors",
      async () =>
        (
          await pool().query<{ id: string; plant_id: string; name: string; seen: Date; disabled: boolean }>(
            "SELECT id, plant_id, name, coalesce(last_heartbeat_at, created_at) AS seen, disabled_at IS NOT NULL AS disabled FROM connector ORDER BY name",
          )
        ).rows,
    );
  }
}

/** The finding kind behind each finding-backed rule kind, and how an alert names it (the three silences are told apart). */
const FINDING_OF_RULE: Partial<Record<AlertRuleKind, FindingKind>> = { FLOW_STOPPED: "STOPPED", FLOW_FLOOD: "FLOOD", MISSED_RUN: "MISSED_RUN" };
const FINDING_WORDS: Record<FindingKind, string> = {
  LATE: "late messages",
  STOPPED: "flow stopped (heartbeats, no traffic)",
  FLOOD: "flow flooded",
  MISSED_RUN: "batch run missed",
};

const ms = (v: number) => (v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`);

/** The subjects for which `rule` holds now (pure given the snapshot; exported for tests). */
export async function findings(rule: Rule, snap: Snapshot): Promise<Finding[]> {
  const inPlant = (plantId: string) => !rule.plantId || rule.plantId === plantId;
  const pairs = (await snap.pairs()).filter(
    (p) => inPlant(p.plantId) && (!rule.interfaceId || p.interfaceId === rule.interfaceId) && (!rule.criticality || p.criticality === rule.criticality),
  );
  const perInterface = Boolean(rule.interfaceId || rule.criticality) || RULE_KINDS[rule.kind].perInterface;
  // Subjects: each plant × interface in scope, or each plant (its interfaces in scope together).
  const subjects = perInterface
    ? pairs.map((p) => ({ plantId: p.plantId, key: `iface:${p.plantId}:${p.interfaceId}`, label: `${p.plantCode} · ${p.interfaceCode}`, pairs: [p] }))
    : (await snap.plants())
        .filter((p) => inPlant(p.id))
        .map((p) => ({ plantId: p.id, key: `plant:${p.id}`, label: p.code, pairs: pairs.filter((x) => x.plantId === p.id) }));
  const has = (pairsOf: Pair[], plantId: string, interfaceId: string) => pairsOf.some((p) => p.plantId === plantId && p.interfaceId === interfaceId);
  const out: Finding[] = [];

  switch (rule.kind) {
    case "BACKLOG_ABOVE":
    case "OLDEST_ABOVE": {
      const open = await snap.openExceptions();
      for (const s of subjects) {
        const mine = open.filter((o) => o.plant_id === s.plantId && has(s.pairs, o.plant_id, o.interface_id));
        const n = mine.reduce((a, o) => a + o.n, 0);
        if (rule.kind === "BACKLOG_ABOVE") {
          if (n > rule.threshold)
            out.push({
              plantId: s.plantId,
              subjectKey: s.key,
              subjectLabel: s.label,
              value: n,
              message: `${formatCount(n)} open exceptions (limit ${formatCount(rule.threshold)})`,
            });
        } else if (mine.length) {
          const oldest = Math.min(...mine.map((o) => o.oldest.getTime()));
          const ageS = Math.floor((snap.now.getTime() - oldest) / 1000);
          if (ageS > rule.threshold)
            out.push({
              plantId: s.plantId,
              subjectKey: s.key,
              subjectLabel: s.label,
              value: ageS,
              message: `oldest open exception is ${formatDuration(ageS)} old (limit ${formatDuration(rule.threshold)})`,
            });
        }
      }
      break;
    }
    case "FAILURE_RATE_ABOVE": {
      const rows = await snap.outcomes(rule.windowMinutes);
      for (const s of subjects) {
        const mine = rows.filter((r) => r.plant_id === s.plantId && has(s.pairs, r.plant_id, r.interface_id));
        const delivered = mine.reduce((a, r) => a + Number(r.delivered ?? 0), 0);
        const failed = mine.reduce((a, r) => a + Number(r.failed ?? 0), 0);
        const total = delivered + failed;
        const pct = total ? (100 * failed) / total : 0;
        if (total >= MIN_VOLUME && pct > rule.threshold) {
          out.push({
            plantId: s.plantId,
            subjectKey: s.key,
            subjectLabel: s.label,
            value: pct,
            message: `${pct.toFixed(1)}\u00a0% of ${formatCount(total)} messages failed in ${formatDuration(rule.windowMinutes * 60)} (limit ${rule.threshold}\u00a0%)`,
          });
        }
      }
      break;
    }
    case "P95_ABOVE_SLO": {
      const hists = await snap.minuteHistograms(rule.windowMinutes);
      for (const s of subjects) {
        const p = s.pairs[0];
        const perMinute = p && hists.get(`${p.plantId}:${p.interfaceId}`);
        if (!p || !perMinute || perMinute.size === 0) continue;
        const p95s = [...perMinute.values()].map((h) => percentile(h, 0.95) ?? 0);
        const lowest = Math.min(...p95s);
        if (lowest > p.sloMs) {
          out.push({
            plantId: s.plantId,
            subjectKey: s.key,
            subjectLabel: s.label,
            value: lowest,
            message: `p95 above the ${ms(p.sloMs)} SLO in all ${p95s.length} minutes with traffic of the last ${formatDuration(rule.windowMinutes * 60)} (lowest ${ms(lowest)})`,
          });
        }
      }
      break;
    }
    case "CONNECTOR_SILENT": {
      // A disabled connector is out of service: its silence is expected (its open alert clears as "connector disabled").
      for (const c of (await snap.connectors()).filter((c) => inPlant(c.plant_id) && !c.disabled)) {
        const silentS = Math.floor((snap.now.getTime() - c.seen.getTime()) / 1000);
        if (silentS > rule.threshold)
          out.push({
            plantId: c.plant_id,
            subjectKey: `connector:${c.id}`,
            subjectLabel: c.name,
            value: silentS,
            message: `connector down: no heartbeat for ${formatDuration(silentS)} (limit ${formatDuration(rule.threshold)})`,
          });
      }
      break;
    }
    case "LATE_MESSAGES": {
      // Late findings not yet resolved (an acknowledged late message is still late).
      const rows = (await snap.findingCounts()).filter((f) => f.kind === "LATE");
      for (const s of subjects) {
        const n = rows.filter((r) => r.plant_id === s.plantId && has(s.pairs, r.plant_id, r.interface_id)).reduce((a, r) => a + r.unresolved, 0);
        if (n > 0 && n >= rule.threshold)
          out.push({
            plantId: s.plantId,
            subjectKey: s.key,
            subjectLabel: s.label,
            value: n,
            message: `${formatCount(n)} ${n === 1 ? "message" : "messages"} late (limit ${formatCount(rule.threshold)})`,
          });
      }
      break;
    }
    case "FLOW_STOPPED":
    case "FLOW_FLOOD":
    case "MISSED_RUN": {
      // An OPEN finding (not acknowledged, not resolved) of the kind: acknowledging it quiets the alert.
      const kind = FINDING_OF_RULE[rule.kind]!;
      const rows = (await snap.findingCounts()).filter((f) => f.kind === kind && f.open > 0);
      for (const s of subjects) {
        const mine = rows.filter((r) => r.plant_id === s.plantId && has(s.pairs, r.plant_id, r.interface_id));
        const n = mine.reduce((a, r) => a + r.open, 0);
        if (n === 0) continue;
        const what = s.pairs.length === 1 ? s.pairs[0]!.interfaceCode : `${formatCount(n)} flows`;
        const summary = mine.map((r) => r.summary).find(Boolean);
        out.push({
          plantId: s.plantId,
          subjectKey: s.key,
          subjectLabel: s.label,
          value: n,
          message: `${FINDING_WORDS[kind]}: ${what}${summary ? ` (${summary})` : ""}`,
        });
      }
      break;
    }
    case "TARGET_DOWN": {
      for (const c of (await snap.targets()).filter((c) => inPlant(c.plant_id))) {
        const open = c.paused_until && c.paused_until > snap.now;
        out.push({
          plantId: c.plant_id,
          subjectKey: `target:${c.id}`,
          subjectLabel: `${c.name} (${c.system})`,
          value: c.failures,
          message: `target down: ${formatCount(c.failures)} deliveries to ${c.system} failed in a row${
            open ? `, circuit open for ${formatDuration(Math.ceil((c.paused_until!.getTime() - snap.now.getTime()) / 1000))}` : ""
          }`,
        });
      }
      break;
    }
    case "EXCEPTION_OVERDUE": {
      const rows = await snap.overdueExceptions();
      for (const s of subjects) {
        const mine = rows.filter((r) => r.plant_id === s.plantId && has(s.pairs, r.plant_id, r.interface_id));
        const n = mine.reduce((a, r) => a + r.n, 0);
        if (n === 0 || n < rule.threshold) continue;
        const overdueS = Math.floor((snap.now.getTime() - Math.min(...mine.map((r) => r.oldest_due.getTime()))) / 1000);
        out.push({
          plantId: s.plantId,
          subjectKey: s.key,
          subjectLabel: s.label,
          value: n,
          message: `${formatCount(n)} open ${n === 1 ? "exception" : "exceptions"} past the SLA due date (the oldest by ${formatDuration(overdueS)}; limit ${formatCount(rule.threshold)})`,
        });
      }
      break;
    }
    case "HANDOVER_UNACKNOWLEDGED": {
      const rows = await snap.pendingHandovers();
      for (const s of subjects) {
        const h = rows.find((r) => r.plant_id === s.plantId);
        if (!h) continue;
        const waitingS = Math.floor((snap.now.getTime() - h.oldest_end.getTime()) / 1000);
        if (waitingS < rule.threshold) continue;
        out.push({
          plantId: s.plantId,
          subjectKey: `handover:${s.plantId}`,
          subjectLabel: s.label,
          value: waitingS,
          message: `handover of the ${h.shift_name} shift not acknowledged ${formatDuration(waitingS)} after the shift ended${h.n > 1 ? ` (${formatCount(h.n)} handovers waiting)` : ""} (limit ${formatDuration(rule.threshold)})`,
        });
      }
      break;
    }
  }
  return out;
}

export type EvaluationResult = { rules: number; fired: number; stillFiring: number; resolved: number; notifications: number };

export async function evaluateAlerts(now = new Date()): Promise<EvaluationResult> {
  const rules = await db().alertRule.findMany({ where: { enabled: true }, orderBy: { id: "asc" } });
  const snap = new Snapshot(now);
  const found = new Map<string, Finding[]>();
  for (const rule of rules) found.set(rule.id, await findings(rule, snap));
  // Subjects that no longer hold because an administrator took their connector out of service: said so when their alert clears.
  const disabledSubjects = new Set(
    rules.some((r) => r.kind === "CONNECTOR_SILENT") ? (await snap.connectors()).filter((c) => c.disabled).map((c) => `connector:${c.id}`) : [],
  );
  const result: EvaluationResult = { rules: rules.length, fired: 0, stillFiring: 0, resolved: 0, notifications: 0 };
  const changes: AlertChange[] = [];

  await db().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${EVALUATION_LOCK})`;
      const webhooks = await tx.alertWebhook.findMany({ where: { enabled: true }, select: { id: true, plantId: true, minSeverity: true } });
      const notify: Notify = async (alert, event) => {
        for (const w of webhooks.filter((w) => webhookRoutes(w, alert))) {
          const n = await tx.alertNotification.createManyAndReturn({
            data: [{ alertId: alert.id, webhookId: w.id, event }],
            skipDuplicates: true,
            select: { id: true },
          });
          for (const { id } of n) {
            await enqueueInTx(tx, ALERT_WEBHOOK_QUEUE, { notificationId: id });
            result.notifications++;
          }
        }
      };
      // Rules disabled since the last run: their open alerts resolve.
      const enabledIds = rules.map((r) => r.id);
      const orphaned = await tx.alert.findMany({ where: { status: { not: "RESOLVED" }, ruleId: { notIn: enabledIds } }, include: { rule: true } });
      for (const a of orphaned) await autoResolve(tx, a, a.rule.name, now, "rule disabled", notify, changes, result);

      for (const rule of rules) {
        const holding = new Map(found.get(rule.id)!.map((f) => [f.subjectKey, f]));
        const open = await tx.alert.findMany({ where: { ruleId: rule.id, status: { not: "RESOLVED" } } });
        const quiet = await tx.alert.findMany({ where: { ruleId: rule.id, status: "RESOLVED", resolvedById: { not: null }, conditionClearedAt: null } });
        const openBySubject = new Map(open.map((a) => [a.subjectKey, a]));
        const quietSubjects = new Set(quiet.map((a) => a.subjectKey));
        for (const f of holding.values()) {
          const existing = openBySubject.get(f.subjectKey);
          if (existing) {
            await tx.alert.update({ where: { id: existing.id }, data: { value: f.value, message: f.message, lastEvaluatedAt: now } });
            result.stillFiring++;
            continue;
          }
          if (quietSubjects.has(f.subjectKey)) continue;
          const alert = await tx.alert.create({
            data: {
              ruleId: rule.id,
              plantId: f.plantId,
              subjectKey: f.subjectKey,
              subjectLabel: f.subjectLabel,
              severity: rule.severity,
              message: f.message,
              value: f.value,
              firedAt: now,
              lastEvaluatedAt: now,
            },
          });
          await append(tx, {
            type: "alert.fired",
            actor: SYSTEM_ACTOR,
            plantId: f.plantId,
            subject: { type: "alert", id: alert.id },
            data: { alertId: alert.id, ruleId: rule.id, ruleName: rule.name, subject: f.subjectLabel, value: f.value, message: f.message },
          });
          await notify(alert, "alert.fired");
          changes.push({ id: alert.id, plantId: alert.plantId, status: alert.status });
          result.fired++;
        }
        for (const a of open)
          if (!holding.has(a.subjectKey))
            await autoResolve(tx, a, rule.name, now, disabledSubjects.has(a.subjectKey) ? "connector disabled" : "condition cleared", notify, changes, result);
        const cleared = quiet.filter((a) => !holding.has(a.subjectKey)).map((a) => a.id);
        if (cleared.length) await tx.alert.updateMany({ where: { id: { in: cleared } }, data: { conditionClearedAt: now } });
      }
    },
    { timeout: 60_000 },
  );

  publishAlertChanges(changes);
  return result;
}

type Notify = (alert: { id: string; plantId: string; severity: Severity }, event: "alert.fired" | "alert.resolved") => Promise<void>;

async function autoResolve(
  tx: Prisma.TransactionClient,
  a: { id: string; ruleId: string; plantId: string; subjectLabel: string; value: number; severity: Severity },
  ruleName: string,
  now: Date,
  why: string,
  notify: Notify,
  changes: AlertChange[],
  result: EvaluationResult,
) {
  const updated = await tx.alert.update({ where: { id: a.id }, data: { status: "RESOLVED", resolvedAt: now, lastEvaluatedAt: now, conditionClearedAt: now } });
  await append(tx, {
    type: "alert.auto_resolved",
    actor: SYSTEM_ACTOR,
    plantId: a.plantId,
    subject: { type: "alert", id: a.id },
    data: { alertId: a.id, ruleId: a.ruleId, ruleName, subject: a.subjectLabel, value: a.value, message: why },
  });
  await notify(a, "alert.resolved");
  changes.push({ id: updated.id, plantId: updated.plantId, status: updated.status });
  result.resolved++;
}

/** An administrator asks for an evaluation now (after changing a rule) instead of at the next minute. */
export async function requestEvaluation(user: Principal): Promise<void> {
  if (!can(user, "alert_rule.manage")) throw forbidden("Only administrators can run the alert rules on demand");
  await enqueueNow(ALERT_EVALUATE_QUEUE, {});
}
