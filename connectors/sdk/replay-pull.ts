import { type ReplayHandler, type ReplayJob, type ReplayOutcome, runReplayHandler } from "./replay";

/**
 * Pull mode, connector side (no inbound connection needed): long-polls the portal for this
 * connector's replay jobs, runs the handler, reports each outcome. If the process dies after leasing,
 * the lease expires and the job comes back with the same idempotency key, so the target must (and
 * our emulators do) apply each key at most once.
 */
export type ReplayPullerOptions = {
  baseUrl: string;
  apiKey: string;
  handler: ReplayHandler;
  /** Long-poll wait per request, seconds (≤ 30). */
  waitS?: number;
  /** How long a leased job stays hidden from other pollers, seconds. */
  visibilityS?: number;
  handlerTimeoutMs?: number;
  onError?: (error: Error) => void;
  fetch?: typeof fetch;
};

export function startReplayPuller(opts: ReplayPullerOptions): { stop: () => Promise<void> } {
  const f = opts.fetch ?? fetch;
  const headers = { authorization: `Bearer ${opts.apiKey}`, "content-type": "application/json" };
  const abort = new AbortController();
  let stopped = false;

  const loop = async () => {
    let backoff = 500;
    while (!stopped) {
      try {
        const url = `${opts.baseUrl}/api/connectors/v1/replays?wait=${opts.waitS ?? 20}&visibility=${opts.visibilityS ?? 60}`;
        const res = await f(url, { headers, signal: abort.signal });
        if (!res.ok) throw new Error(`lease answered ${res.status}: ${await res.text()}`);
        const { jobs } = (await res.json()) as { jobs: (ReplayJob & { leaseUntil: string | null })[] };
        for (const job of jobs) {
          const outcome: ReplayOutcome = await runReplayHandler(opts.handler, job, { timeoutMs: opts.handlerTimeoutMs ?? 60_000 });
          const report = await f(`${opts.baseUrl}/api/connectors/v1/replays/${job.replayId}/result`, {
            method: "POST",
            headers,
            body: JSON.stringify(outcome),
            signal: abort.signal,
          });
          if (!report.ok) throw new Error(`result of ${job.replayId} answered ${report.status}: ${await report.text()}`);
        }
        backoff = 500;
      } catch (err) {
        if (stopped) return;
        opts.onError?.(err as Error);
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(30_000, backoff * 2);
      }
    }
  };
  const running = loop();
  return {
    async stop() {
      stopped = true;
      abort.abort();
      await running;
    },
  };
}
