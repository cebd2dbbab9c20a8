import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ReplayJob, runReplayHandler } from "../sdk/replay";
import { startMesEmulator, type MesEmulator } from "./emulator";
import { mesReplayHandler } from "./replay-handler";
import { PRODORD_RELEASE_SAMPLE } from "./samples";

/** The replay handler end to end against the running MES emulator. */

let mes: MesEmulator;
beforeAll(async () => {
  mes = await startMesEmulator({ now: () => new Date("2026-11-24T08:30:00Z") });
});
afterAll(async () => {
  await mes.close();
});
beforeEach(() => mes.reset());

let replay = 0;
function job(payload: unknown, overrides: Partial<ReplayJob> = {}): ReplayJob {
  replay += 1;
  return {
    replayId: `rp-${replay}`,
    idempotencyKey: `replay:rp-${replay}`,
    plantCode: "DE-HAM",
    interface: "PRODORD_RELEASE",
    messageId: `msg-${replay}`,
    correlationId: `corr-${replay}`,
    payload,
    attempt: 1,
    ...overrides,
  };
}

describe("mesReplayHandler (PRODORD_RELEASE)", () => {
  it("checks without keeping anything (dry run): the unit refusal, then would post; no order, key or BOD used", async () => {
    const handler = mesReplayHandler(mes.url);
    const refused = await runReplayHandler({ deliver: handler.check! }, job({ ...PRODORD_RELEASE_SAMPLE, unit: "ST" }));
    expect(refused).toMatchObject({ status: "failed", category: "business", code: "MES-UOM-001" });
    const check = job(PRODORD_RELEASE_SAMPLE);
    expect(await runReplayHandler({ deliver: handler.check! }, check)).toMatchObject({
      status: "delivered",
      response: { orderNumber: "1004711", mesStatus: "RELEASED" },
    });
    expect([mes.orders(), mes.applications(check.idempotencyKey)]).toEqual([[], 0]);
    expect(await runReplayHandler(handler, check)).toMatchObject({ status: "delivered", response: { orderNumber: "1004711", replayed: false } });
    expect(mes.orders()).toHaveLength(1);
  });

  it("delivers: the MES holds the order, the response names it with the MES status", async () => {
    const outcome = await runReplayHandler(mesReplayHandler(mes.url), job(PRODORD_RELEASE_SAMPLE));
    expect(outcome).toMatchObject({
      status: "delivered",
      response: { orderNumber: "1004711", mesStatus: "RELEASED", requestState: "Released", acknowledgeBodId: "MES-BOD-00000001", replayed: false },
    });
    expect(mes.order("1004711")?.status).toBe("RELEASED");
  });

  it("a unit the MES does not know is a business failure with the MES's code; corrected, the next replay delivers", async () => {
    const failed = await runReplayHandler(mesReplayHandler(mes.url), job({ ...PRODORD_RELEASE_SAMPLE, unit: "ST" }));
    expect(failed).toMatchObject({ status: "failed", category: "business", code: "MES-UOM-001" });
    expect(failed.status === "failed" && failed.message).toMatch(/Unit of measure ST/);
    expect(mes.order("1004711")).toBeUndefined();
    expect(await runReplayHandler(mesReplayHandler(mes.url), job(PRODORD_RELEASE_SAMPLE))).toMatchObject({ status: "delivered" });
  });

  it("unknown work centre and duplicate with other content are business failures", async () => {
    const wc = await runReplayHandler(
      mesReplayHandler(mes.url),
      job({ ...PRODORD_RELEASE_SAMPLE, operations: [{ operation: "0010", workCentre: "WC-X" }], components: [] }),
    );
    expect(wc).toMatchObject({ status: "failed", category: "business", code: "MES-EQP-001" });
    await runReplayHandler(mesReplayHandler(mes.url), job(PRODORD_RELEASE_SAMPLE));
    const duplicate = await runReplayHandler(mesReplayHandler(mes.url), job({ ...PRODORD_RELEASE_SAMPLE, quantity: 300 }));
    expect(duplicate).toMatchObject({ status: "failed", category: "business", code: "MES-ORD-001" });
  });

  it("a payload that is not a PRODORD_RELEASE is refused before sending", async () => {
    const outcome = await runReplayHandler(mesReplayHandler(mes.url), job({ orderNumber: "1004711" }));
    expect(outcome).toMatchObject({ status: "failed", category: "business", code: "PAYLOAD_INVALID" });
    expect(mes.counters().requests).toBe(0);
    expect(await runReplayHandler(mesReplayHandler(mes.url), job(PRODORD_RELEASE_SAMPLE, { interface: "GOODS_MOVEMENT" }))).toMatchObject({
      category: "business",
      code: "MES-NO-MAPPING",
    });
  });

  it("503 is technical; the retry of the same job delivers", async () => {
    mes.faults.unavailable(1, 3);
    const first = job(PRODORD_RELEASE_SAMPLE);
    expect(await runReplayHandler(mesReplayHandler(mes.url), first)).toMatchObject({ status: "failed", category: "technical", code: "SERVICE_UNAVAILABLE" });
    expect(await runReplayHandler(mesReplayHandler(mes.url), { ...first, attempt: 2 })).toMatchObject({ status: "delivered" });
  });

  it("a lost answer after applying is technical; the retry with the same key applies once and delivers", async () => {
    mes.faults.dropConnection({ phase: "after" });
    const lost = job(PRODORD_RELEASE_SAMPLE);
    expect(await runReplayHandler(mesReplayHandler(mes.url), lost)).toMatchObject({ status: "failed", category: "technical", code: "MES-UNREACHABLE" });
    expect(mes.order("1004711")?.revision).toBe(1);
    const retry = await runReplayHandler(mesReplayHandler(mes.url), { ...lost, attempt: 2 });
    expect(retry).toMatchObject({ status: "delivered", response: { replayed: true, mesStatus: "RELEASED" } });
    expect(mes.applications(lost.idempotencyKey)).toBe(1);
    expect(mes.order("1004711")?.revision).toBe(1);
  });

  it("a hanging MES is a technical timeout", async () => {
    mes.faults.hang(2_000);
    const outcome = await runReplayHandler(mesReplayHandler(mes.url, { timeoutMs: 100 }), job(PRODORD_RELEASE_SAMPLE));
    expect(outcome).toMatchObject({ status: "failed", category: "technical", code: "MES-TIMEOUT" });
    mes.reset();
  });

  it("an MES that is down (connection refused) is technical", async () => {
    const outcome = await runReplayHandler(mesReplayHandler("http://127.0.0.1:9"), job(PRODORD_RELEASE_SAMPLE));
    expect(outcome).toMatchObject({ status: "failed", category: "technical", code: "MES-UNREACHABLE" });
  });
});
