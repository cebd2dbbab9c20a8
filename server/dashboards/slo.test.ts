import { describe, expect, it } from "vitest";
import { BUCKETS, bucketOf, emptyHistogram, percentile, record } from "../metrics/histogram";
import { firstBucketAbove } from "./slo";

describe("the SLO judged as the charts draw the p95", () => {
  it("a minute breaches exactly when the p95 `percentile` answers for it is above the SLO", () => {
    for (const slo of [500, 30_000, 60_000, 120_000, 900_000, 86_400_000]) {
      const k = firstBucketAbove(slo);
      expect(k).toBeGreaterThan(0);
      expect(k).toBeLessThan(BUCKETS);
      for (const latency of [slo * 0.9, slo * 0.99, slo, slo * 1.01, slo * 1.05, slo * 1.2, slo * 2.7]) {
        const hist = emptyHistogram();
        record(hist, latency, 20);
        expect(bucketOf(latency) >= k).toBe(percentile(hist, 0.95)! > slo);
      }
    }
  });
});
