import { formatCount, formatDuration } from "../../lib/format";
import { ALERT_RULE_KIND_LABELS } from "../../lib/labels";
import type { AlertRuleKind } from "../db/generated/enums";

/**
 * What each alert rule kind checks and in which unit its threshold is, shared by the evaluator, the
 * rule descriptions and the rules editor (client-safe: no database). A duration threshold is stored in
 * seconds and always shown and edited as a duration ("15 min"), never as a bare number of seconds.
 */
export type ThresholdUnit = "count" | "duration" | "percent" | "none";

export const RULE_KINDS: Record<
  AlertRuleKind,
  {
    label: string;
    unit: ThresholdUnit;
    usesWindow: boolean;
    perInterface: boolean;
    /** What a count threshold counts (the editor's unit): "open exceptions", "late messages". */
    countNoun?: string;
    /** Which of the three silences a kind names (connector down, flow stopped, target down), for plant pages and alert lists. */
    silence?: "connector_down" | "flow_stopped" | "target_down";
    describe: (threshold: number, windowMinutes: number) => string;
  }
> = {
  BACKLOG_ABOVE: {
    label: ALERT_RULE_KIND_LABELS.BACKLOG_ABOVE,
    unit: "count",
    usesWindow: false,
    perInterface: false,
    countNoun: "open exceptions",
    describe: (n) => `more than ${formatCount(n)} open exceptions`,
  },
  OLDEST_ABOVE: {
    label: ALERT_RULE_KIND_LABELS.OLDEST_ABOVE,
    unit: "duration",
    usesWindow: false,
    perInterface: false,
    describe: (s) => `oldest open exception older than ${formatDuration(s)}`,
  },
  P95_ABOVE_SLO: {
    label: ALERT_RULE_KIND_LABELS.P95_ABOVE_SLO,
    unit: "none",
    usesWindow: true,
    perInterface: true,
    describe: (_t, m) => `p95 latency above the interface's SLO in every minute with traffic for ${formatDuration(m * 60)}`,
  },
  FAILURE_RATE_ABOVE: {
    label: ALERT_RULE_KIND_LABELS.FAILURE_RATE_ABOVE,
    unit: "percent",
    usesWindow: true,
    perInterface: false,
    describe: (x, m) => `more than ${x}\u00a0% of messages failed over ${formatDuration(m * 60)} (at least ${MIN_VOLUME} messages)`,
  },
  CONNECTOR_SILENT: {
    label: ALERT_RULE_KIND_LABELS.CONNECTOR_SILENT,
    unit: "duration",
    usesWindow: false,
    perInterface: false,
    silence: "connector_down",
    describe: (s) => `connector down: no heartbeat for ${formatDuration(s)}`,
  },
  LATE_MESSAGES: {
    label: ALERT_RULE_KIND_LABELS.LATE_MESSAGES,
    unit: "count",
    usesWindow: false,
    perInterface: true,
    countNoun: "late messages",
    describe: (n) => `at least ${formatCount(n)} late messages (received, not delivered within their late threshold) on one interface`,
  },
  FLOW_STOPPED: {
    label: ALERT_RULE_KIND_LABELS.FLOW_STOPPED,
    unit: "none",
    usesWindow: false,
    perInterface: true,
    silence: "flow_stopped",
    describe: () => "flow stopped: an open finding says a flow carries fewer messages than expected while its connector still sends heartbeats",
  },
  FLOW_FLOOD: {
    label: ALERT_RULE_KIND_LABELS.FLOW_FLOOD,
    unit: "none",
    usesWindow: false,
    perInterface: true,
    describe: () => "flow flooded: an open finding says a flow carries more messages than its expected maximum (a resend storm)",
  },
  MISSED_RUN: {
    label: ALERT_RULE_KIND_LABELS.MISSED_RUN,
    unit: "none",
    usesWindow: false,
    perInterface: true,
    describe: () => "batch run missed: an open finding says a scheduled run did not complete by its deadline",
  },
  TARGET_DOWN: {
    label: ALERT_RULE_KIND_LABELS.TARGET_DOWN,
    unit: "none",
    usesWindow: false,
    perInterface: false,
    silence: "target_down",
    describe: () => "target down: deliveries to a connector's system keep failing (its circuit is open)",
  },
  EXCEPTION_OVERDUE: {
    label: ALERT_RULE_KIND_LABELS.EXCEPTION_OVERDUE,
    unit: "count",
    usesWindow: false,
    perInterface: true,
    countNoun: "overdue exceptions",
    describe: (n) => `at least ${formatCount(n)} open exceptions past their SLA due date`,
  },
  HANDOVER_UNACKNOWLEDGED: {
    label: ALERT_RULE_KIND_LABELS.HANDOVER_UNACKNOWLEDGED,
    unit: "duration",
    usesWindow: false,
    perInterface: false,
    describe: (s) => `a shift handover not acknowledged ${formatDuration(s)} after its shift ended`,
  },
};

/** Kinds whose subject is a connector or a plant, never an interface: no interface or criticality scope. */
export const PLANT_LEVEL_KINDS: readonly AlertRuleKind[] = ["CONNECTOR_SILENT", "TARGET_DOWN", "HANDOVER_UNACKNOWLEDGED"];

/** A failure rate needs this many messages in the window before it can fire (no 1-of-1 = 100 % alerts). */
export const MIN_VOLUME = 10;

/** A rule's threshold as people read it: "15 min", "20", "5 %", "the SLO", or "—" for a kind without one. */
export function formatThreshold(kind: AlertRuleKind, threshold: number): string {
  if (RULE_KINDS[kind].unit === "none" && kind !== "P95_ABOVE_SLO") return "—";
  switch (RULE_KINDS[kind].unit) {
    case "duration":
      return formatDuration(threshold);
    case "percent":
      return `${threshold}\u00a0%`;
    case "count":
      return formatCount(threshold);
    default:
      return "the SLO";
  }
}

/** Units a duration is edited in (seconds per unit), largest first. */
export const DURATION_UNITS = [
  { unit: "d", label: "days", seconds: 86_400 },
  { unit: "h", label: "hours", seconds: 3_600 },
  { unit: "min", label: "minutes", seconds: 60 },
  { unit: "s", label: "seconds", seconds: 1 },
] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number]["unit"];

/** The largest unit that writes `seconds` as a whole number (900 → 15 min; 90 → 90 s), for an editor's initial value. */
export function splitDuration(seconds: number, allowed: readonly DurationUnit[] = ["d", "h", "min", "s"]): { value: number; unit: DurationUnit } {
  const units = DURATION_UNITS.filter((u) => allowed.includes(u.unit));
  for (const u of units) if (seconds > 0 && seconds % u.seconds === 0) return { value: seconds / u.seconds, unit: u.unit };
  const smallest = units[units.length - 1]!;
  return { value: seconds / smallest.seconds, unit: smallest.unit };
}

export function toSeconds(value: number, unit: DurationUnit): number {
  return value * DURATION_UNITS.find((u) => u.unit === unit)!.seconds;
}
