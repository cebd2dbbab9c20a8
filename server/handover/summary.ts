import { z } from "zod";

/**
 * What a shift hands over (stored as the handover's `summary`, validated on write and on read), for the
 * shift's [start, end):
 * - exceptions that failed (first seen) and that were closed (resolved or discarded) in it, with the top
 *   interface × error pairs of each;
 * - exceptions still open at its end, by severity, and the oldest of them;
 * - findings of the flow monitor (late messages, stopped flows, floods, missed batch runs) opened in it or
 *   still unresolved at its end, counted by kind, the most severe listed;
 * - alerts fired in it and still open at its end.
 * Pure: `shapeSummary` turns the rows of collect-summary.ts into this shape (top lists sorted and capped).
 */
const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;
const FINDING_KINDS = ["LATE", "STOPPED", "FLOOD", "MISSED_RUN"] as const;
export const TOP_ITEMS = 5;
export const LISTED_FINDINGS = 20;
export const LISTED_ALERTS = 10;

const count = z.number().int().min(0);
const iso = z.iso.datetime({ offset: true });
const severity = z.enum(SEVERITIES);
const findingKind = z.enum(FINDING_KINDS);
const bySeverity = z.object({ CRITICAL: count, HIGH: count, MEDIUM: count, LOW: count });
const byKind = z.object({ LATE: count, STOPPED: count, FLOOD: count, MISSED_RUN: count });
const topItem = z.object({ interfaceCode: z.string(), errorCode: z.string(), count });

export const handoverSummarySchema = z.object({
  exceptions: z.object({
    failed: count,
    resolved: count,
    discarded: count,
    topFailed: z.array(topItem).max(TOP_ITEMS),
    topClosed: z.array(topItem).max(TOP_ITEMS),
    openAtEnd: z.object({
      total: count,
      bySeverity,
      oldest: z.object({ id: z.string(), interfaceCode: z.string(), errorCode: z.string(), severity, firstSeenAt: iso }).nullable(),
    }),
  }),
  findings: z.object({
    openedByKind: byKind,
    openAtEndByKind: byKind,
    items: z
      .array(
        z.object({
          id: z.string(),
          kind: findingKind,
          interfaceCode: z.string(),
          severity,
          summary: z.string(),
          openedAt: iso,
          resolvedAt: iso.nullable(),
          openAtEnd: z.boolean(),
        }),
      )
      .max(LISTED_FINDINGS),
  }),
  alerts: z.object({
    fired: count,
    openAtEnd: count,
    items: z
      .array(z.object({ id: z.string(), rule: z.string(), subject: z.string(), severity, firedAt: iso, resolvedAt: iso.nullable(), openAtEnd: z.boolean() }))
      .max(LISTED_ALERTS),
  }),
});
export type HandoverSummary = z.infer<typeof handoverSummarySchema>;

/** The rows collect-summary.ts reads (counts already grouped by the database). */
export type SummaryRows = {
  /** Exceptions first seen in the shift, per interface × error code. */
  failed: { interfaceCode: string; errorCode: string; n: number }[];
  /** Exceptions closed in the shift, per interface × error code × closing status. */
  closed: { interfaceCode: string; errorCode: string; status: "RESOLVED" | "DISCARDED"; n: number }[];
  openAtEnd: { severity: string; n: number }[];
  oldestOpen: { id: string; interfaceCode: string; errorCode: string; severity: string; firstSeenAt: Date } | null;
  /** Per kind: findings opened in the shift, and unresolved at its end. */
  findingCounts: { kind: string; opened: number; openAtEnd: number }[];
  findings: { id: string; kind: string; interfaceCode: string; severity: string; summary: string; openedAt: Date; resolvedAt: Date | null }[];
  alertCounts: { fired: number; openAtEnd: number };
  alerts: { id: string; rule: string; subject: string; severity: string; firedAt: Date; resolvedAt: Date | null }[];
};

const SEVERITY_RANK: Record<string, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };
const zeros = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
const openAt = (resolvedAt: Date | null, end: Date) => resolvedAt === null || resolvedAt >= end;

/** The largest groups first (ties by interface, then error code), at most TOP_ITEMS. */
export function topPairs(rows: { interfaceCode: string; errorCode: string; n: number }[]) {
  const merged = new Map<string, { interfaceCode: string; errorCode: string; count: number }>();
  for (const r of rows) {
    const key = `${r.interfaceCode}\u0000${r.errorCode}`;
    const m = merged.get(key);
    if (m) m.count += r.n;
    else merged.set(key, { interfaceCode: r.interfaceCode, errorCode: r.errorCode, count: r.n });
  }
  return [...merged.values()]
    .sort((a, b) => b.count - a.count || a.interfaceCode.localeCompare(b.interfaceCode) || a.errorCode.localeCompare(b.errorCode))
    .slice(0, TOP_ITEMS);
}

export function shapeSummary(rows: SummaryRows, end: Date): HandoverSummary {
  const sum = (xs: { n: number }[]) => xs.reduce((t, x) => t + x.n, 0);
  const openBySeverity = zeros(SEVERITIES);
  for (const r of rows.openAtEnd) if (r.severity in openBySeverity) openBySeverity[r.severity as (typeof SEVERITIES)[number]] += r.n;
  const openedByKind = zeros(FINDING_KINDS);
  const openAtEndByKind = zeros(FINDING_KINDS);
  for (const r of rows.findingCounts) {
    if (!(r.kind in openedByKind)) continue;
    openedByKind[r.kind as (typeof FINDING_KINDS)[number]] += r.opened;
    openAtEndByKind[r.kind as (typeof FINDING_KINDS)[number]] += r.openAtEnd;
  }
  // Still open first, then the most severe, then the oldest.
  const findings = [...rows.findings]
    .sort(
      (a, b) =>
        Number(openAt(b.resolvedAt, end)) - Number(openAt(a.resolvedAt, end)) ||
        (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
        a.openedAt.getTime() - b.openedAt.getTime(),
    )
    .slice(0, LISTED_FINDINGS);
  const alerts = [...rows.alerts]
    .sort(
      (a, b) =>
        Number(openAt(b.resolvedAt, end)) - Number(openAt(a.resolvedAt, end)) ||
        (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
        a.firedAt.getTime() - b.firedAt.getTime(),
    )
    .slice(0, LISTED_ALERTS);
  const o = rows.oldestOpen;
  return handoverSummarySchema.parse({
    exceptions: {
      failed: sum(rows.failed),
      resolved: sum(rows.closed.filter((c) => c.status === "RESOLVED")),
      discarded: sum(rows.closed.filter((c) => c.status === "DISCARDED")),
      topFailed: topPairs(rows.failed),
      topClosed: topPairs(rows.closed),
      openAtEnd: {
        total: sum(rows.openAtEnd),
        bySeverity: openBySeverity,
        oldest: o ? { id: o.id, interfaceCode: o.interfaceCode, errorCode: o.errorCode, severity: o.severity, firstSeenAt: o.firstSeenAt.toISOString() } : null,
      },
    },
    findings: {
      openedByKind,
      openAtEndByKind,
      items: findings.map((f) => ({
        id: f.id,
        kind: f.kind,
        interfaceCode: f.interfaceCode,
        severity: f.severity,
        summary: f.summary,
        openedAt: f.openedAt.toISOString(),
        resolvedAt: f.resolvedAt?.toISOString() ?? null,
        openAtEnd: openAt(f.resolvedAt, end),
      })),
    },
    alerts: {
      fired: rows.alertCounts.fired,
      openAtEnd: rows.alertCounts.openAtEnd,
      items: alerts.map((a) => ({
        id: a.id,
        rule: a.rule,
        subject: a.subject,
        severity: a.severity,
        firedAt: a.firedAt.toISOString(),
        resolvedAt: a.resolvedAt?.toISOString() ?? null,
        openAtEnd: openAt(a.resolvedAt, end),
      })),
    },
  });
}
