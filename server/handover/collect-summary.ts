import { pool } from "../db";
import { type HandoverSummary, LISTED_ALERTS, LISTED_FINDINGS, type SummaryRows, shapeSummary } from "./summary";

/**
 * The figures of one plant's shift [start, end) (see summary.ts): seven grouped or capped reads, whatever
 * the traffic. "Open at the end" is judged from the timestamps, so a handover prepared late says what was
 * open when the shift ended, not when the job ran: opened before the end and not closed (resolved_at) before it.
 */
export async function collectSummary(plantId: string, start: Date, end: Date): Promise<HandoverSummary> {
  const p = [plantId, start, end];
  const [failed, closed, openAtEnd, oldest, findingCounts, findings, alertCounts, alerts] = await Promise.all([
    pool().query<{ interfaceCode: string; errorCode: string; n: number }>(
      `SELECT i.code AS "interfaceCode", e.error_code AS "errorCode", count(*)::int AS n
       FROM exception e JOIN interface i ON i.id = e.interface_id
       WHERE e.plant_id = $1 AND e.first_seen_at >= $2 AND e.first_seen_at < $3 GROUP BY 1, 2`,
      p,
    ),
    pool().query<{ interfaceCode: string; errorCode: string; status: "RESOLVED" | "DISCARDED"; n: number }>(
      `SELECT i.code AS "interfaceCode", e.error_code AS "errorCode", e.status::text AS status, count(*)::int AS n
       FROM exception e JOIN interface i ON i.id = e.interface_id
       WHERE e.plant_id = $1 AND e.status IN ('RESOLVED', 'DISCARDED') AND e.resolved_at >= $2 AND e.resolved_at < $3 GROUP BY 1, 2, 3`,
      p,
    ),
    pool().query<{ severity: string; n: number }>(
      `SELECT severity::text AS severity, count(*)::int AS n FROM exception
       WHERE plant_id = $1 AND first_seen_at < $2 AND (resolved_at IS NULL OR resolved_at >= $2) GROUP BY 1`,
      [plantId, end],
    ),
    pool().query<NonNullable<SummaryRows["oldestOpen"]>>(
      `SELECT e.id, i.code AS "interfaceCode", e.error_code AS "errorCode", e.severity::text AS severity, e.first_seen_at AS "firstSeenAt"
       FROM exception e JOIN interface i ON i.id = e.interface_id
       WHERE e.plant_id = $1 AND e.first_seen_at < $2 AND (e.resolved_at IS NULL OR e.resolved_at >= $2) ORDER BY e.first_seen_at, e.id LIMIT 1`,
      [plantId, end],
    ),
    pool().query<{ kind: string; opened: number; openAtEnd: number }>(
      `SELECT kind::text AS kind, count(*) FILTER (WHERE opened_at >= $2)::int AS opened,
              count(*) FILTER (WHERE resolved_at IS NULL OR resolved_at >= $3)::int AS "openAtEnd"
       FROM finding WHERE plant_id = $1 AND opened_at < $3 AND (opened_at >= $2 OR resolved_at IS NULL OR resolved_at >= $3) GROUP BY 1`,
      p,
    ),
    // Candidates for the list: unresolved at the end first, then the most severe, then the oldest (summary.ts sorts the same way).
    pool().query<SummaryRows["findings"][number]>(
      `SELECT f.id, f.kind::text AS kind, i.code AS "interfaceCode", f.severity::text AS severity, f.summary, f.opened_at AS "openedAt", f.resolved_at AS "resolvedAt"
       FROM finding f JOIN interface i ON i.id = f.interface_id
       WHERE f.plant_id = $1 AND f.opened_at < $3 AND (f.opened_at >= $2 OR f.resolved_at IS NULL OR f.resolved_at >= $3)
       ORDER BY (f.resolved_at IS NULL OR f.resolved_at >= $3) DESC, f.severity, f.opened_at LIMIT ${LISTED_FINDINGS}`,
      p,
    ),
    pool().query<{ fired: number; openAtEnd: number }>(
      `SELECT count(*) FILTER (WHERE fired_at >= $2)::int AS fired, count(*) FILTER (WHERE resolved_at IS NULL OR resolved_at >= $3)::int AS "openAtEnd"
       FROM alert WHERE plant_id = $1 AND fired_at < $3 AND (fired_at >= $2 OR resolved_at IS NULL OR resolved_at >= $3)`,
      p,
    ),
    pool().query<SummaryRows["alerts"][number]>(
      `SELECT a.id, r.name AS rule, a.subject_label AS subject, a.severity::text AS severity, a.fired_at AS "firedAt", a.resolved_at AS "resolvedAt"
       FROM alert a JOIN alert_rule r ON r.id = a.rule_id
       WHERE a.plant_id = $1 AND a.fired_at < $3 AND (a.fired_at >= $2 OR a.resolved_at IS NULL OR a.resolved_at >= $3)
       ORDER BY (a.resolved_at IS NULL OR a.resolved_at >= $3) DESC, a.severity, a.fired_at LIMIT ${LISTED_ALERTS}`,
      p,
    ),
  ]);
  return shapeSummary(
    {
      failed: failed.rows,
      closed: closed.rows,
      openAtEnd: openAtEnd.rows,
      oldestOpen: oldest.rows[0] ?? null,
      findingCounts: findingCounts.rows,
      findings: findings.rows,
      alertCounts: alertCounts.rows[0] ?? { fired: 0, openAtEnd: 0 },
      alerts: alerts.rows,
    },
    end,
  );
}
