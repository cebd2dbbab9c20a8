/**
 * Per-target replay rate limit, GCRA style: the connector row holds the next free send slot; a
 * worker reserves n consecutive slots of 1/rate seconds in one UPDATE (so every instance shares the
 * budget) and sends each delivery no earlier than its slot. Concurrency (requests in flight at once)
 * is bounded by the worker's lanes per target.
 */
export function slotTimes(firstMs: number, ratePerSec: number, n: number): number[] {
  const step = 1000 / ratePerSec;
  return Array.from({ length: n }, (_, i) => firstMs + i * step);
}
