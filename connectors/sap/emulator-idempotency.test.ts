import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startSapEmulator, type SapEmulator } from "./emulator";
import { sapInboundResponseSchema } from "./inbound";
import { goodsMovement, postIdoc, readSample, sampleItem, sendIdoc } from "./test-support";

/** Idempotency-Key: each key is applied at most once; repeats get the original answer. */

let clock = new Date("2026-11-23T09:30:00Z");
let sap: SapEmulator;

beforeAll(async () => {
  sap = await startSapEmulator({ now: () => clock });
});
afterAll(async () => {
  await sap.close();
});
beforeEach(() => {
  clock = new Date("2026-11-23T09:30:00Z");
  sap.reset();
});

const STOCK = { material: "RM-4711", plant: "1000", storageLocation: "0001" };

describe("Idempotency-Key", () => {
  it("the same key three times concurrently reduces stock once and answers the same three times", async () => {
    const idoc = goodsMovement([sampleItem({ ENTRY_QNT: "120" })]);
    const responses = await Promise.all([1, 2, 3].map(() => postIdoc(sap.url, idoc, { idempotencyKey: "gm-7f3a" })));

    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const bodies = await Promise.all(responses.map(async (r) => sapInboundResponseSchema.parse(await r.json())));
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(bodies[0]?.status).toBe("53");
    expect(responses.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(2);

    expect(sap.stock(STOCK)).toBe(380);
    expect(sap.applications("gm-7f3a")).toBe(1);
    expect(sap.materialDocuments()).toHaveLength(1);
    expect(sap.counters()).toEqual({ requests: 3, processed: 1, replayed: 2 });
  });

  it("a later repeat returns the original status records (same counters and log time), not new ones", async () => {
    const idoc = goodsMovement([sampleItem({ ENTRY_QNT: "10" })]);
    const first = await sendIdoc(sap.url, idoc, { idempotencyKey: "k-1" });
    clock = new Date("2026-11-23T11:00:00Z");
    const repeat = await sendIdoc(sap.url, idoc, { idempotencyKey: "k-1" });
    expect(repeat).toEqual(first);
    expect(repeat.statusRecords.at(-1)?.LOGTIM).toBe("093000");
    expect(sap.idocStatus(idoc.control.DOCNUM)).toHaveLength(4);
    expect(sap.stock(STOCK)).toBe(490);
  });

  it("applies an answer that was not posted (51) only once as well; a fix needs a new key", async () => {
    const sample = readSample("sap-mbgmcr-goods-movement.json");
    expect((await sendIdoc(sap.url, sample, { idempotencyKey: "replay-1" })).status).toBe("51");
    sap.setStock(STOCK, 512);
    expect((await sendIdoc(sap.url, sample, { idempotencyKey: "replay-1" })).status).toBe("51");
    expect(sap.applications("replay-1")).toBe(1);

    const replay = await sendIdoc(sap.url, sample, { idempotencyKey: "replay-2" });
    expect(replay.status).toBe("53");
    expect(sap.stock(STOCK)).toBe(0);
    expect(sap.applications("replay-2")).toBe(1);
  });

  it("refuses a key reused for a different IDoc (422)", async () => {
    await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1" })]), { idempotencyKey: "k-2" });
    const response = await postIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "2" })]), { idempotencyKey: "k-2" });
    expect(response.status).toBe(422);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(sap.stock(STOCK)).toBe(499);
  });

  it("treats the JSON and XML forms of one IDoc as the same request", async () => {
    const idoc = goodsMovement([sampleItem({ ENTRY_QNT: "5" })]);
    const json = await sendIdoc(sap.url, idoc, { idempotencyKey: "k-3", format: "json" });
    const xml = await sendIdoc(sap.url, idoc, { idempotencyKey: "k-3", format: "xml" });
    expect(xml).toEqual(json);
    expect(sap.stock(STOCK)).toBe(495);
  });

  it("a lost answer (connection dropped after posting) is recovered by retrying with the same key", async () => {
    const idoc = goodsMovement([sampleItem({ ENTRY_QNT: "200" })]);
    sap.faults.dropConnection({ phase: "after" });
    await expect(postIdoc(sap.url, idoc, { idempotencyKey: "k-4" })).rejects.toThrow();
    expect(sap.stock(STOCK)).toBe(300);

    const retry = await postIdoc(sap.url, idoc, { idempotencyKey: "k-4" });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(sapInboundResponseSchema.parse(await retry.json()).status).toBe("53");
    expect(sap.stock(STOCK)).toBe(300);
    expect(sap.applications("k-4")).toBe(1);
  });

  it("a client timeout while SAP is slow, then a retry with the same key: posted exactly once", async () => {
    const idoc = goodsMovement([sampleItem({ ENTRY_QNT: "50" })]);
    sap.faults.hang(300, { phase: "before" });
    await expect(postIdoc(sap.url, idoc, { idempotencyKey: "k-5", signal: AbortSignal.timeout(50) })).rejects.toThrow();
    // SAP does not notice that the client gave up: the IDoc is still processed.
    await vi.waitFor(() => expect(sap.applications("k-5")).toBe(1), { timeout: 2000, interval: 20 });

    const retry = await sendIdoc(sap.url, idoc, { idempotencyKey: "k-5" });
    expect(retry.status).toBe("53");
    expect(sap.stock(STOCK)).toBe(450);
    expect(sap.counters()).toMatchObject({ processed: 1, replayed: 1 });
  });

  it("rejects an empty key", async () => {
    const response = await fetch(`${sap.url}/sap/idoc/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": " " },
      body: JSON.stringify(goodsMovement([sampleItem()])),
    });
    expect(response.status).toBe(400);
  });
});
