import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { parseAcknowledge, parseConfirmBod } from "./b2mml";
import { startMesEmulator, type MesEmulator } from "./emulator";
import { prodordReleaseToB2mml } from "./release";
import { PRODORD_RELEASE_SAMPLE } from "./samples";

/** Idempotency (Idempotency-Key and the native BODID) and fault injection. */

let mes: MesEmulator;
beforeAll(async () => {
  mes = await startMesEmulator({ now: () => new Date("2026-11-24T08:30:00Z") });
});
afterAll(async () => {
  await mes.close();
});
beforeEach(() => mes.reset());

const schedule = (bodId: string, quantity = 250) =>
  prodordReleaseToB2mml({ ...PRODORD_RELEASE_SAMPLE, quantity }, { bodId, creationDateTime: "2026-11-23T08:15:02Z" });

function postSchedule(xml: string, init: { key?: string; signal?: AbortSignal } = {}) {
  return fetch(`${mes.url}/mes/b2mml/production-schedule`, {
    method: "POST",
    headers: { "content-type": "application/xml", ...(init.key ? { "idempotency-key": init.key } : {}) },
    body: xml,
    signal: init.signal,
  });
}

function postConfirmation(body: object, init: { key?: string; signal?: AbortSignal } = {}) {
  return fetch(`${mes.url}/mes/api/orders/1004711/operations/0010/confirmations`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(init.key ? { "idempotency-key": init.key } : {}) },
    body: JSON.stringify(body),
    signal: init.signal,
  });
}

describe("idempotency of production schedules", () => {
  it("the same key three times concurrently creates the order once and answers the same three times", async () => {
    const responses = await Promise.all([1, 2, 3].map(() => postSchedule(schedule("b-1"), { key: "rel-1" })));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect(responses.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(2);
    expect(mes.applications("rel-1")).toBe(1);
    expect(mes.counters()).toMatchObject({ requests: 3, processed: 1, replayed: 2 });
    expect(mes.order("1004711")?.revision).toBe(1);
  });

  it("without a header the BODID (per sender) is the key: a resend is answered from the store", async () => {
    const first = await (await postSchedule(schedule("bod-7"))).text();
    const resend = await postSchedule(schedule("bod-7"));
    expect(resend.headers.get("idempotent-replayed")).toBe("true");
    expect(await resend.text()).toBe(first);
    expect(mes.applications("bod:ANDON:bod-7")).toBe(1);
  });

  it("the same key (or BODID) with different content is refused with 422 MES-BOD-001", async () => {
    await postSchedule(schedule("b-2"), { key: "rel-2" });
    const reused = await postSchedule(schedule("b-3", 300), { key: "rel-2" });
    expect(reused.status).toBe(422);
    expect(parseConfirmBod(await reused.text())).toMatchObject({ code: "MES-BOD-001" });
    const bodReused = await postSchedule(schedule("b-2", 300));
    expect(bodReused.status).toBe(422);
    expect(parseConfirmBod(await bodReused.text()).message).toMatch(/BODID b-2 from ANDON was already used/);
    expect(mes.order("1004711")?.quantity).toBe(250);
  });

  it("a refusal is stored under its key too: the fix needs a new key", async () => {
    const st = prodordReleaseToB2mml({ ...PRODORD_RELEASE_SAMPLE, unit: "ST" }, { bodId: "u-1" });
    expect((await postSchedule(st, { key: "uom-1" })).status).toBe(422);
    expect((await postSchedule(st, { key: "uom-1" })).headers.get("idempotent-replayed")).toBe("true");
    expect(mes.applications("uom-1")).toBe(1);
    expect((await postSchedule(schedule("u-2"), { key: "uom-2" })).status).toBe(200);
  });

  it("confirmations: the same key concurrently records one confirmation; another body with it is 422", async () => {
    await postSchedule(schedule("b-4"));
    const responses = await Promise.all([1, 2, 3].map(() => postConfirmation({ yield: 10 }, { key: "conf-1" })));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(mes.confirmations()).toHaveLength(1);
    expect(mes.order("1004711")?.operations[0]?.confirmedYield).toBe(10);
    const other = await postConfirmation({ yield: 11 }, { key: "conf-1" });
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("MES-API-004");
    // Without a key each terminal entry is a new confirmation.
    await postConfirmation({ yield: 1 });
    await postConfirmation({ yield: 1 });
    expect(mes.confirmations()).toHaveLength(3);
  });

  it("rejects an empty key", async () => {
    expect((await postSchedule(schedule("b-5"), { key: " " })).status).toBe(400);
  });
});

describe("faults", () => {
  it("unavailable: 503 with Retry-After, nothing applied, the key stays unused", async () => {
    mes.faults.unavailable(2, 7);
    for (const attempt of [1, 2]) {
      const response = await postSchedule(schedule("f-1"), { key: "f-1" });
      expect(response.status, `attempt ${attempt}`).toBe(503);
      expect(response.headers.get("retry-after")).toBe("7");
    }
    expect(mes.order("1004711")).toBeUndefined();
    expect(mes.applications("f-1")).toBe(0);
    expect((await postSchedule(schedule("f-1"), { key: "f-1" })).status).toBe(200);
  });

  it("close before processing: no answer and nothing applied", async () => {
    mes.faults.dropConnection();
    await expect(postSchedule(schedule("f-2"), { key: "f-2" })).rejects.toThrow(/fetch failed/);
    expect(mes.order("1004711")).toBeUndefined();
  });

  it("close after processing (lost answer): the order exists; the retry with the same key applies once", async () => {
    mes.faults.dropConnection({ phase: "after" });
    await expect(postSchedule(schedule("f-3"), { key: "f-3" })).rejects.toThrow(/fetch failed/);
    expect(mes.order("1004711")?.status).toBe("RELEASED");
    const retry = await postSchedule(schedule("f-3"), { key: "f-3" });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(parseAcknowledge(await retry.text()).code).toBe("Accepted");
    expect(mes.applications("f-3")).toBe(1);
    expect(mes.order("1004711")?.revision).toBe(1);
  });

  it("lost answer of a confirmation: the retry with the same key does not confirm twice", async () => {
    await postSchedule(schedule("f-4"));
    mes.faults.dropConnection({ phase: "after" });
    await expect(postConfirmation({ yield: 50 }, { key: "c-lost" })).rejects.toThrow(/fetch failed/);
    const retry = await postConfirmation({ yield: 50 }, { key: "c-lost" });
    expect(retry.status).toBe(201);
    expect(mes.confirmations()).toHaveLength(1);
    expect(mes.order("1004711")?.operations[0]?.confirmedYield).toBe(50);
  });

  it("hang before: the client gives up, the MES still processes; reset() drops a waiting request", async () => {
    mes.faults.hang(300);
    await expect(postSchedule(schedule("f-5"), { key: "f-5", signal: AbortSignal.timeout(50) })).rejects.toThrow(/timeout|aborted/i);
    await vi.waitFor(() => expect(mes.applications("f-5")).toBe(1), { timeout: 2000, interval: 20 });
    const retry = await postSchedule(schedule("f-5"), { key: "f-5" });
    expect(retry.headers.get("idempotent-replayed")).toBe("true");

    mes.reset();
    mes.faults.hang(10_000);
    await expect(postSchedule(schedule("f-6"), { key: "f-6", signal: AbortSignal.timeout(50) })).rejects.toThrow(/timeout|aborted/i);
    mes.reset();
    expect(mes.counters().processed).toBe(0);
  });

  it("hang after: applied at once, answered late", async () => {
    mes.faults.hang(5_000, { phase: "after" });
    await expect(postSchedule(schedule("f-7"), { key: "f-7", signal: AbortSignal.timeout(50) })).rejects.toThrow(/timeout|aborted/i);
    expect(mes.order("1004711")?.status).toBe("RELEASED");
  });

  it("faults also hit the performance feed (a polling connector sees the outage)", async () => {
    mes.faults.unavailable();
    expect((await fetch(`${mes.url}/mes/b2mml/production-performance`)).status).toBe(503);
    expect((await fetch(`${mes.url}/mes/b2mml/production-performance`)).status).toBe(200);
  });
});

describe("controls over HTTP (for a simulator in another process)", () => {
  const post = (path: string, body: unknown) =>
    fetch(`${mes.url}/mes/_emulator/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("injects, lists and clears faults; refuses nonsense", async () => {
    expect((await post("faults", { fault: { kind: "close", phase: "after" }, count: 2 })).status).toBe(200);
    expect(mes.faults.pending()).toEqual([{ fault: { kind: "close", phase: "after" }, remaining: 2 }]);
    expect(((await (await fetch(`${mes.url}/mes/_emulator/faults`)).json()) as { pending: unknown[] }).pending).toHaveLength(1);
    await fetch(`${mes.url}/mes/_emulator/faults`, { method: "DELETE" });
    expect(mes.faults.pending()).toEqual([]);
    expect((await post("faults", { fault: { kind: "explode" } })).status).toBe(400);
    expect(() => mes.faults.unavailable(0)).toThrow(RangeError);
  });

  it("seeds sites, work centres and orders, and resets", async () => {
    expect((await post("sites", { plant: "2000", timeZone: "America/New_York", workCentres: ["WC-MILL-01"] })).status).toBe(200);
    const seeded = await post("orders", {
      ...PRODORD_RELEASE_SAMPLE,
      orderNumber: "2001001",
      plant: "2000",
      material: "FG-3100",
      quantity: 60,
      operations: [{ operation: "0010", workCentre: "WC-MILL-01" }],
      components: undefined,
    });
    expect(seeded.status).toBe(200);
    expect(mes.order("2001001")?.status).toBe("RELEASED");
    expect((await post("orders", { ...PRODORD_RELEASE_SAMPLE, unit: "ST" })).status).toBe(422);
    expect((await post("reset", {})).status).toBe(200);
    expect(mes.order("2001001")).toBeUndefined();
  });
});
