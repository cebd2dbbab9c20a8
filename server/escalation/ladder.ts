import type { Criticality, EscalationLevel, Severity } from "../db/generated/enums";

/**
 * The escalation ladder (pure). A subject not acknowledged climbs, per its criticality: the technical
 * owner when it fires, then the plant lead, the plant manager and the business owner after the minutes
 * of each rung (table escalation_step, edited by administrators; DEFAULT_LADDER for a criticality with
 * no rows). The first rung is always the technical owner at fire time unless the table says otherwise.
 */
export type Rung = { level: EscalationLevel; afterMinutes: number };

export const LEVEL_ORDER: readonly EscalationLevel[] = ["TECHNICAL_OWNER", "PLANT_LEAD", "PLANT_MANAGER", "BUSINESS_OWNER"];

/**
 * Immediately, 30 min, 1 h, 4 h for critical interfaces; fewer, slower rungs for the less critical. The
 * seed writes these ladders into escalation_step (prisma/seed-flow.ts); the escalation applies them itself
 * only to a criticality whose rows an administrator removed altogether.
 */
export const DEFAULT_LADDER: Record<Criticality, readonly Rung[]> = {
  CRITICAL: [
    { level: "TECHNICAL_OWNER", afterMinutes: 0 },
    { level: "PLANT_LEAD", afterMinutes: 30 },
    { level: "PLANT_MANAGER", afterMinutes: 60 },
    { level: "BUSINESS_OWNER", afterMinutes: 240 },
  ],
  HIGH: [
    { level: "TECHNICAL_OWNER", afterMinutes: 0 },
    { level: "PLANT_LEAD", afterMinutes: 60 },
    { level: "PLANT_MANAGER", afterMinutes: 240 },
  ],
  MEDIUM: [
    { level: "TECHNICAL_OWNER", afterMinutes: 0 },
    { level: "PLANT_LEAD", afterMinutes: 240 },
  ],
  LOW: [{ level: "TECHNICAL_OWNER", afterMinutes: 0 }],
};

/** The ladder of a criticality from the table's rows (any criticality's rows may be passed), in climbing order. */
export function ladderFor(criticality: Criticality, steps: readonly (Rung & { criticality: Criticality })[]): Rung[] {
  const mine = steps.filter((s) => s.criticality === criticality).map(({ level, afterMinutes }) => ({ level, afterMinutes }));
  const rungs = mine.length ? mine : [...DEFAULT_LADDER[criticality]];
  if (!rungs.some((r) => r.level === "TECHNICAL_OWNER")) rungs.push({ level: "TECHNICAL_OWNER", afterMinutes: 0 });
  return rungs.sort((a, b) => a.afterMinutes - b.afterMinutes || LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level));
}

/**
 * The rungs reached by `now` and not yet notified: those after `current` (the highest rung notified,
 * null before the first) whose time since `startedAt` has come. Several at once when the job was down.
 */
export function dueRungs(ladder: readonly Rung[], startedAt: Date, current: EscalationLevel | null, now: Date): Rung[] {
  const from = current ? ladder.findIndex((r) => r.level === current) + 1 : 0;
  const elapsedMin = (now.getTime() - startedAt.getTime()) / 60_000;
  const out: Rung[] = [];
  for (const r of ladder.slice(from)) {
    if (r.afterMinutes > elapsedMin) break;
    out.push(r);
  }
  return out;
}

/** A plant-level alert (no interface) climbs the ladder of its severity's criticality (same four steps). */
export const criticalityOfSeverity = (s: Severity): Criticality => s;
