import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ReplayJob, runReplayHandler } from "../sdk/replay";
import { startWmsEmulator, type WmsEmulator } from "./emulator";
import { wmsReplayHandler } from "./replay-handler";

/** wmsReplayHandler end to end against the running WMS emulator. */

const asn = () => JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", "supplier-asn.json"), "utf8")) as Record<string, unknown>;
const job = (payload: unknown, idempotencyKey: string, fields: Partial<ReplayJob> = {}): ReplayJob => ({
  replayId: `r-${idempotencyKey}`,
  idempotencyKey,
  plantCode: "DE-HAM",
  interface: "SUPPLIER_ASN",
  messageId: "ASN-80045881",
  correlationId: "c-1",
  payload,
  attempt: 1,
  ...fields,
});

let wms: WmsEmulator;
beforeAll(async () => {
  wms = await startWmsEmulator();
});
afterAll(async () => {
  await wms.close();
});
beforeEach(() => {
  wms.reset();
});

describe("wmsReplayHandler", () => {
  it("checks an ASN without committing (dry run): refused with the WMS's code, or would post; the state is unchanged and the real delivery still applies", async () => {
    const handler = wmsReplayHandler(wms.url);
    const state = () => JSON.stringify([[...wms.state.expectedReceipts.entries()], [...wms.state.stock.entries()], wms.state.events]);
    const before = state();
    const lines = asn().lines as Record<string, unknown>[];
    const refused = await runReplayHandler({ deliver: handler.check! }, job({ ...asn(), lines: [{ ...lines[0], unit: "PCE" }, ...lines.slice(1)] }, "dry-1"));
    expect(refused).toMatchObject({ status: "failed", category: "business", code: "ASN-UOM-UNMAPPED" });
    const wouldPost = await runReplayHandler({ deliver: handler.check! }, job(asn(), "dry-2"));
    expect(wouldPost).toMatchObject({ status: "delivered", response: { expectedReceipt: "1800000101", status: "EXPECTED" } });
    expect(state()).toBe(before);
    expect(wms.applications("dry-2")).toBe(0);
    // Nothing was used up: the real delivery gets the same number.
    expect(await runReplayHandler(handler, job(asn(), "rk-dry"))).toMatchObject({ status: "delivered", response: { expectedReceipt: "1800000101" } });
  });

  it("delivers the ASN as an expected receipt, once", async () => {
    const outcome = await runReplayHandler(wmsReplayHandler(wms.url), job(asn(), "rk-1"));
    expect(outcome).toMatchObject({
      status: "delivered",
      response: { expectedReceipt: "1800000101", asnNumber: "80045881", warehouse: "HAM", status: "EXPECTED" },
    });
    expect(wms.state.expectedReceipts.size).toBe(1);
    expect(wms.applications("rk-1")).toBe(1);
  });

  it("a refusal is a business failure with the WMS's code; a duplicate names the expected receipt", async () => {
    const bad = await runReplayHandler(
      wmsReplayHandler(wms.url),
      job({ ...asn(), lines: [{ poLine: "00099", material: "RM-4711", quantity: 1, unit: "EA" }] }, "rk-2"),
    );
    expect(bad).toMatchObject({
      status: "failed",
      category: "business",
      code: "ASN-PO-LINE-UNKNOWN",
      message: "PO line 00099 of purchase order 4500017001 does not exist",
    });
    await runReplayHandler(wmsReplayHandler(wms.url), job(asn(), "rk-3"));
    const duplicate = await runReplayHandler(wmsReplayHandler(wms.url), job(asn(), "rk-4"));
    expect(duplicate).toMatchObject({ status: "failed", category: "business", code: "ASN-DUPLICATE", details: { expectedReceipt: "1800000101" } });
    const invalid = await runReplayHandler(wmsReplayHandler(wms.url), job({ asnNumber: "1" }, "rk-5"));
    expect(invalid).toMatchObject({ status: "failed", category: "business", code: "VALIDATION_FAILED" });
    const other = await runReplayHandler(wmsReplayHandler(wms.url), job(asn(), "rk-6", { interface: "GOODS_MOVEMENT" }));
    expect(other).toMatchObject({ status: "failed", code: "INTERFACE_NOT_SUPPORTED" });
  });

  it("down, then up: technical 503, the retry with the same key delivers", async () => {
    wms.faults.unavailable(1, 5);
    const handler = wmsReplayHandler(wms.url);
    expect(await runReplayHandler(handler, job(asn(), "rk-7"))).toMatchObject({ status: "failed", category: "technical", code: "HTTP-503" });
    expect(await runReplayHandler(handler, job(asn(), "rk-7", { attempt: 2 }))).toMatchObject({ status: "delivered" });
    expect(wms.applications("rk-7")).toBe(1);
  });

  it("lost answer after applying, or a timeout while the WMS is slow: technical, and the retry applies once", async () => {
    const handler = wmsReplayHandler(wms.url, { timeoutMs: 100 });
    wms.faults.dropConnection({ phase: "after" });
    expect(await runReplayHandler(handler, job(asn(), "rk-8"))).toMatchObject({ status: "failed", category: "technical", code: "CONNECTION" });
    expect(await runReplayHandler(handler, job(asn(), "rk-8", { attempt: 2 }))).toMatchObject({
      status: "delivered",
      response: { expectedReceipt: "1800000101" },
    });

    wms.faults.hang(2_000, { phase: "after" });
    const second = { ...asn(), asnNumber: "80045899" };
    expect(await runReplayHandler(handler, job(second, "rk-9"))).toMatchObject({ status: "failed", category: "technical", code: "TIMEOUT" });
    expect(await runReplayHandler(handler, job(second, "rk-9", { attempt: 2 }))).toMatchObject({
      status: "delivered",
      response: { expectedReceipt: "1800000102" },
    });
    expect([wms.applications("rk-8"), wms.applications("rk-9"), wms.state.expectedReceipts.size]).toEqual([1, 1, 2]);
    wms.reset();
  });

  it("no WMS at all: technical CONNECTION", async () => {
    const handler = wmsReplayHandler("http://127.0.0.1:9", { timeoutMs: 1_000 });
    expect(await runReplayHandler(handler, job(asn(), "rk-10"))).toMatchObject({ status: "failed", category: "technical", code: "CONNECTION" });
  });
});
