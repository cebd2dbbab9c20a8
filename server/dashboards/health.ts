/**
 * One health state per plant, from the same figures its tile and charts show (the last hour): the
 * latency SLO judged minute by minute (server/dashboards/slo.ts), the failure rate, connectors that fell
 * silent (critical), never reported or report a backlog, firing alerts. Each state comes with its reasons in words, so the state
 * never disagrees with what the page shows. Pure and client-safe (the dashboard sorts and labels with it).
 */
export type HealthState = "critical" | "degraded" | "healthy";

/** Worst first. */
export const HEALTH_ORDER: readonly HealthState[] = ["critical", "degraded", "healthy"];

/** A share of minutes above the SLO from which an interface makes its plant critical (any breach degrades it). */
export const CRITICAL_BREACH_SHARE = 0.1;
/** Failure rates (failed / reported messages) that make a plant critical, or degraded. */
export const CRITICAL_FAILURE_RATE = 0.05;
export const DEGRADED_FAILURE_RATE = 0.01;

export type HealthReason = { state: Exclude<HealthState, "healthy">; text: string };
export type PlantHealth = { state: HealthState; reasons: HealthReason[] };

export type HealthInput = {
  interfaces: { code: string; activeMinutes: number; breachMinutes: number }[];
  messages: number;
  failed: number;
  /** Connectors in service: `silent` once they reported and then stopped; `reported` false while they never have. */
  connectors: { name: string; silent: boolean; reported: boolean; backlog: number | null }[];
  alertsFiring: number;
  /** Open findings of the flow monitor (server/monitor): stopped flows and missed runs are critical, late messages and floods degrade. */
  findings?: { stopped: number; missedRuns: number; late: number; flood: number };
};

const pct = (share: number) => `${(Math.round(share * 1000) / 10).toFixed(1)}\u00a0%`;
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-GB")} ${n === 1 ? one : many}`;

export function plantHealth(input: HealthInput): PlantHealth {
  const reasons: HealthReason[] = [];
  for (const i of input.interfaces) {
    if (i.breachMinutes === 0 || i.activeMinutes === 0) continue;
    const share = i.breachMinutes / i.activeMinutes;
    reasons.push({
      state: share >= CRITICAL_BREACH_SHARE ? "critical" : "degraded",
      text: `${i.code} above its latency SLO in ${i.breachMinutes} of ${plural(i.activeMinutes, "minute")} (${pct(share)})`,
    });
  }
  if (input.messages > 0 && input.failed > 0) {
    const rate = input.failed / input.messages;
    if (rate >= DEGRADED_FAILURE_RATE)
      reasons.push({
        state: rate >= CRITICAL_FAILURE_RATE ? "critical" : "degraded",
        text: `${pct(rate)} of messages failed (${plural(input.failed, "message")} of ${input.messages.toLocaleString("en-GB")})`,
      });
  }
  const silent = input.connectors.filter((c) => c.silent);
  if (silent.length) reasons.push({ state: "critical", text: `${plural(silent.length, "connector")} silent: ${silent.map((c) => c.name).join(", ")}` });
  const unheard = input.connectors.filter((c) => !c.reported);
  if (unheard.length) reasons.push({ state: "degraded", text: `no heartbeat yet from ${unheard.map((c) => c.name).join(", ")}` });
  const backlogged = input.connectors.filter((c) => !c.silent && (c.backlog ?? 0) > 0);
  if (backlogged.length)
    reasons.push({
      state: "degraded",
      text: `connector backlog: ${backlogged.map((c) => `${c.name} (${plural(c.backlog ?? 0, "message")} waiting)`).join(", ")}`,
    });
  const f = input.findings;
  if (f?.stopped) reasons.push({ state: "critical", text: `${plural(f.stopped, "flow")} stopped` });
  if (f?.missedRuns) reasons.push({ state: "critical", text: `${plural(f.missedRuns, "batch run")} missed` });
  if (f?.late) reasons.push({ state: "degraded", text: `${plural(f.late, "message")} late` });
  if (f?.flood) reasons.push({ state: "degraded", text: `${plural(f.flood, "flow")} above its expected traffic` });
  if (input.alertsFiring > 0) reasons.push({ state: "degraded", text: `${plural(input.alertsFiring, "alert")} firing` });
  reasons.sort((a, b) => HEALTH_ORDER.indexOf(a.state) - HEALTH_ORDER.indexOf(b.state));
  return { state: reasons[0]?.state ?? "healthy", reasons };
}

/** Worst first; among equals, the plant with more reasons first, then by code. */
export function compareHealth(a: { code: string; health: PlantHealth }, b: { code: string; health: PlantHealth }): number {
  return (
    HEALTH_ORDER.indexOf(a.health.state) - HEALTH_ORDER.indexOf(b.health.state) ||
    b.health.reasons.length - a.health.reasons.length ||
    a.code.localeCompare(b.code)
  );
}
