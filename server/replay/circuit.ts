/**
 * Circuit breaker for replay targets, as pure functions over the state stored on the connector.
 * After THRESHOLD consecutive technical failures the target is paused for a cool-down that doubles
 * with every further failure (capped); one success closes it. While paused, replays wait (their
 * pg-boss job is sent again for when the pause ends, without spending one of its retries) instead of
 * hammering a target that is down. The worker also stops a batch midway once the threshold of
 * failures in a row is reached inside it (server/replay/deliver-replay.ts).
 */
export type CircuitState = { failures: number; pausedUntil: Date | null };
export type CircuitPolicy = { threshold: number; coolDownMs: number; maxCoolDownMs: number };
export const DEFAULT_CIRCUIT: CircuitPolicy = { threshold: 5, coolDownMs: 60_000, maxCoolDownMs: 15 * 60_000 };

export type Gate = { kind: "closed" } | { kind: "open"; retryInMs: number };

export function gate(state: CircuitState, now: Date): Gate {
  if (state.pausedUntil && state.pausedUntil > now) return { kind: "open", retryInMs: state.pausedUntil.getTime() - now.getTime() };
  return { kind: "closed" };
}

export function afterAttempt(
  state: CircuitState,
  outcome: "delivered" | "technical" | "business",
  now: Date,
  policy: CircuitPolicy = DEFAULT_CIRCUIT,
): CircuitState {
  // A business refusal proves the target is up: it closes the circuit like a delivery.
  if (outcome !== "technical") return { failures: 0, pausedUntil: null };
  const failures = state.failures + 1;
  if (failures < policy.threshold) return { failures, pausedUntil: state.pausedUntil };
  const coolDown = Math.min(policy.maxCoolDownMs, policy.coolDownMs * 2 ** (failures - policy.threshold));
  return { failures, pausedUntil: new Date(now.getTime() + coolDown) };
}
