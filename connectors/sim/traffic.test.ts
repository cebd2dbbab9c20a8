import { describe, expect, it } from "vitest";
import { INTERFACES } from "../../prisma/seed";
import { nextRevision } from "./flows";
import { TRAFFIC, latencyMs, rng, shiftFactor, weighted } from "./traffic";

describe("plant traffic model", () => {
  it("is reproducible from a seed", () => {
    const a = rng(42);
    const b = rng(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });

  it("triples traffic in the first ten minutes of each shift, in the plant's time zone", () => {
    expect(shiftFactor("Europe/Berlin", new Date("2026-11-23T05:05:00Z"))).toBe(3); // 06:05 in Hamburg
    expect(shiftFactor("Europe/Berlin", new Date("2026-11-23T05:15:00Z"))).toBe(1);
    expect(shiftFactor("America/New_York", new Date("2026-11-23T19:02:00Z"))).toBe(3); // 14:02 in Charlotte
    expect(shiftFactor("America/New_York", new Date("2026-11-23T05:05:00Z"))).toBe(1);
  });

  it("draws interfaces in proportion to their volume weights", () => {
    const r = rng(1);
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const t = weighted(r, TRAFFIC);
      counts.set(t.code, (counts.get(t.code) ?? 0) + 1);
    }
    const total = TRAFFIC.reduce((n, t) => n + t.weight, 0);
    for (const t of TRAFFIC) expect(Math.abs(counts.get(t.code)! / 20_000 - t.weight / total)).toBeLessThan(0.015);
  });

  it("keeps most latencies well under the SLO with a small breaching tail", () => {
    const r = rng(3);
    const slo = 60_000;
    const breaches = Array.from({ length: 20_000 }, () => latencyMs(r, slo)).filter((l) => l > slo).length / 20_000;
    expect(breaches).toBeGreaterThan(0.005);
    expect(breaches).toBeLessThan(0.05);
  });

  it("takes each interface's systems from the catalog", () => {
    expect(TRAFFIC.map((t) => [t.code, t.source, t.targets])).toEqual(INTERFACES.map((i) => [i.code, i.sourceSystem, i.targetSystems]));
  });

  it("numbers BOM revisions A … Z, AA … ZZ", () => {
    expect(["", "A", "Z", "AZ", "BA"].map(nextRevision)).toEqual(["A", "B", "AA", "BA", "BB"]);
    expect(nextRevision("ZZ")).toBeUndefined();
  });
});
