import { describe, expect, it } from "vitest";
import { runReplayHandler, type ReplayHandler, type ReplayJob, type ReplayOutcome } from "./replay";

const job: ReplayJob = {
  replayId: "rp-1",
  idempotencyKey: "idem-1",
  plantCode: "P1000",
  interface: "GOODS_MOVEMENT",
  messageId: "msg-1",
  correlationId: "corr-1",
  payload: { qty: 3 },
  attempt: 1,
};

/** A clock that advances 25 ms per reading after the first. */
function steppingClock(): () => number {
  let t = 1000;
  let first = true;
  return () => {
    if (first) {
      first = false;
      return t;
    }
    t += 25;
    return t;
  };
}

const handler = (deliver: (job: ReplayJob) => Promise<ReplayOutcome>): ReplayHandler => ({ deliver });

describe("runReplayHandler", () => {
  it("passes the job through and times the call", async () => {
    const seen: ReplayJob[] = [];
    const outcome = await runReplayHandler(
      handler(async (j) => {
        seen.push(j);
        return { status: "delivered", response: { docNumber: "4900001" }, durationMs: 0 };
      }),
      job,
      { now: steppingClock() },
    );
    expect(seen).toEqual([job]);
    expect(outcome).toEqual({ status: "delivered", response: { docNumber: "4900001" }, durationMs: 25 });
  });

  it("keeps a business failure as the handler reported it", async () => {
    const outcome = await runReplayHandler(
      handler(async () => ({ status: "failed", category: "business", code: "M7021", message: "deficit of stock", details: { material: "X" }, durationMs: 1 })),
      job,
      { now: steppingClock() },
    );
    expect(outcome).toEqual({ status: "failed", category: "business", code: "M7021", message: "deficit of stock", details: { material: "X" }, durationMs: 25 });
  });

  it.each([
    ["an async rejection", handler(() => Promise.reject(new Error("ECONNREFUSED 10.0.0.5:3300")))],
    [
      "a synchronous throw",
      handler(() => {
        throw new Error("ECONNREFUSED 10.0.0.5:3300");
      }),
    ],
  ])("turns %s into a technical failure", async (_name, h) => {
    const outcome = await runReplayHandler(h, job, { now: steppingClock() });
    expect(outcome).toEqual({
      status: "failed",
      category: "technical",
      code: "HANDLER_ERROR",
      message: "ECONNREFUSED 10.0.0.5:3300",
      details: { name: "Error" },
      durationMs: 25,
    });
  });

  it("turns a hang into a technical timeout", async () => {
    const outcome = await runReplayHandler(
      handler(() => new Promise<ReplayOutcome>(() => undefined)),
      job,
      { timeoutMs: 20 },
    );
    expect(outcome).toMatchObject({ status: "failed", category: "technical", code: "REPLAY_TIMEOUT" });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(15);
  });

  it("refuses a result that is not an outcome", async () => {
    const bogus = handler(async () => ({ ok: true }) as unknown as ReplayOutcome);
    expect(await runReplayHandler(bogus, job)).toMatchObject({ status: "failed", category: "technical", code: "INVALID_OUTCOME" });
  });
});
