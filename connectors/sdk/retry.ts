/**
 * What to do after a failed ingest request: a pure function of the attempt number and what was
 * observed, returning a tagged decision. No I/O, no clock, no hidden randomness (the random source
 * is injected), so the whole policy is unit-tested as a table.
 */

/** What one request attempt produced, when it did not produce a usable 200. */
export type AttemptOutcome =
  /** The server answered with a status other than 2xx (or a 2xx the SDK cannot use). */
  | { kind: "http"; status: number; retryAfterMs?: number | undefined; batchSize: number }
  /** Connection refused/reset, DNS failure, TLS error... the request may or may not have arrived. */
  | { kind: "network"; message: string }
  /** No complete answer within the request timeout. */
  | { kind: "timeout" }
  /** A 2xx whose body is not an IngestResult (a proxy page, a truncated body): outcome unknown. */
  | { kind: "bad-response"; message: string }
  /** The answer was fine but recording the acknowledgement in the local journal failed. */
  | { kind: "journal"; message: string };

export type DropReason = "too-large" | "bad-request";
export type PauseReason = "unauthorized" | "forbidden" | "unexpected-status";

export type RetryDecision =
  | { kind: "retry"; delayMs: number }
  | { kind: "split" }
  | { kind: "drop"; reason: DropReason }
  | { kind: "pause"; delayMs: number; reason: PauseReason };

export interface RetryPolicy {
  /** Backoff ceiling for the first retry; doubles per attempt. */
  baseDelayMs: number;
  /** Upper bound of the (pre-jitter) backoff. */
  maxDelayMs: number;
  /** How long to stop sending after a configuration error (401/403, unknown status). */
  pauseMs: number;
  /** A Retry-After larger than this is clamped (a misconfigured proxy must not park us for days). */
  maxRetryAfterMs: number;
  /** Uniform in [0, 1). Injected so tests (and simulations) are deterministic. */
  random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  pauseMs: 5 * 60_000,
  maxRetryAfterMs: 15 * 60_000,
  random: Math.random,
};

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * delay = random() × min(cap, base × 2^(attempt−1)). Full jitter spreads the retries of many
 * connectors that lost the portal at the same moment, instead of having them return in waves.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30)); // 2^30 × base already exceeds any cap
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const r = Math.min(Math.max(policy.random(), 0), 1);
  return Math.floor(r * ceiling);
}

/**
 * @param attempt 1 for the first failure of the current batch, 2 for the second consecutive one...
 * @param outcome what the failed attempt produced
 */
export function decide(attempt: number, outcome: AttemptOutcome, policy: RetryPolicy = DEFAULT_RETRY_POLICY): RetryDecision {
  const retry = (): RetryDecision => ({ kind: "retry", delayMs: backoffDelay(attempt, policy) });
  switch (outcome.kind) {
    case "network":
    case "timeout":
    case "bad-response":
    case "journal":
      // All "unknown outcome" cases: the server may have stored the events. Re-sending with the same
      // eventIds is safe because the portal absorbs duplicates, so retrying is always correct here.
      return retry();
    case "http":
      return decideHttp(outcome, retry, policy);
  }
}

function decideHttp(outcome: Extract<AttemptOutcome, { kind: "http" }>, retry: () => RetryDecision, policy: RetryPolicy): RetryDecision {
  const { status, batchSize } = outcome;
  if (status === 413) {
    // Too large: halve until it fits. A single event that is still too large can never be sent.
    return batchSize > 1 ? { kind: "split" } : { kind: "drop", reason: "too-large" };
  }
  if (status === 400) {
    // The SDK validates every event before journaling it, so a 400 is a bug (ours or the server's).
    // Retrying the same body forever would block the queue; bisecting isolates the offending event,
    // lets the healthy ones through, and drops (and reports) only the one the server refuses.
    return batchSize > 1 ? { kind: "split" } : { kind: "drop", reason: "bad-request" };
  }
  if (status === 401) return { kind: "pause", delayMs: policy.pauseMs, reason: "unauthorized" };
  if (status === 403) return { kind: "pause", delayMs: policy.pauseMs, reason: "forbidden" };
  if (status === 408 || status === 429 || status >= 500 || (status >= 200 && status < 300)) {
    // 2xx here means a success status without a usable body: outcome unknown, retry like a 5xx.
    const base = retry();
    if (base.kind !== "retry" || outcome.retryAfterMs === undefined) return base;
    // Honour Retry-After as a floor; the jittered backoff may ask for longer on later attempts.
    const retryAfter = Math.min(Math.max(outcome.retryAfterMs, 0), policy.maxRetryAfterMs);
    return { kind: "retry", delayMs: Math.max(retryAfter, base.delayMs) };
  }
  // 404 (wrong baseUrl), 405, 415, redirects...: configuration problems that retrying quickly will
  // not fix. Keep the events and come back after a long pause.
  return { kind: "pause", delayMs: policy.pauseMs, reason: "unexpected-status" };
}

/**
 * Parses a Retry-After header (RFC 9110 §10.2.3): delta-seconds or an HTTP-date.
 * Returns milliseconds from `nowMs`, or undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP-date always names a month; without this, Date.parse would read "-5" as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
