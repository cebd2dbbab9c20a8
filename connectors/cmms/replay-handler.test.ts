import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ReplayJob, runReplayHandler } from "../sdk/replay";
import { startCmmsEmulator, type CmmsEmulator } from "./emulator";
import { cmmsReplayHandler } from "./replay-handler";

/** cmmsReplayHandler (MAINT_WORK_ORDER status sync back into the CMMS) against the running emulator. */

const workOrder = (fields: Record<string, unknown> = {}) => ({
  ...(JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "maint-work-order.json"), "utf8")) as Record<string, unknown>),
  ...fields,
});
const job = (payload: unknown, idempotencyKey: string, fields: Partial<ReplayJob> = {}): ReplayJob => ({
  replayId: `r-${idempotencyKey}`,
  idempotencyKey,
  plantCode: "DE-HAM",
  interface: "MAINT_WORK_ORDER",
  messageId: "WO-4100017",
  correlationId: "c-1",
  payload,
  attempt: 1,
  ...fields,
});

let cmms: CmmsEmulator;
beforeAll(async () => {
  cmms = await startCmmsEmulator();
});
afterAll(async () => {
  await cmms.close();
});
beforeEach(() => {
  cmms.reset();
});

describe("cmmsReplayHandler", () => {
  it("checks a status without committing (dry run): would post, or the CMMS's refusal; the work order is unchanged and no key is used up", async () => {
    const handler = cmmsReplayHandler(cmms.url);
    const history = () => JSON.stringify(cmms.workOrder("4100017")?.statusHistory);
    const before = history();
    expect(await runReplayHandler({ deliver: handler.check! }, job(workOrder({ status: "COMPLETED" }), "dry-1"))).toMatchObject({
      status: "delivered",
      response: { workOrder: "4100017", status: "COMPLETED", changed: true },
    });
    expect(await runReplayHandler({ deliver: handler.check! }, job(workOrder({ status: "RELEASED" }), "dry-2"))).toMatchObject({
      status: "failed",
      category: "business",
      code: "CM-STATUS-BACKWARD",
    });
    expect(history()).toBe(before);
    // The real delivery still applies, with the key the dry run never used.
    expect(await runReplayHandler(handler, job(workOrder({ status: "COMPLETED" }), "dry-1"))).toMatchObject({
      status: "delivered",
      response: { changed: true },
    });
  });

  it("sets the status from the payload, once; a status the work order already has is delivered unchanged", async () => {
    const handler = cmmsReplayHandler(cmms.url);
    expect(await runReplayHandler(handler, job(workOrder({ status: "COMPLETED" }), "k-1"))).toMatchObject({
      status: "delivered",
      response: { workOrder: "4100017", status: "COMPLETED", changed: true },
    });
    expect(cmms.workOrder("4100017")?.statusHistory.at(-1)).toMatchObject({ status: "COMPLETED", source: "ERP" });
    expect(await runReplayHandler(handler, job(workOrder({ status: "COMPLETED" }), "k-2"))).toMatchObject({
      status: "delivered",
      response: { changed: false },
    });
    expect(cmms.workOrder("4100017")?.statusHistory.filter((s) => s.status === "COMPLETED")).toHaveLength(1);
  });

  it("backwards, unknown work orders and payloads that are no work order are business failures", async () => {
    const handler = cmmsReplayHandler(cmms.url);
    expect(await runReplayHandler(handler, job(workOrder({ status: "RELEASED" }), "k-3"))).toMatchObject({
      status: "failed",
      category: "business",
      code: "CM-STATUS-BACKWARD",
    });
    expect(await runReplayHandler(handler, job(workOrder({ workOrder: "4999999" }), "k-4"))).toMatchObject({
      status: "failed",
      category: "business",
      code: "CM-WO-UNKNOWN",
    });
    expect(await runReplayHandler(handler, job(workOrder({ status: "DONE" }), "k-5"))).toMatchObject({
      status: "failed",
      category: "business",
      code: "VALIDATION_FAILED",
      details: { errors: [{ path: "/status", message: expect.any(String) }] },
    });
    expect(await runReplayHandler(handler, job(workOrder(), "k-6", { interface: "SPARE_PARTS_USAGE" }))).toMatchObject({ code: "INTERFACE_NOT_SUPPORTED" });
  });

  it("down, lost answer after applying: technical; the retry with the same key applies once", async () => {
    const handler = cmmsReplayHandler(cmms.url, { timeoutMs: 500 });
    cmms.faults.unavailable(1);
    expect(await runReplayHandler(handler, job(workOrder({ status: "CLOSED" }), "k-7"))).toMatchObject({
      status: "failed",
      category: "technical",
      code: "HTTP-503",
    });
    cmms.faults.dropConnection({ phase: "after" });
    expect(await runReplayHandler(handler, job(workOrder({ status: "CLOSED" }), "k-7", { attempt: 2 }))).toMatchObject({
      status: "failed",
      category: "technical",
    });
    expect(cmms.workOrder("4100017")?.status).toBe("CLOSED");
    expect(await runReplayHandler(handler, job(workOrder({ status: "CLOSED" }), "k-7", { attempt: 3 }))).toMatchObject({
      status: "delivered",
      response: { status: "CLOSED", changed: true },
    });
    expect(cmms.applications("k-7")).toBe(1);
  });
});
