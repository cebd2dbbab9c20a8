import { describe, expect, it } from "vitest";
import { BUCKETS, MAX_RELATIVE_ERROR, bucketBounds, bucketOf, emptyHistogram, merge, percentile, record } from "./histogram";

function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

describe("latency histogram", () => {
  it("puts each latency in the bucket whose bounds contain it", () => {
    for (const v of [1, 1.5, 7, 99, 1000, 60_000, 3_600_000]) {
      const [lo, hi] = bucketBounds(bucketOf(v));
      expect(v).toBeGreaterThanOrEqual(lo * (1 - 1e-12));
      expect(v).toBeLessThan(hi * (1 + 1e-12));
    }
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(10 * 24 * 3600 * 1000)).toBe(BUCKETS - 1);
  });

  it("percentiles stay within the stated error bound of exact percentiles (log-normal latencies)", () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = Array.from({ length: 50_000 }, () => {
      const z = Math.sqrt(-2 * Math.log(rand() || 1e-9)) * Math.cos(2 * Math.PI * rand());
      return Math.max(1, Math.round(Math.exp(6 + 1.2 * z))); // median ≈ 400 ms, long tail
    });
    const h = emptyHistogram();
    for (const v of values) record(h, v);
    for (const q of [0.5, 0.95, 0.99]) {
      const err = Math.abs(percentile(h, q)! - exact(values, q)) / exact(values, q);
      expect(err).toBeLessThanOrEqual(MAX_RELATIVE_ERROR + 1e-9);
    }
    expect(MAX_RELATIVE_ERROR).toBeLessThan(0.05);
  });

  it("merges element-wise, so rollups of rollups give the same percentiles", () => {
    const a = emptyHistogram();
    const b = emptyHistogram();
    const all = emptyHistogram();
    for (let i = 1; i <= 1000; i++) {
      record(i % 2 ? a : b, i * 7);
      record(all, i * 7);
    }
    expect(merge(merge(emptyHistogram(), a), b)).toEqual(all);
    expect(percentile(emptyHistogram(), 0.5)).toBeNull();
  });
});
