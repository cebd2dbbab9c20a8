import type { Criticality, ErrorCategory, Severity } from "../db/generated/enums";

const ORDER: Severity[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];

/**
 * Severity of a failure = the interface's criticality, adjusted by what failed:
 * - a failed quality hold is always critical (a blocked batch may ship);
 * - technical failures of non-critical interfaces rank one level lower (they replay as-is once the
 *   target is back) until they keep failing (3rd attempt and later keep the full level).
 */
export function severityOf(input: { interfaceCode: string; criticality: Criticality; category: ErrorCategory; attempt: number }): Severity {
  if (input.interfaceCode === "QUALITY_HOLD") return "CRITICAL";
  const base = input.criticality as Severity;
  if (input.category === "TECHNICAL" && base !== "CRITICAL" && input.attempt < 3) {
    return ORDER[Math.min(ORDER.length - 1, ORDER.indexOf(base) + 1)]!;
  }
  return base;
}
