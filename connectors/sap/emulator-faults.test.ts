import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSapEmulator, type SapEmulator } from "./emulator";
import { classifyIdocStatus } from "./status";
import { goodsMovement, postIdoc, readSample, sampleItem, sendIdoc } from "./test-support";

/** Fault injection for technical failures, and recovering from them. */

let sap: SapEmulator;

beforeAll(async () => {
  sap = await startSapEmulator({ now: () => new Date("2026-11-23T09:30:00Z") });
});
afterAll(async () => {
  await sap.close();
});
beforeEach(() => {
  sap.reset();
});

const STOCK = { material: "RM-4711", plant: "1000", storageLocation: "0001" };

describe("fault injection", () => {
  it("unavailable: HTTP 503 with Retry-After for the next N requests, nothing posted", async () => {
    sap.faults.unavailable(2, 5);
    const idoc = goodsMovement([sampleItem({ ENTRY_QNT: "10" })]);
    for (const attempt of [1, 2]) {
      const response = await postIdoc(sap.url, idoc, { idempotencyKey: "k" });
      expect(response.status, `attempt ${attempt}`).toBe(503);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("SERVICE_UNAVAILABLE");
    }
    expect(sap.stock(STOCK)).toBe(500);
    expect(sap.applications("k")).toBe(0);

    expect((await sendIdoc(sap.url, idoc, { idempotencyKey: "k" })).status).toBe("53");
    expect(sap.stock(STOCK)).toBe(490);
  });

  it("hang: the answer comes N ms late (once, whichever the phase)", async () => {
    sap.faults.hang(150);
    const started = performance.now();
    const answer = await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1" })]));
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(290);
    expect(answer.status).toBe("53");

    const quick = performance.now();
    await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1" })]));
    expect(performance.now() - quick).toBeLessThan(140);
  });

  it("hang past the client's timeout makes the client fail; reset() drops the waiting request", async () => {
    sap.faults.hang(10_000);
    await expect(postIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1" })]), { signal: AbortSignal.timeout(50) })).rejects.toThrow(/timeout|aborted/i);
    sap.reset();
    expect(sap.counters().processed).toBe(0);
    expect(sap.stock(STOCK)).toBe(500);
  });

  it("hang after processing: the client times out but the IDoc is already posted", async () => {
    sap.faults.hang(5_000, { phase: "after" });
    await expect(postIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "10" })]), { signal: AbortSignal.timeout(50) })).rejects.toThrow(/timeout|aborted/i);
    expect(sap.stock(STOCK)).toBe(490);
    expect(sap.counters()).toMatchObject({ requests: 1, processed: 1 });
  });

  it("close before processing: the connection drops and nothing is posted", async () => {
    sap.faults.dropConnection();
    await expect(postIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "10" })]))).rejects.toThrow(/fetch failed/);
    expect(sap.stock(STOCK)).toBe(500);
    expect(sap.counters()).toMatchObject({ requests: 1, processed: 0 });
  });

  it("close after processing: the connection drops but the IDoc is posted", async () => {
    sap.faults.dropConnection({ phase: "after" });
    const idoc = goodsMovement([sampleItem({ ENTRY_QNT: "10" })]);
    await expect(postIdoc(sap.url, idoc)).rejects.toThrow(/fetch failed/);
    expect(sap.stock(STOCK)).toBe(490);
    // Without a key the resend is recognised by sender + DOCNUM and not posted again.
    expect((await sendIdoc(sap.url, idoc)).status).toBe("68");
    expect(sap.stock(STOCK)).toBe(490);
  });

  it("status 02 for the next N IDocs: a technical failure, nothing reaches the application", async () => {
    sap.faults.status02(2);
    const idoc = goodsMovement([sampleItem({ ENTRY_QNT: "10" })]);
    for (const attempt of [1, 2]) {
      const answer = await sendIdoc(sap.url, idoc, { idempotencyKey: "k-02" });
      expect(answer.status, `attempt ${attempt}`).toBe("02");
      expect(answer.statusRecords).toEqual([expect.objectContaining({ STATUS: "02", STATXT: "Error passing data to port", DOCNUM: idoc.control.DOCNUM })]);
      expect(classifyIdocStatus(answer.statusRecords)).toMatchObject({ category: "technical", code: "IDOC-02", message: "Error passing data to port" });
    }
    expect(sap.stock(STOCK)).toBe(500);
    expect(sap.applications("k-02")).toBe(0);
    expect(sap.idocStatus(idoc.control.DOCNUM)).toEqual([]);

    const third = await sendIdoc(sap.url, idoc, { idempotencyKey: "k-02" });
    expect(third.status).toBe("53");
    expect(sap.stock(STOCK)).toBe(490);
  });

  it("status 02 can carry the port's error text", async () => {
    sap.faults.status02(1, "Error when opening an RFC connection");
    const answer = await sendIdoc(sap.url, goodsMovement([sampleItem()]));
    expect(answer.statusRecords[0]?.STATXT).toBe("Error when opening an RFC connection");
  });

  it("faults apply in the order injected, and clear() removes pending ones", async () => {
    sap.faults.unavailable();
    sap.faults.status02();
    expect(sap.faults.pending().map((p) => p.fault.kind)).toEqual(["unavailable", "status02"]);
    expect((await postIdoc(sap.url, goodsMovement([sampleItem()]))).status).toBe(503);
    expect((await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1" })]))).status).toBe("02");

    sap.faults.inject({ kind: "unavailable" }, Infinity);
    expect((await postIdoc(sap.url, goodsMovement([sampleItem()]))).status).toBe(503);
    expect((await postIdoc(sap.url, goodsMovement([sampleItem()]))).status).toBe(503);
    sap.faults.clear();
    expect((await sendIdoc(sap.url, goodsMovement([sampleItem({ ENTRY_QNT: "1" })]))).status).toBe("53");
  });

  it("rejects faults that make no sense", () => {
    expect(() => sap.faults.hang(-1)).toThrow();
    expect(() => sap.faults.unavailable(0)).toThrow(RangeError);
  });
});

describe("recovering from a business failure", () => {
  it("adjusting stock makes the deficit disappear and the replay post", async () => {
    const sample = readSample("sap-mbgmcr-goods-movement.json");
    const failed = await sendIdoc(sap.url, sample, { idempotencyKey: "attempt-1" });
    expect(classifyIdocStatus(failed.statusRecords)).toMatchObject({ category: "business", code: "M7-021" });

    expect(sap.adjustStock(STOCK, 12)).toBe(512);
    const replay = await sendIdoc(sap.url, sample, { idempotencyKey: "attempt-2" });
    expect(replay.status).toBe("53");
    expect(sap.stock(STOCK)).toBe(0);
  });
});

describe("controls over HTTP (for a plant simulator in another process)", () => {
  it("injects faults, lists and clears them", async () => {
    const inject = await fetch(`${sap.url}/sap/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fault: { kind: "status02" }, count: 1 }),
    });
    expect(inject.status).toBe(200);
    expect((await sendIdoc(sap.url, goodsMovement([sampleItem()]))).status).toBe("02");

    await fetch(`${sap.url}/sap/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fault: { kind: "unavailable" } }),
    });
    expect(((await (await fetch(`${sap.url}/sap/_emulator/faults`)).json()) as { pending: unknown[] }).pending).toHaveLength(1);
    await fetch(`${sap.url}/sap/_emulator/faults`, { method: "DELETE" });
    expect(sap.faults.pending()).toEqual([]);

    const invalid = await fetch(`${sap.url}/sap/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fault: { kind: "explode" } }),
    });
    expect(invalid.status).toBe(400);
  });

  it("sets and adjusts stock, and resets", async () => {
    const post = (body: unknown) =>
      fetch(`${sap.url}/sap/_emulator/stock`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(await (await post({ ...STOCK, quantity: 512 })).json()).toEqual({ quantity: 512 });
    expect(await (await post({ ...STOCK, delta: -2 })).json()).toEqual({ quantity: 510 });
    expect((await post({ ...STOCK })).status).toBe(400);
    expect((await fetch(`${sap.url}/sap/_emulator/reset`, { method: "POST" })).status).toBe(200);
    expect(sap.stock(STOCK)).toBe(500);
  });
});
