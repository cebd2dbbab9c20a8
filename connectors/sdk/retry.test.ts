import { describe, expect, it } from "vitest";
import { backoffDelay, decide, DEFAULT_RETRY_POLICY, parseRetryAfter, type AttemptOutcome, type RetryDecision, type RetryPolicy } from "./retry";

const policy = (random: number): RetryPolicy => ({ ...DEFAULT_RETRY_POLICY, random: () => random });
const http = (status: number, batchSize = 10, retryAfterMs?: number): AttemptOutcome => ({ kind: "http", status, batchSize, retryAfterMs });
const network: AttemptOutcome = { kind: "network", message: "ECONNREFUSED" };

// base 500 ms, cap 60 s, pause 5 min, Retry-After clamped at 15 min.
const table: [string, number, AttemptOutcome, number, RetryDecision][] = [
  ["network error, first attempt: jitter within 500 ms", 1, network, 0.5, { kind: "retry", delayMs: 250 }],
  ["network error, third attempt: ceiling 2 s", 3, network, 0.5, { kind: "retry", delayMs: 1000 }],
  ["full jitter can retry at once", 4, network, 0, { kind: "retry", delayMs: 0 }],
  ["ceiling is capped at 60 s", 20, { kind: "timeout" }, 0.5, { kind: "retry", delayMs: 30_000 }],
  ["huge attempt numbers do not overflow", 10_000, { kind: "timeout" }, 0.999, { kind: "retry", delayMs: 59_940 }],
  ["bad 2xx body: outcome unknown, retry", 1, { kind: "bad-response", message: "<html>" }, 0.5, { kind: "retry", delayMs: 250 }],
  ["local ack failure: retry", 2, { kind: "journal", message: "EIO" }, 0.5, { kind: "retry", delayMs: 500 }],
  ["503 without Retry-After", 1, http(503), 0.5, { kind: "retry", delayMs: 250 }],
  ["503 Retry-After is a floor", 1, http(503, 10, 5000), 0.5, { kind: "retry", delayMs: 5000 }],
  ["429 Retry-After below the backoff: backoff wins", 10, http(429, 10, 100), 0.9, { kind: "retry", delayMs: 54_000 }],
  ["Retry-After of hours is clamped to 15 min", 1, http(429, 10, 10 * 3600_000), 0.5, { kind: "retry", delayMs: 900_000 }],
  ["500", 2, http(500), 0.25, { kind: "retry", delayMs: 250 }],
  ["502", 1, http(502), 0.5, { kind: "retry", delayMs: 250 }],
  ["504", 1, http(504), 0.5, { kind: "retry", delayMs: 250 }],
  ["408", 1, http(408), 0.5, { kind: "retry", delayMs: 250 }],
  ["413 with several events: split", 1, http(413, 10), 0.5, { kind: "split" }],
  ["413 with one event: it can never fit", 1, http(413, 1), 0.5, { kind: "drop", reason: "too-large" }],
  ["400 with several events: bisect to find the culprit", 1, http(400, 2), 0.5, { kind: "split" }],
  ["400 with one event: drop and report", 1, http(400, 1), 0.5, { kind: "drop", reason: "bad-request" }],
  ["401: keep events, pause", 1, http(401), 0.5, { kind: "pause", delayMs: 300_000, reason: "unauthorized" }],
  ["403: keep events, pause", 7, http(403), 0.5, { kind: "pause", delayMs: 300_000, reason: "forbidden" }],
  ["404 (wrong baseUrl): pause", 1, http(404), 0.5, { kind: "pause", delayMs: 300_000, reason: "unexpected-status" }],
  ["redirect: pause", 1, http(302), 0.5, { kind: "pause", delayMs: 300_000, reason: "unexpected-status" }],
  ["415: pause", 1, http(415), 0.5, { kind: "pause", delayMs: 300_000, reason: "unexpected-status" }],
];

describe("decide", () => {
  it.each(table)("%s", (_name, attempt, outcome, random, expected) => {
    expect(decide(attempt, outcome, policy(random))).toEqual(expected);
  });

  it("never exceeds the exponential ceiling, whatever the random source returns", () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(60_000, 500 * 2 ** (attempt - 1));
      for (const r of [0, 0.1, 0.5, 0.999999, 1, 7, -3]) {
        const delay = backoffDelay(attempt, policy(r));
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it("spreads retries (full jitter) instead of returning in waves", () => {
    let seed = 1;
    const lcg = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const delays = Array.from({ length: 200 }, () => backoffDelay(5, { ...DEFAULT_RETRY_POLICY, random: lcg }));
    expect(new Set(delays).size).toBeGreaterThan(150);
    expect(Math.min(...delays)).toBeLessThan(1000);
    expect(Math.max(...delays)).toBeGreaterThan(7000);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  it.each([
    ["120", 120_000],
    ["0", 0],
    [" 3 ", 3000],
    ["Sun, 01 Mar 2026 12:00:30 GMT", 30_000],
    ["Sun, 01 Mar 2026 11:00:00 GMT", 0],
    ["", undefined],
    ["soon", undefined],
    ["-5", undefined],
    [null, undefined],
  ] as const)("%j → %j", (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
