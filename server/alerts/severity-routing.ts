import type { Severity } from "../db/generated/enums";

/** Severities from worst to least (the enum's order in the database: CRITICAL < HIGH < MEDIUM < LOW). */
export const SEVERITY_ORDER: readonly Severity[] = ["CRITICAL", "HIGH", "MEDIUM", "LOW"];

/** `severity` is `min` or worse (CRITICAL is worse than HIGH). */
export function atLeast(severity: Severity, min: Severity): boolean {
  return SEVERITY_ORDER.indexOf(severity) <= SEVERITY_ORDER.indexOf(min);
}

/**
 * Whether an alert event goes to a webhook: the webhook covers the alert's plant (or every plant) and
 * the alert is of the webhook's minimum severity or worse (routing by severity: a pager hook takes
 * CRITICAL only, a team channel everything).
 */
export function webhookRoutes(webhook: { plantId: string | null; minSeverity: Severity }, alert: { plantId: string; severity: Severity }): boolean {
  return (!webhook.plantId || webhook.plantId === alert.plantId) && atLeast(alert.severity, webhook.minSeverity);
}
