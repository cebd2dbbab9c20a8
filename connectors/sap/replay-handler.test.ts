import { Validator } from "@cfworker/json-schema";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runReplayHandler, type ReplayJob } from "../sdk/replay";
import { startSapEmulator, type SapEmulator } from "./emulator";
import { sapReplayHandler } from "./replay-handler";
import { SAP_SAMPLE_PAYLOADS } from "./samples";
import { SAP_PAYLOAD_JSON_SCHEMAS, SAP_PAYLOAD_ZOD_SCHEMAS, type SapInterface } from "./schemas";
import { readSample } from "./test-support";

/** The replay handler end to end against the running emulator, per SAP interface. */

let sap: SapEmulator;
let nextKey = 0;

beforeAll(async () => {
  sap = await startSapEmulator({ port: 0 });
});
afterAll(async () => {
  await sap.close();
});
beforeEach(() => sap.reset());

function job(iface: string, payload: unknown, idempotencyKey = `replay-${++nextKey}`): ReplayJob {
  return {
    replayId: `r-${nextKey}`,
    idempotencyKey,
    plantCode: "DE-HAM",
    interface: iface,
    messageId: `m-${nextKey}`,
    correlationId: `c-${nextKey}`,
    payload,
    attempt: 1,
  };
}

const deliver = (j: ReplayJob) => runReplayHandler(sapReplayHandler(sap.url, { timeoutMs: 2_000 }), j);
const resin = { material: "RM-0815", plant: "1000", storageLocation: "0001", batch: "B2026-118" };

describe("payload schemas and samples", () => {
  const interfaces = Object.keys(SAP_SAMPLE_PAYLOADS) as SapInterface[];

  it.each(interfaces)("%s: the sample fits the zod schema and the JSON Schema", (iface) => {
    const sample = SAP_SAMPLE_PAYLOADS[iface];
    expect(SAP_PAYLOAD_ZOD_SCHEMAS[iface].safeParse(sample).success).toBe(true);
    const result = new Validator(SAP_PAYLOAD_JSON_SCHEMAS[iface] as object, "2020-12").validate(sample);
    expect(result.errors).toEqual([]);
  });

  it("the IDoc form of GOODS_MOVEMENT still fits (the schema Andon has today), and a broken payload does not", () => {
    const idoc = readSample("sap-mbgmcr-goods-movement.json");
    expect(new Validator(SAP_PAYLOAD_JSON_SCHEMAS.GOODS_MOVEMENT as object, "2020-12").validate(idoc).valid).toBe(true);
    expect(SAP_PAYLOAD_ZOD_SCHEMAS.GOODS_MOVEMENT.safeParse(idoc).success).toBe(true);
    const broken = { ...SAP_SAMPLE_PAYLOADS.QUALITY_HOLD, action: "block" };
    expect(new Validator(SAP_PAYLOAD_JSON_SCHEMAS.QUALITY_HOLD as object, "2020-12").validate(broken).valid).toBe(false);
  });

  it.each(interfaces)("%s: the sample is delivered to a fresh SAP and changes its state", async (iface) => {
    const before = { docs: sap.materialDocuments().length, confirmations: sap.confirmations().length, invoices: sap.supplierInvoices().length };
    const outcome = await deliver(job(iface, SAP_SAMPLE_PAYLOADS[iface]));
    expect(outcome).toMatchObject({ status: "delivered" });
    const after = { docs: sap.materialDocuments().length, confirmations: sap.confirmations().length, invoices: sap.supplierInvoices().length };
    expect(after).not.toEqual(before);
  });
});

describe("routing by interface and payload form", () => {
  it("GOODS_MOVEMENT in the IDoc form goes to the IDoc inbound (status records), in the OData form to API_MATERIAL_DOCUMENT_SRV", async () => {
    const idoc = readSample("sap-mbgmcr-goods-movement.json");
    expect(await deliver(job("GOODS_MOVEMENT", idoc))).toMatchObject({ status: "failed", category: "business", code: "M7-021" });
    const odata = {
      ...SAP_SAMPLE_PAYLOADS.GOODS_MOVEMENT,
      to_MaterialDocumentItem: [{ ...(SAP_SAMPLE_PAYLOADS.GOODS_MOVEMENT.to_MaterialDocumentItem as object[])[0], QuantityInEntryUnit: 512 }],
    };
    expect(await deliver(job("GOODS_MOVEMENT", odata))).toMatchObject({
      status: "failed",
      category: "business",
      code: "M7/021",
      message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001",
    });
    expect(sap.idocStatus("4712001")).not.toHaveLength(0);
  });

  it("a payload that is not the interface's form is PAYLOAD_INVALID (business); an interface SAP does not receive is refused", async () => {
    expect(await deliver(job("PRODORD_CONFIRM", { OrderID: "1004711" }))).toMatchObject({ status: "failed", category: "business", code: "PAYLOAD_INVALID" });
    expect(await deliver(job("BOM_RELEASE", { bom: "x" }))).toMatchObject({ status: "failed", category: "business", code: "SAP-INTERFACE-UNSUPPORTED" });
  });

  it("SAP unavailable is technical; ISO dates and numbers in the payload are sent as Edm.DateTime and Edm.Decimal", async () => {
    sap.faults.unavailable(1);
    expect(await deliver(job("PRODORD_CONFIRM", SAP_SAMPLE_PAYLOADS.PRODORD_CONFIRM))).toMatchObject({
      status: "failed",
      category: "technical",
      code: "SERVICE_UNAVAILABLE",
    });
    const today = new Date().toISOString().slice(0, 10);
    const outcome = await deliver(job("PRODORD_CONFIRM", { ...SAP_SAMPLE_PAYLOADS.PRODORD_CONFIRM, PostingDate: today, ConfirmationYieldQuantity: 12.5 }));
    expect(outcome).toMatchObject({ status: "delivered", response: { order: "1004711", operation: "0010" } });
    expect(sap.confirmations()[0]).toMatchObject({ postingDate: today.replaceAll("-", ""), yieldQuantity: 12_500 });
  });
});

describe("PRODORD_CONFIRM and INVOICE_POSTING refusals come back with SAP's message", () => {
  it("BOM revision not yet effective (scenario 2) and unit ST for PC (scenario 7)", async () => {
    expect(await deliver(job("PRODORD_CONFIRM", { ...SAP_SAMPLE_PAYLOADS.PRODORD_CONFIRM, OrderID: "1004712", BOMRevision: "B" }))).toMatchObject({
      status: "failed",
      category: "business",
      code: "ZSAPEMU/023",
    });
    expect(await deliver(job("PRODORD_CONFIRM", { ...SAP_SAMPLE_PAYLOADS.PRODORD_CONFIRM, ConfirmationUnit: "ST" }))).toMatchObject({
      status: "failed",
      category: "business",
      code: "ZSAPEMU/025",
      message: "Unit ST cannot be converted to the order unit PC of order 1004711",
    });
  });

  it("month end: the period is closed (F5 201); after the period is opened a new replay posts once", async () => {
    const now = new Date();
    const next = now.getUTCMonth() === 11 ? { year: now.getUTCFullYear() + 1, period: 2 } : { year: now.getUTCFullYear(), period: now.getUTCMonth() + 3 };
    sap.setPostingPeriod("1000", next.period > 12 ? { year: next.year + 1, period: next.period - 12 } : next);
    const refused = await deliver(job("INVOICE_POSTING", SAP_SAMPLE_PAYLOADS.INVOICE_POSTING));
    expect(refused).toMatchObject({
      status: "failed",
      category: "business",
      code: "F5/201",
      message: expect.stringMatching(/^Posting period \d{3} \d{4} is not open$/),
    });
    sap.setPostingPeriod("1000", { year: now.getUTCFullYear(), period: now.getUTCMonth() + 1 });
    const posted = await deliver(job("INVOICE_POSTING", SAP_SAMPLE_PAYLOADS.INVOICE_POSTING));
    expect(posted).toMatchObject({ status: "delivered", response: { supplierInvoice: "5105600101", paymentBlockingReason: "" } });
    expect(await deliver(job("INVOICE_POSTING", SAP_SAMPLE_PAYLOADS.INVOICE_POSTING))).toMatchObject({ status: "failed", code: "M8/108" });
    expect(sap.supplierInvoices()).toHaveLength(1);
  });
});

describe("the quality-hold scenario (SYSTEMS.md 1)", () => {
  const issueOfResin = (form: "odata" | "idoc") =>
    form === "odata"
      ? {
          GoodsMovementCode: "03",
          to_MaterialDocumentItem: [
            {
              GoodsMovementType: "261",
              ...{ Material: "RM-0815", Plant: "1000", StorageLocation: "0001", Batch: "B2026-118" },
              QuantityInEntryUnit: "25",
              EntryUnit: "KG",
              ManufacturingOrder: "1004711",
            },
          ],
        }
      : {
          ...readSample("sap-mbgmcr-goods-movement.json"),
          control: { DOCNUM: "4719100", MESTYP: "MBGMCR", SNDPRN: "ODOO_HAM", RCVPRN: "ERPCLNT100" },
          E1BP2017_GM_HEAD_01: { PSTNG_DATE: new Date().toISOString().slice(0, 10).replaceAll("-", "") },
          E1BP2017_GM_ITEM_CREATE: [
            {
              MATERIAL: "RM-0815",
              PLANT: "1000",
              STGE_LOC: "0001",
              BATCH: "B2026-118",
              MOVE_TYPE: "261",
              ENTRY_QNT: "25",
              ENTRY_UOM: "KG",
              ORDERID: "000001004711",
            },
          ],
        };

  it("QMS holds lot L; a goods issue of L is refused as blocked stock; after release and replay it posts once (lost answer included)", async () => {
    const hold = await deliver(job("QUALITY_HOLD", SAP_SAMPLE_PAYLOADS.QUALITY_HOLD));
    expect(hold).toMatchObject({ status: "delivered", response: { movements: [{ movementType: "344", quantity: 400 }] } });
    expect(sap.stockRows(resin)).toEqual([{ ...resin, quantity: 0, qualityInspection: 0, blocked: 400 }]);

    for (const form of ["odata", "idoc"] as const) {
      const refused = await deliver(job("GOODS_MOVEMENT", issueOfResin(form)));
      expect(refused).toMatchObject({ status: "failed", category: "business", code: form === "odata" ? "M7/021" : "M7-021" });
      expect(refused.status === "failed" && refused.message).toBe("Deficit of BA Unrestricted-use 25.000 KG : RM-0815 1000 0001 B2026-118");
    }

    const release = await deliver(
      job("QUALITY_HOLD", { ...SAP_SAMPLE_PAYLOADS.QUALITY_HOLD, action: "RELEASE", targetStockType: "UNRESTRICTED", reason: "Retest passed" }),
    );
    expect(release).toMatchObject({ status: "delivered", response: { movements: [{ movementType: "343", quantity: 400 }] } });

    // The replay of the goods issue: SAP posts, the answer is lost; Andon retries with the same key.
    const replay = job("GOODS_MOVEMENT", issueOfResin("odata"));
    sap.faults.dropConnection({ phase: "after" });
    expect(await deliver(replay)).toMatchObject({ status: "failed", category: "technical" });
    expect(await deliver({ ...replay, attempt: 2 })).toMatchObject({ status: "delivered", response: { materialDocument: { number: expect.any(String) } } });
    expect(sap.applications(replay.idempotencyKey)).toBe(1);
    expect(sap.stockRows(resin)).toEqual([{ ...resin, quantity: 375, qualityInspection: 0, blocked: 0 }]);
  });

  it("a hold whose answer was lost is found by its reference on the retry and not posted twice; a batch already blocked is delivered as is", async () => {
    const hold = job("QUALITY_HOLD", SAP_SAMPLE_PAYLOADS.QUALITY_HOLD);
    sap.faults.dropConnection({ phase: "after" });
    expect(await deliver(hold)).toMatchObject({ status: "failed", category: "technical" });
    expect(await deliver({ ...hold, attempt: 2 })).toMatchObject({ status: "delivered", response: { earlierAttempt: true } });
    expect(sap.materialDocuments()).toHaveLength(1);
    expect(await deliver(job("QUALITY_HOLD", SAP_SAMPLE_PAYLOADS.QUALITY_HOLD))).toMatchObject({
      status: "delivered",
      response: { alreadyInTargetStockType: true },
    });
    expect(sap.materialDocuments()).toHaveLength(1);
  });

  it("a hold of part of a batch, of quality-inspection stock (350), and a batch SAP does not know", async () => {
    const part = await deliver(job("QUALITY_HOLD", { ...SAP_SAMPLE_PAYLOADS.QUALITY_HOLD, quantity: 100 }));
    expect(part).toMatchObject({ status: "delivered" });
    expect(sap.stockRows(resin)).toEqual([{ ...resin, quantity: 300, qualityInspection: 0, blocked: 100 }]);
    const tooMuch = await deliver(job("QUALITY_HOLD", { ...SAP_SAMPLE_PAYLOADS.QUALITY_HOLD, quantity: 500 }));
    expect(tooMuch).toMatchObject({ status: "failed", category: "business", code: "M7/021" });
    const qi = await deliver(
      job("QUALITY_HOLD", { material: "RM-2040", plant: "1000", batch: "B2026-301", action: "HOLD", targetStockType: "BLOCKED", reason: "Contaminated drum" }),
    );
    expect(qi).toMatchObject({ status: "delivered", response: { movements: [{ movementType: "350", quantity: 200 }] } });
    const unknown = await deliver(job("QUALITY_HOLD", { ...SAP_SAMPLE_PAYLOADS.QUALITY_HOLD, batch: "B2026-999" }));
    expect(unknown).toMatchObject({ status: "failed", category: "business", code: "SAP-BATCH-NO-STOCK" });
  });
});

describe("INSPECTION_RESULT", () => {
  const lot = { material: "RM-2040", plant: "1000", storageLocation: "0001", batch: "B2026-301" };

  it("records the results and the usage decision; a replay with the same key changes nothing more", async () => {
    const j = job("INSPECTION_RESULT", SAP_SAMPLE_PAYLOADS.INSPECTION_RESULT);
    const outcome = await deliver(j);
    expect(outcome).toMatchObject({ status: "delivered", response: { inspectionLot: "010000004701", usageDecision: "A", materialDocument: "4900001234" } });
    expect(sap.inspectionLot("010000004701")?.results.map((r) => [r.characteristic, r.value, r.valuation])).toEqual([
      ["0010", "1180", "A"],
      ["0020", "7.1", "A"],
    ]);
    expect(sap.stockRows(lot)).toEqual([{ ...lot, quantity: 200, qualityInspection: 0, blocked: 0 }]);
    expect(await deliver({ ...j, attempt: 2 })).toMatchObject({ status: "delivered", response: { materialDocument: "4900001234" } });
    expect(sap.materialDocuments()).toHaveLength(1);
  });

  it("a rejection moves the lot to blocked stock; a lot SAP does not know, or of another batch, is a business failure", async () => {
    const reject = {
      ...SAP_SAMPLE_PAYLOADS.INSPECTION_RESULT,
      usageDecisionCode: "R",
      results: [{ characteristic: "PH", value: 8.4, lowerLimit: 6.5, upperLimit: 7.5, inSpec: false }],
    };
    expect(await deliver(job("INSPECTION_RESULT", reject))).toMatchObject({ status: "delivered", response: { usageDecision: "R" } });
    expect(sap.stockRows(lot)).toEqual([{ ...lot, quantity: 0, qualityInspection: 0, blocked: 200 }]);
    expect(await deliver(job("INSPECTION_RESULT", { ...SAP_SAMPLE_PAYLOADS.INSPECTION_RESULT, inspectionLot: "010000009999" }))).toMatchObject({
      status: "failed",
      category: "business",
      code: "/IWBEP/CM_MGW_RT/021",
    });
    expect(await deliver(job("INSPECTION_RESULT", { ...SAP_SAMPLE_PAYLOADS.INSPECTION_RESULT, inspectionLot: "010000004702" }))).toMatchObject({
      status: "failed",
      code: "QM-LOT-MISMATCH",
    });
  });
});
