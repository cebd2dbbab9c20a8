import { describe, expect, it } from "vitest";
import { afterAttempt, gate } from "./circuit";

const policy = { threshold: 3, coolDownMs: 1000, maxCoolDownMs: 4000 };
const t0 = new Date("2026-11-23T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

describe("replay circuit breaker", () => {
  it("opens after the threshold of consecutive technical failures, doubling the cool-down up to the cap", () => {
    let s = { failures: 0, pausedUntil: null as Date | null };
    const steps: [number, string | null][] = [];
    for (let i = 0; i < 6; i++) {
      s = afterAttempt(s, "technical", t0, policy);
      steps.push([s.failures, s.pausedUntil ? String(s.pausedUntil.getTime() - t0.getTime()) : null]);
    }
    expect(steps).toEqual([
      [1, null],
      [2, null],
      [3, "1000"],
      [4, "2000"],
      [5, "4000"],
      [6, "4000"],
    ]);
    expect(gate(s, at(3999))).toEqual({ kind: "open", retryInMs: 1 });
    expect(gate(s, at(4000))).toEqual({ kind: "closed" });
  });

  it.each(["delivered", "business"] as const)("closes on %s (the target answered)", (outcome) => {
    const open = { failures: 7, pausedUntil: at(10_000) };
    expect(afterAttempt(open, outcome, t0, policy)).toEqual({ failures: 0, pausedUntil: null });
  });

  it("a closed circuit lets deliveries through", () => {
    expect(gate({ failures: 2, pausedUntil: null }, t0)).toEqual({ kind: "closed" });
  });
});
