/**
 * Mergeable log-scale latency histogram (fixed buckets, so rollups add element-wise).
 *
 * Bucket 0 holds latencies below 1 ms; bucket i ≥ 1 holds [GROWTH^(i-1), GROWTH^i) ms; the last
 * bucket also takes everything above the range (7 days). A percentile is reported as the geometric
 * middle of its bucket, so its relative error is at most sqrt(GROWTH) - 1 ≈ 4.9 %.
 */
export const GROWTH = 1.1;
export const MAX_LATENCY_MS = 7 * 24 * 3600 * 1000;
export const BUCKETS = Math.ceil(Math.log(MAX_LATENCY_MS) / Math.log(GROWTH)) + 1;
export const MAX_RELATIVE_ERROR = Math.sqrt(GROWTH) - 1;
/** The latency SLO is judged on this quantile of a minute's delivered messages (server/dashboards/slo.ts, compaction). */
export const SLO_QUANTILE = 0.95;

const LOG_GROWTH = Math.log(GROWTH);

export function bucketOf(latencyMs: number): number {
  if (!(latencyMs >= 1)) return 0;
  return Math.min(BUCKETS - 1, Math.floor(Math.log(latencyMs) / LOG_GROWTH) + 1);
}

/** [lower, upper) bounds of a bucket, in ms. */
export function bucketBounds(i: number): [number, number] {
  if (i <= 0) return [0, 1];
  return [GROWTH ** (i - 1), GROWTH ** i];
}

export function emptyHistogram(): number[] {
  return new Array<number>(BUCKETS).fill(0);
}

export function record(hist: number[], latencyMs: number, count = 1): void {
  const i = bucketOf(latencyMs);
  hist[i] = (hist[i] ?? 0) + count;
}

export function merge(into: number[], other: readonly number[]): number[] {
  for (let i = 0; i < BUCKETS; i++) into[i] = (into[i] ?? 0) + (other[i] ?? 0);
  return into;
}

/** The q-quantile (0 < q ≤ 1) as the representative value of the bucket holding it; null when empty. */
export function percentile(hist: readonly number[], q: number): number | null {
  let total = 0;
  for (const c of hist) total += c;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    seen += hist[i] ?? 0;
    if (seen >= rank) {
      if (i === 0) return 0.5;
      const [lo, hi] = bucketBounds(i);
      return Math.sqrt(lo * hi);
    }
  }
  return null;
}

/** Postgres array literal for an int[] parameter. */
export function toPgArray(hist: readonly number[]): string {
  return `{${hist.join(",")}}`;
}
