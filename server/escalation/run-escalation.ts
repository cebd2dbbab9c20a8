import { append, SYSTEM_ACTOR } from "../audit";
import { db } from "../db";
import type { AlertRuleKind, Criticality, EscalationLevel, Severity } from "../db/generated/enums";
import { ALERT_WEBHOOK_QUEUE } from "../alerts/evaluate";
import { webhookRoutes } from "../alerts/severity-routing";
import { type Notice, publishNotices, upsertNotifications } from "../notifications/deliver";
import { enqueueInTx } from "../workers/boss";
import { formatDuration } from "../../lib/format";
import { ESCALATION_LEVEL_LABELS } from "../../lib/labels";
import { criticalityOfSeverity, dueRungs, ladderFor, type Rung } from "./ladder";
import { holderOf, loadLadderPeople, notifiable } from "./recipients";

/**
 * The escalation ladder (a pg-boss job every minute, singleton; `now` injectable). Subjects are the
 * open alerts (FIRING: not acknowledged, not resolved). When one fires its first rung — the technical
 * owner of its interface at the plant, or the plant lead — is notified once; while nobody acknowledges
 * it, it climbs on the timers of its criticality's ladder (plant lead, plant manager, business owner).
 * Each rung reached is one transaction: the state's level moves conditionally on the level read (two
 * runs at once cannot notify twice), the people on the rung get an in-app notification, the webhooks
 * routed by severity get "alert.escalated:<LEVEL>" once, and "escalation.notified" is audited.
 * Acknowledging or resolving closes the state: the climb stops. Repeated firings of the same rule and
 * subject within FIRINGS_WINDOW collapse into one notification per person whose count says how often.
 */
export const ESCALATION_QUEUE = "escalation.run";
/** Firings of the same rule and subject within this window count into one notification. */
export const FIRINGS_WINDOW_MS = 24 * 3600_000;

export type EscalationResult = { subjects: number; rungs: number; notified: number; webhooks: number; closed: number };

type Subject = {
  id: string;
  ruleId: string;
  ruleName: string;
  kind: AlertRuleKind;
  plantId: string;
  plantCode: string;
  subjectKey: string;
  subjectLabel: string;
  severity: Severity;
  message: string;
  firedAt: Date;
  level: EscalationLevel | null;
};

/** The interface of a plant × interface subject ("iface:<plant>:<interface>"), else null (connector, target, plant, handover). */
export function interfaceOfSubject(subjectKey: string): string | null {
  const m = subjectKey.match(/^iface:[0-9a-f-]{36}:([0-9a-f-]{36})$/);
  return m ? m[1]! : null;
}

/** The notification subject: one per rule × alert subject, so repeated firings (new alerts) collapse into it. */
export const notificationSubjectOf = (a: { ruleId: string; subjectKey: string }) => `${a.ruleId}:${a.subjectKey}`;

export async function runEscalation(now = new Date()): Promise<EscalationResult> {
  const result: EscalationResult = { subjects: 0, rungs: 0, notified: 0, webhooks: 0, closed: 0 };
  // Acknowledged or resolved: the climb stops.
  result.closed = await db().$executeRaw`
    UPDATE escalation_state s SET closed_at = ${now} FROM alert a
    WHERE s.subject_type = 'alert' AND s.closed_at IS NULL AND a.id::text = s.subject_id AND a.status <> 'FIRING'`;
  const subjects = await db().$queryRaw<Subject[]>`
    SELECT a.id, a.rule_id AS "ruleId", r.name AS "ruleName", r.kind, a.plant_id AS "plantId", p.code AS "plantCode", a.subject_key AS "subjectKey",
           a.subject_label AS "subjectLabel", a.severity, a.message, a.fired_at AS "firedAt", s.level
    FROM alert a JOIN alert_rule r ON r.id = a.rule_id JOIN plant p ON p.id = a.plant_id
    LEFT JOIN escalation_state s ON s.subject_type = 'alert' AND s.subject_id = a.id::text
    WHERE a.status = 'FIRING' AND a.fired_at <= ${now} AND (s.closed_at IS NULL)
    ORDER BY a.fired_at, a.id`;
  result.subjects = subjects.length;
  if (subjects.length === 0) return result;
  const steps = await db().escalationStep.findMany();
  const interfaceIds = [...new Set(subjects.map((s) => interfaceOfSubject(s.subjectKey)).filter((i): i is string => Boolean(i)))];
  const criticalityOf = new Map(
    (await db().interface.findMany({ where: { id: { in: interfaceIds } }, select: { id: true, criticality: true } })).map((i) => [i.id, i.criticality]),
  );
  for (const s of subjects) {
    const interfaceId = interfaceOfSubject(s.subjectKey);
    const criticality: Criticality = (interfaceId && criticalityOf.get(interfaceId)) || criticalityOfSeverity(s.severity);
    const ladder = ladderFor(criticality, steps);
    if (dueRungs(ladder, s.firedAt, s.level, now).length === 0) continue; // nothing due (read without a lock: re-checked under it)
    const notices = await escalateOne(s, interfaceId, criticality, ladder, now, result);
    publishNotices(notices);
  }
  return result;
}

async function escalateOne(s: Subject, interfaceId: string | null, criticality: Criticality, ladder: Rung[], now: Date, result: EscalationResult) {
  return db().$transaction(
    async (tx) => {
      // The alert may have been acknowledged since it was listed: under a share lock, its status decides.
      const [alert] = await tx.$queryRaw<{ status: string }[]>`SELECT status FROM alert WHERE id = ${s.id}::uuid FOR SHARE`;
      if (alert?.status !== "FIRING") return [];
      const [{ firings }] = (await tx.$queryRaw<{ firings: number }[]>`
      SELECT count(*)::int AS firings FROM alert
      WHERE rule_id = ${s.ruleId}::uuid AND subject_key = ${s.subjectKey} AND fired_at <= ${s.firedAt} AND fired_at > ${new Date(s.firedAt.getTime() - FIRINGS_WINDOW_MS)}`) as [
        { firings: number },
      ];
      await tx.$executeRaw`
      INSERT INTO escalation_state (subject_type, subject_id, plant_id, criticality, started_at, firings)
      VALUES ('alert', ${s.id}, ${s.plantId}::uuid, ${criticality}::criticality, ${s.firedAt}, ${Math.max(1, firings)})
      ON CONFLICT (subject_type, subject_id) DO NOTHING`;
      const [state] = await tx.$queryRaw<{ level: EscalationLevel | null; closed_at: Date | null; started_at: Date }[]>`
      SELECT level, closed_at, started_at FROM escalation_state WHERE subject_type = 'alert' AND subject_id = ${s.id} FOR UPDATE`;
      if (!state || state.closed_at) return [];
      const due = dueRungs(ladder, state.started_at, state.level, now);
      if (due.length === 0) return []; // another run climbed meanwhile
      const top = due[due.length - 1]!.level;
      // Conditional on the level read: exactly one run moves it.
      const moved = await tx.$executeRaw`
      UPDATE escalation_state SET level = ${top}::escalation_level, last_escalated_at = ${now}, firings = ${Math.max(1, firings)}
      WHERE subject_type = 'alert' AND subject_id = ${s.id} AND closed_at IS NULL AND level IS NOT DISTINCT FROM ${state.level}::escalation_level`;
      if (moved !== 1) return [];

      const people = await loadLadderPeople(tx, s.plantId, interfaceId);
      const webhooks = (await tx.alertWebhook.findMany({ where: { enabled: true }, select: { id: true, plantId: true, minSeverity: true } })).filter((w) =>
        webhookRoutes(w, s),
      );
      const notices: Notice[] = [];
      for (const rung of due) {
        const holder = holderOf(rung.level, people);
        const userIds = holder ? await notifiable(tx, [holder], s.plantId) : [];
        const waited = Math.max(0, Math.floor((now.getTime() - state.started_at.getTime()) / 1000));
        const role =
          rung.level === "TECHNICAL_OWNER" && !people.technicalOwnerId
            ? "plant lead (no technical owner is set)"
            : ESCALATION_LEVEL_LABELS[rung.level].toLowerCase();
        notices.push(
          ...(await upsertNotifications(tx, {
            userIds,
            plantId: s.plantId,
            subjectType: "alert",
            subjectId: notificationSubjectOf(s),
            level: rung.level,
            severity: s.severity,
            title: `${s.ruleName} · ${s.subjectLabel}`,
            body:
              rung.level === "TECHNICAL_OWNER"
                ? `${s.message}. You are notified as ${role}.`
                : `${s.message}. Not acknowledged after ${formatDuration(waited)}: escalated to you as ${role}.`,
            href: `/alerts?alert=${s.id}`,
            count: Math.max(1, firings),
            at: now,
          })),
        );
        let sent = 0;
        for (const w of webhooks) {
          const created = await tx.alertNotification.createManyAndReturn({
            data: [{ alertId: s.id, webhookId: w.id, event: `alert.escalated:${rung.level}` }],
            skipDuplicates: true,
            select: { id: true },
          });
          for (const { id } of created) {
            await enqueueInTx(tx, ALERT_WEBHOOK_QUEUE, { notificationId: id });
            sent++;
          }
        }
        await append(tx, {
          type: "escalation.notified",
          actor: SYSTEM_ACTOR,
          plantId: s.plantId,
          subject: { type: "alert", id: s.id },
          data: { subjectType: "alert", subjectId: s.id, level: rung.level, userIds, webhooks: sent, firings: Math.max(1, firings) },
        });
        result.rungs++;
        result.notified += userIds.length;
        result.webhooks += sent;
      }
      return notices;
    },
    { timeout: 30_000 },
  );
}
