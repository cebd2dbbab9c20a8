import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validatePayload } from "../../server/corrections/validate";
import { startQmsEmulator, type QmsEmulator } from "./emulator";
import {
  fromQmsHoldEvent,
  INSPECTION_RESULT_JSON_SCHEMA,
  inspectionResultPayloadSchema,
  QMS_PAYLOAD_SCHEMAS,
  QUALITY_HOLD_JSON_SCHEMA,
  qualityHoldPayloadSchema,
} from "./schema";
import { qmsSource } from "./source";

/**
 * Contract of the QUALITY_HOLD and INSPECTION_RESULT JSON forms: the fixtures and every message the
 * emulator emits satisfy the zod schemas and the exported JSON Schemas, checked by the portal's
 * validator (server/corrections/validate.ts, i.e. @cfworker/json-schema — code nobody here wrote);
 * zod and the JSON Schema agree on what they refuse, except the refinements JSON Schema cannot say.
 */

const fixture = (name: string) => JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8")) as Record<string, unknown>;

describe("fixtures and the shared sample", () => {
  it("the fixtures are valid under zod and under the JSON Schema", () => {
    const hold = fixture("quality-hold.json");
    const result = fixture("inspection-result.json");
    expect(qualityHoldPayloadSchema.safeParse(hold).success).toBe(true);
    expect(inspectionResultPayloadSchema.safeParse(result).success).toBe(true);
    expect(validatePayload(QUALITY_HOLD_JSON_SCHEMA, hold)).toEqual([]);
    expect(validatePayload(INSPECTION_RESULT_JSON_SCHEMA, result)).toEqual([]);
    expect(Object.keys(QMS_PAYLOAD_SCHEMAS)).toEqual(["QUALITY_HOLD", "INSPECTION_RESULT"]);
  });

  it("the shared sample's event (lot, block, Andon plant code) converts to a QUALITY_HOLD payload", () => {
    const converted = fromQmsHoldEvent(fixture("qms-quality-hold.json"));
    expect(converted).toEqual({
      action: "HOLD",
      material: "RM-0815",
      plant: "4000",
      batch: "B2026-118",
      targetStockType: "BLOCKED",
      reason: "Viscosity out of specification (measured 412 cP, limit 350 cP)",
      inspectionLot: "010000004455",
      occurredAt: "2026-11-23T07:41:12Z",
    });
    expect(validatePayload(QUALITY_HOLD_JSON_SCHEMA, converted)).toEqual([]);
    // The sample itself is not the payload form: the validator says why.
    expect(validatePayload(QUALITY_HOLD_JSON_SCHEMA, fixture("qms-quality-hold.json")).map((i) => i.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('"batch"'), expect.stringContaining('"targetStockType"')]),
    );
  });
});

describe("what the emulator emits", () => {
  let qms: QmsEmulator;
  beforeAll(async () => {
    qms = await startQmsEmulator();
  });
  afterAll(async () => {
    await qms.close();
  });

  it("every QUALITY_HOLD and INSPECTION_RESULT of a day's work validates", async () => {
    const source = qmsSource(qms.url);
    const { inspectionLot } = await source.outOfSpecHold({ material: "RM-0815", plant: "1000", batch: "B2026-118", quantity: 400, unit: "KG" });
    await source.makeUsageDecision(inspectionLot, "R01");
    const lot = await source.createInspectionLot({ origin: "04", material: "CH-5500", plant: "4000", batch: "B2026-311", quantity: 1800, unit: "KG" });
    await source.recordResults(lot.inspectionLot, [
      { characteristic: "0010", measuredValue: 9.8 },
      { characteristic: "0020", measuredValue: 1.13 },
    ]);
    await source.makeUsageDecision(lot.inspectionLot, "A01");
    await source.placeHold({ material: "RM-7020", plant: "4000", batch: "B2026-201", reason: "Drum seal damaged", targetStockType: "QUALITY_INSPECTION" });
    await source.releaseHold({ material: "RM-7020", plant: "4000", batch: "B2026-201" });

    const { events } = await source.poll();
    expect(events.map((e) => e.interface)).toEqual([
      "INSPECTION_RESULT",
      "QUALITY_HOLD",
      "INSPECTION_RESULT",
      "INSPECTION_RESULT",
      "INSPECTION_RESULT",
      "QUALITY_HOLD",
      "QUALITY_HOLD",
    ]);
    for (const event of events) {
      const [zodSchema, jsonSchema] =
        event.interface === "QUALITY_HOLD"
          ? [qualityHoldPayloadSchema, QUALITY_HOLD_JSON_SCHEMA]
          : [inspectionResultPayloadSchema, INSPECTION_RESULT_JSON_SCHEMA];
      expect(zodSchema.safeParse(event.payload).error?.issues ?? [], `seq ${event.seq}`).toEqual([]);
      expect(validatePayload(jsonSchema, event.payload), `seq ${event.seq}`).toEqual([]);
    }
  });
});

describe("zod and JSON Schema agree on refusals", () => {
  const hold = fixture("quality-hold.json");
  const result = fixture("inspection-result.json");
  const holdCases: [string, Record<string, unknown>][] = [
    ["HOLD to unrestricted", { ...hold, targetStockType: "UNRESTRICTED" }],
    ["RELEASE to blocked", { ...hold, action: "RELEASE", targetStockType: "BLOCKED" }],
    ["quantity without unit", { ...hold, unit: undefined }],
    ["the sample's action word", { ...hold, action: "block" }],
    ["plant as Andon code", { ...hold, plant: "PL-WRO" }],
    ["batch longer than SAP's 10", { ...hold, batch: "B2026-118-XYZ" }],
    ["unknown property", { ...hold, lot: "B2026-118" }],
    ["no reason", { ...hold, reason: undefined }],
    ["inspection lot of another origin", { ...hold, inspectionLot: "030000004455" }],
  ];
  const resultCases: [string, Record<string, unknown>][] = [
    ["DECIDED without usage decision code", { ...result, usageDecisionCode: undefined }],
    ["RESULTS_COMPLETE with a usage decision", { ...result, status: "RESULTS_COMPLETE" }],
    ["no results", { ...result, results: [] }],
    ["measured value as text", { ...result, results: [{ ...(result.results as object[])[0], measuredValue: "412" }] }],
    ["usage decision valuation Q", { ...result, usageDecision: "Q" }],
  ];

  it.each(holdCases)("QUALITY_HOLD: %s", (_name, payload) => {
    const clean = JSON.parse(JSON.stringify(payload)) as unknown;
    expect(qualityHoldPayloadSchema.safeParse(clean).success).toBe(false);
    expect(validatePayload(QUALITY_HOLD_JSON_SCHEMA, clean)).not.toEqual([]);
  });

  it.each(resultCases)("INSPECTION_RESULT: %s", (_name, payload) => {
    const clean = JSON.parse(JSON.stringify(payload)) as unknown;
    expect(inspectionResultPayloadSchema.safeParse(clean).success).toBe(false);
    expect(validatePayload(INSPECTION_RESULT_JSON_SCHEMA, clean)).not.toEqual([]);
  });

  it("known gap: inSpec inconsistent with the limits, and code/valuation mismatch, only zod sees", () => {
    const inconsistent = { ...result, results: [{ ...(result.results as object[])[0], inSpec: true }, ...(result.results as object[]).slice(1)] };
    expect(inspectionResultPayloadSchema.safeParse(inconsistent).success).toBe(false);
    expect(validatePayload(INSPECTION_RESULT_JSON_SCHEMA, inconsistent)).toEqual([]);
    const mismatch = { ...result, usageDecision: "A" };
    expect(inspectionResultPayloadSchema.safeParse(mismatch).success).toBe(false);
    expect(validatePayload(INSPECTION_RESULT_JSON_SCHEMA, mismatch)).toEqual([]);
  });
});
