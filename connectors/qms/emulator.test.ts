import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { QmsClient, RestCallError } from "./client";
import { startQmsEmulator, type QmsEmulator } from "./emulator";
import { inspectionResultPayloadSchema, qualityHoldPayloadSchema } from "./schema";
import { qmsSource } from "./source";

/** The QMS/LIMS emulator over HTTP: business rules, idempotency, faults, the source API. */

const NOW = new Date("2026-11-23T07:41:12Z");
let qms: QmsEmulator;
let client: QmsClient;

beforeAll(async () => {
  qms = await startQmsEmulator({ now: () => NOW });
  client = new QmsClient({ baseUrl: qms.url, timeoutMs: 2_000 });
});
afterAll(async () => {
  await qms.close();
});
beforeEach(() => {
  qms.reset();
});

const B118 = { material: "RM-0815", plant: "1000", batch: "B2026-118" };

async function refusal(promise: Promise<unknown>): Promise<RestCallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RestCallError);
  return error as RestCallError;
}

async function lotWithResults(values: number[]) {
  const lot = await client.createInspectionLot({ origin: "01", ...B118, quantity: 400, unit: "KG" });
  const recorded = await client.recordResults(
    lot.inspectionLot,
    values.map((measuredValue, i) => ({ characteristic: `00${i + 1}0`, measuredValue })),
  );
  return { lot, recorded };
}

describe("inspection lots, results and usage decisions", () => {
  it("creates the goods-receipt lot 010000004455 of the sample with the plan's characteristics", async () => {
    const lot = await client.createInspectionLot({ origin: "01", ...B118, quantity: 400, unit: "KG" });
    expect(lot).toMatchObject({ inspectionLot: "010000004455", origin: "01", status: "OPEN", storageLocation: "0001" });
    expect(lot.characteristics.map((c) => c.characteristic)).toEqual(["0010", "0020", "0030"]);
    const production = await client.createInspectionLot({ origin: "04", material: "CH-5500", plant: "4000", batch: "B2026-311", quantity: 1000, unit: "KG" });
    expect(production.inspectionLot).toBe("040000001201");
    // A batch new to QMS arrives in quality-inspection stock; an existing one keeps its stock type.
    expect(qms.batch("CH-5500", "4000", "B2026-311")?.stockType).toBe("QUALITY_INSPECTION");
    expect(qms.batch("RM-0815", "1000", "B2026-118")?.stockType).toBe("UNRESTRICTED");
  });

  it("refuses lots for unknown materials, plants without QMS, units other than the base unit, and a second open lot", async () => {
    expect((await refusal(client.createInspectionLot({ origin: "01", material: "RM-9999", plant: "1000", batch: "X", quantity: 1, unit: "KG" }))).code).toBe(
      "QA-MATERIAL-UNKNOWN",
    );
    expect((await refusal(client.createInspectionLot({ origin: "01", ...B118, plant: "2000", quantity: 1, unit: "KG" }))).code).toBe("QA-PLANT-UNKNOWN");
    expect((await refusal(client.createInspectionLot({ origin: "01", ...B118, plant: "4000", material: "RM-4711", quantity: 1, unit: "PC" }))).code).toBe(
      "QA-NO-PLAN",
    );
    expect((await refusal(client.createInspectionLot({ origin: "01", ...B118, quantity: 1, unit: "DR" }))).code).toBe("QA-UNIT-INVALID");
    await client.createInspectionLot({ origin: "01", ...B118, quantity: 1, unit: "KG" });
    const second = await refusal(client.createInspectionLot({ origin: "01", ...B118, quantity: 1, unit: "KG" }));
    expect(second).toMatchObject({ category: "business", code: "QA-LOT-OPEN", status: 409 });
  });

  it("valuates results against the limits and emits INSPECTION_RESULT once every characteristic has one", async () => {
    const lot = await client.createInspectionLot({ origin: "01", ...B118, quantity: 400, unit: "KG" });
    const partial = await client.recordResults(lot.inspectionLot, [{ characteristic: "0010", measuredValue: 412 }]);
    expect(partial.status).toBe("IN_PROCESS");
    expect(partial.messages).toEqual([]);
    const complete = await client.recordResults(lot.inspectionLot, [
      { characteristic: "0020", measuredValue: 187 },
      { characteristic: "0030", measuredValue: 0.025 },
    ]);
    expect(complete.status).toBe("RESULTS_COMPLETE");
    expect(complete.messages).toHaveLength(1);
    const payload = inspectionResultPayloadSchema.parse(complete.messages[0]!.payload);
    expect(payload).toMatchObject({ inspectionLot: "010000004455", status: "RESULTS_COMPLETE", material: "RM-0815", plant: "1000", batch: "B2026-118" });
    expect(payload.results.map((r) => r.inSpec)).toEqual([false, true, true]);
    expect(payload.usageDecisionCode).toBeUndefined();
    expect(qms.events().map((e) => e.interface)).toEqual(["INSPECTION_RESULT"]);
  });

  it("refuses results for an unknown lot or characteristic", async () => {
    expect((await refusal(client.recordResults("010000009999", [{ characteristic: "0010", measuredValue: 1 }]))).code).toBe("QA-LOT-UNKNOWN");
    const lot = await client.createInspectionLot({ origin: "01", ...B118, quantity: 400, unit: "KG" });
    expect((await refusal(client.recordResults(lot.inspectionLot, [{ characteristic: "0090", measuredValue: 1 }]))).code).toBe("QA-CHAR-UNKNOWN");
  });

  it("a usage decision needs every characteristic recorded", async () => {
    const lot = await client.createInspectionLot({ origin: "01", ...B118, quantity: 400, unit: "KG" });
    await client.recordResults(lot.inspectionLot, [{ characteristic: "0010", measuredValue: 300 }]);
    const error = await refusal(client.makeUsageDecision(lot.inspectionLot, { code: "A01" }));
    expect(error).toMatchObject({
      code: "QA-CHAR-OPEN",
      status: 409,
      message: "Characteristic 0020 (Epoxy equivalent weight) of inspection lot 010000004455 has no result",
    });
  });

  it("accepting out-of-spec results needs the concession code; an unknown code is refused", async () => {
    const { lot } = await lotWithResults([412, 187, 0.025]);
    expect((await refusal(client.makeUsageDecision(lot.inspectionLot, { code: "A01" }))).code).toBe("QA-UD-CONFLICT");
    expect((await refusal(client.makeUsageDecision(lot.inspectionLot, { code: "X9" }))).code).toBe("QA-UD-CODE-UNKNOWN");
    const ud = await client.makeUsageDecision(lot.inspectionLot, { code: "A02" });
    expect(ud.usageDecision).toMatchObject({ code: "A02", valuation: "A", targetStockType: "UNRESTRICTED" });
  });

  it("the same usage decision again is idempotent; another one is refused; results are frozen", async () => {
    const { lot } = await lotWithResults([300, 187, 0.025]);
    const first = await client.makeUsageDecision(lot.inspectionLot, { code: "A01", decidedBy: "QM-HAM" });
    expect(first.unchanged).toBe(false);
    expect(first.messages.map((m) => m.interface)).toEqual(["INSPECTION_RESULT"]);
    const again = await client.makeUsageDecision(lot.inspectionLot, { code: "A01" });
    expect(again).toMatchObject({ unchanged: true, messages: [], usageDecision: first.usageDecision });
    expect((await refusal(client.makeUsageDecision(lot.inspectionLot, { code: "R01" }))).code).toBe("QA-UD-EXISTS");
    expect((await refusal(client.recordResults(lot.inspectionLot, [{ characteristic: "0010", measuredValue: 1 }]))).code).toBe("QA-UD-EXISTS");
    expect(qms.events().filter((e) => e.interface === "INSPECTION_RESULT")).toHaveLength(2);
  });

  it("a rejection blocks the batch and puts it on hold (QUALITY_HOLD HOLD with the usage decision)", async () => {
    const { lot } = await lotWithResults([412, 187, 0.025]);
    const ud = await client.makeUsageDecision(lot.inspectionLot, { code: "R01" });
    expect(ud.messages.map((m) => m.interface)).toEqual(["INSPECTION_RESULT", "QUALITY_HOLD"]);
    const hold = qualityHoldPayloadSchema.parse(ud.messages[1]!.payload);
    expect(hold).toMatchObject({
      action: "HOLD",
      fromStockType: "UNRESTRICTED",
      targetStockType: "BLOCKED",
      usageDecisionCode: "R01",
      inspectionLot: lot.inspectionLot,
    });
    expect(qms.batch(B118.material, B118.plant, B118.batch)).toMatchObject({ stockType: "BLOCKED", holdNumber: hold.holdNumber });
    // A rejected batch cannot simply be released.
    expect((await refusal(client.releaseHold(B118))).code).toBe("QA-UD-REJECTED");
  });
});

describe("quality holds", () => {
  it("holds and releases a batch; each produces one QUALITY_HOLD", async () => {
    const held = await client.placeHold({ ...B118, reason: "Customer complaint 8000123", reasonCode: "COMPLAINT" });
    expect(held).toMatchObject({ holdNumber: "QH00000001", status: "ON_HOLD", holdStockType: "BLOCKED" });
    expect(held.messages[0]!.payload).toEqual({
      holdNumber: "QH00000001",
      action: "HOLD",
      ...B118,
      storageLocation: "0001",
      fromStockType: "UNRESTRICTED",
      targetStockType: "BLOCKED",
      quantity: 400,
      unit: "KG",
      reason: "Customer complaint 8000123",
      reasonCode: "COMPLAINT",
      occurredAt: "2026-11-23T07:41:12Z",
    });
    const released = await client.releaseHold({ ...B118, reason: "Complaint not justified" });
    expect(released).toMatchObject({ status: "RELEASED", releaseStockType: "UNRESTRICTED" });
    expect(qualityHoldPayloadSchema.parse(released.messages[0]!.payload)).toMatchObject({
      holdNumber: "QH00000001",
      action: "RELEASE",
      fromStockType: "BLOCKED",
      targetStockType: "UNRESTRICTED",
    });
    expect(qms.events().map((e) => `${e.interface}:${(e.payload as { action?: string }).action}`)).toEqual(["QUALITY_HOLD:HOLD", "QUALITY_HOLD:RELEASE"]);
  });

  it("refuses a hold of a batch unknown to QMS, a second hold, and a release of a batch not on hold", async () => {
    const unknown = await refusal(client.placeHold({ ...B118, batch: "B2026-999", reason: "x" }));
    expect(unknown).toMatchObject({
      category: "business",
      status: 404,
      code: "QA-BATCH-UNKNOWN",
      message: "Batch B2026-999 of material RM-0815 in plant 1000 is unknown to QMS",
    });
    expect((await refusal(client.releaseHold({ ...B118, batch: "B2026-999" }))).code).toBe("QA-BATCH-UNKNOWN");
    expect((await refusal(client.releaseHold(B118))).code).toBe("QA-BATCH-NOT-ON-HOLD");
    await client.placeHold({ ...B118, reason: "x" });
    expect((await refusal(client.placeHold({ ...B118, reason: "again" }))).code).toBe("QA-BATCH-ON-HOLD");
    expect((await refusal(client.placeHold({ ...B118, batch: "B2026-097", reason: "x", inspectionLot: "040000001200" }))).code).toBe("QA-LOT-MISMATCH");
  });

  it("out-of-spec results without usage decision cannot be released; with one they can", async () => {
    const source = qmsSource(qms.url);
    const { inspectionLot, qualityHold } = await source.outOfSpecHold({ ...B118, quantity: 400, unit: "KG" });
    expect(qualityHold).toMatchObject({ action: "HOLD", inspectionLot, reasonCode: "OOS", targetStockType: "BLOCKED" });
    expect(qualityHold.reason).toBe("Viscosity at 25 °C out of specification (measured 413 cP, limit 350 cP)");
    const error = await refusal(client.releaseHold(B118));
    expect(error).toMatchObject({
      code: "QA-UD-MISSING",
      message: `Inspection characteristic 0010 out of specification without usage decision (lot ${inspectionLot})`,
    });

    // Usage decision "accepted with concession" releases the hold itself.
    const messages = await source.makeUsageDecision(inspectionLot, "A02");
    expect(messages.map((m) => m.interface)).toEqual(["INSPECTION_RESULT", "QUALITY_HOLD"]);
    expect(messages[1]!.payload).toMatchObject({
      action: "RELEASE",
      usageDecisionCode: "A02",
      targetStockType: "UNRESTRICTED",
      holdNumber: qualityHold.holdNumber,
    });
    expect(qms.batch(B118.material, B118.plant, B118.batch)).toMatchObject({ stockType: "UNRESTRICTED" });
    expect(qms.batch(B118.material, B118.plant, B118.batch)?.holdNumber).toBeUndefined();
  });

  it("a release while an in-spec inspection lot is still undecided goes to quality-inspection stock", async () => {
    await client.placeHold({ ...B118, reason: "Supplier notice" });
    const lot = await client.createInspectionLot({ origin: "01", ...B118, quantity: 400, unit: "KG" });
    await client.recordResults(lot.inspectionLot, [{ characteristic: "0010", measuredValue: 300 }]);
    const released = await client.releaseHold(B118);
    expect(released.messages[0]!.payload).toMatchObject({ action: "RELEASE", targetStockType: "QUALITY_INSPECTION", inspectionLot: lot.inspectionLot });
  });
});

describe("Idempotency-Key", () => {
  it("the same hold three times concurrently is applied once and answered the same", async () => {
    const body = { ...B118, reason: "Viscosity out of specification" };
    const answers = await Promise.all([1, 2, 3].map(() => client.placeHold(body, { idempotencyKey: "qh-1" })));
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(qms.applications("qh-1")).toBe(1);
    expect(qms.state.holds.size).toBe(1);
    expect(qms.events()).toHaveLength(1);
    expect(qms.counters()).toMatchObject({ processed: 1, replayed: 2 });
  });

  it("a sequential repeat answers the first answer (also a refusal) with Idempotent-Replayed; other content → 422", async () => {
    const body = { ...B118, reason: "x" };
    const first = await fetch(`${qms.url}/qms/api/v1/quality-holds`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "qh-2" },
      body: JSON.stringify(body),
    });
    expect(first.status).toBe(201);
    const repeat = await fetch(`${qms.url}/qms/api/v1/quality-holds`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "qh-2" },
      body: JSON.stringify(body),
    });
    expect(repeat.status).toBe(201);
    expect(repeat.headers.get("idempotent-replayed")).toBe("true");
    expect(await repeat.json()).toEqual(await first.json());

    const reused = await refusal(client.placeHold({ ...body, reason: "y" }, { idempotencyKey: "qh-2" }));
    expect(reused).toMatchObject({ status: 422, code: "IDEMPOTENCY_KEY_REUSED", category: "business" });

    // A refusal is stored under its key too.
    expect((await refusal(client.releaseHold({ ...B118, batch: "B2026-097" }, { idempotencyKey: "rel-1" }))).code).toBe("QA-BATCH-NOT-ON-HOLD");
    await client.placeHold({ ...B118, batch: "B2026-097", reason: "x" });
    expect((await refusal(client.releaseHold({ ...B118, batch: "B2026-097" }, { idempotencyKey: "rel-1" }))).code).toBe("QA-BATCH-NOT-ON-HOLD");
    expect(qms.applications("rel-1")).toBe(1);
  });
});

describe("dry run (X-Dry-Run: true)", () => {
  it("validates a hold against the real state and keeps nothing; a refusal is answered as it would be", async () => {
    const before = JSON.stringify([[...qms.state.holds.entries()], [...qms.state.batches.entries()], qms.events()]);
    const dry = (body: unknown) =>
      fetch(`${qms.url}/qms/api/v1/quality-holds`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-dry-run": "true" },
        body: JSON.stringify(body),
      });
    const would = await dry({ ...B118, reason: "x" });
    expect(would.status).toBe(201);
    expect(would.headers.get("dry-run")).toBe("true");
    const refused = await dry({ ...B118, batch: "B2026-999", reason: "x" });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.status).toBeLessThan(500);
    expect(JSON.stringify([[...qms.state.holds.entries()], [...qms.state.batches.entries()], qms.events()])).toBe(before);
    // The real write still applies afterwards.
    expect((await client.placeHold({ ...B118, reason: "x" }, { idempotencyKey: "after-dry" })).status).toBeDefined();
    expect(qms.state.holds.size).toBe(1);
  });
});

describe("faults", () => {
  it("unavailable: 503 with Retry-After, technical, nothing applied, key not used up", async () => {
    qms.faults.unavailable(1, 7);
    const error = await refusal(client.placeHold({ ...B118, reason: "x" }, { idempotencyKey: "k1" }));
    expect(error).toMatchObject({ category: "technical", code: "HTTP-503", status: 503, retryAfterMs: 7000 });
    expect(qms.state.holds.size).toBe(0);
    await client.placeHold({ ...B118, reason: "x" }, { idempotencyKey: "k1" });
    expect(qms.applications("k1")).toBe(1);
  });

  it("close before: connection dropped, nothing applied", async () => {
    qms.faults.dropConnection();
    expect(await refusal(client.placeHold({ ...B118, reason: "x" }))).toMatchObject({ category: "technical", code: "CONNECTION" });
    expect(qms.state.holds.size).toBe(0);
  });

  it("close after: applied, answer lost; the retry with the same key answers the stored hold and applies once", async () => {
    qms.faults.dropConnection({ phase: "after" });
    expect((await refusal(client.placeHold({ ...B118, reason: "x" }, { idempotencyKey: "k2" }))).category).toBe("technical");
    expect(qms.batch(B118.material, B118.plant, B118.batch)?.stockType).toBe("BLOCKED");
    const retry = await client.placeHold({ ...B118, reason: "x" }, { idempotencyKey: "k2" });
    expect(retry.holdNumber).toBe("QH00000001");
    expect(qms.applications("k2")).toBe(1);
    expect(qms.events()).toHaveLength(1);
  });

  it("hang before past the client's timeout: still processed; hang after: processed, then late", async () => {
    const impatient = new QmsClient({ baseUrl: qms.url, timeoutMs: 50 });
    qms.faults.hang(300);
    expect((await refusal(impatient.placeHold({ ...B118, reason: "x" }, { idempotencyKey: "k3" }))).code).toBe("TIMEOUT");
    await vi.waitFor(() => expect(qms.applications("k3")).toBe(1), { timeout: 2_000, interval: 20 });

    qms.faults.hang(5_000, { phase: "after" });
    expect((await refusal(impatient.releaseHold(B118, { idempotencyKey: "k4" }))).code).toBe("TIMEOUT");
    expect(qms.applications("k4")).toBe(1);
    expect(qms.batch(B118.material, B118.plant, B118.batch)?.stockType).toBe("UNRESTRICTED");
    qms.reset();
  });

  it("faults can be injected over the control endpoint", async () => {
    const res = await fetch(`${qms.url}/qms/_emulator/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fault: { kind: "unavailable" }, count: 2 }),
    });
    expect(res.status).toBe(200);
    expect(qms.faults.pending()).toEqual([{ fault: { kind: "unavailable" }, remaining: 2 }]);
    expect((await refusal(client.batches())).code).toBe("HTTP-503");
  });
});

describe("protocol", () => {
  it("answers problem+json for invalid bodies, unknown routes and wrong methods", async () => {
    const invalid = await fetch(`${qms.url}/qms/api/v1/quality-holds`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get("content-type")).toBe("application/problem+json");
    const body = (await invalid.json()) as { code: string; errors: { path: string }[]; type: string };
    expect(body.code).toBe("VALIDATION_FAILED");
    expect(body.type).toBe("urn:qms:problem:VALIDATION_FAILED");
    expect(body.errors.map((e) => e.path)).toContain("/reason");
    expect((await fetch(`${qms.url}/qms/api/v1/nothing`)).status).toBe(404);
    expect((await fetch(`${qms.url}/qms/api/v1/quality-holds`, { method: "DELETE" })).status).toBe(405);
    expect(((await (await fetch(`${qms.url}/qms/api/v1/quality-holds/QH99999999`)).json()) as { code: string }).code).toBe("QA-HOLD-UNKNOWN");
  });

  it("the outbound feed pages by seq", async () => {
    await client.placeHold({ ...B118, reason: "x" });
    await client.releaseHold(B118);
    const page = await client.events(0, 1);
    expect(page.events.map((e) => e.seq)).toEqual([1]);
    const next = await client.events(page.last);
    expect(next.events.map((e) => e.seq)).toEqual([2]);
    expect((await client.events(next.last)).events).toEqual([]);
  });

  it("seeds batches through the control endpoint", async () => {
    const res = await fetch(`${qms.url}/qms/_emulator/batches`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ material: "RM-7020", plant: "4000", batch: "B2026-202", quantity: 200, unit: "L" }),
    });
    expect(res.status).toBe(200);
    expect(await client.batches({ batch: "B2026-202" })).toEqual([
      { material: "RM-7020", plant: "4000", batch: "B2026-202", storageLocation: "0001", quantity: 200, unit: "L", stockType: "UNRESTRICTED" },
    ]);
  });
});
