import { createHash } from "node:crypto";
import type { z } from "zod";
import type { ReplayHandler, ReplayJob, ReplayOutcome } from "../sdk/replay";
import type { SapInboundResponse } from "./inbound";
import { SapODataClient, type SapODataFailure, type SapODataResult } from "./odata-client";
import {
  goodsMovementForm,
  inspectionResultPayloadSchema,
  materialDocumentPayloadSchema,
  prodordConfirmPayloadSchema,
  qualityHoldPayloadSchema,
  supplierInvoicePayloadSchema,
  type QualityHoldPayload,
} from "./schemas";
import { classifyStatusRecord } from "./status";

/**
 * The SAP connector's replay handler. `job.interface` selects SAP's API:
 *
 * | interface                          | SAP API                                                              |
 * | ---------------------------------- | -------------------------------------------------------------------- |
 * | GOODS_MOVEMENT, SPARE_PARTS_USAGE  | IDoc MBGMCR03 (IDoc JSON form) or API_MATERIAL_DOCUMENT_SRV (OData form), by payload shape |
 * | PRODORD_CONFIRM                    | API_PROD_ORDER_CONFIRMATION_2_SRV ProdnOrdConf2                      |
 * | QUALITY_HOLD                       | API_MATERIAL_DOCUMENT_SRV transfer posting between stock types (344/350, 343/321, 322, 349) |
 * | INSPECTION_RESULT                  | API_INSPECTIONLOT_SRV A_InspectionResult + A_InspLotUsageDecision    |
 * | INVOICE_POSTING                    | API_SUPPLIERINVOICE_PROCESS_SRV A_SupplierInvoice                    |
 *
 * Every write carries the replay's idempotency key. Outcomes: applied → delivered (with SAP's
 * document number); SAP refuses → business failure with SAP's message ("M7/021", IDoc "M7-021");
 * HTTP 5xx, status 02, no answer, timeout → technical (Andon retries with the same key). A payload
 * that does not have the interface's JSON form is a business failure (PAYLOAD_INVALID): it needs a
 * correction, not a retry.
 */
export interface SapReplayOptions {
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const IDOC_INTERFACES = new Set(["GOODS_MOVEMENT", "SPARE_PARTS_USAGE"]);

function failed(failure: SapODataFailure): ReplayOutcome {
  return {
    status: "failed",
    category: failure.category,
    code: failure.code,
    message: failure.message,
    ...(failure.details && { details: failure.details }),
    durationMs: 0,
  };
}

function invalid(error: z.ZodError, what: string): ReplayOutcome {
  const issues = error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`);
  return {
    status: "failed",
    category: "business",
    code: "PAYLOAD_INVALID",
    message: `not a valid ${what}: ${issues.join("; ")}`.slice(0, 1000),
    details: { issues },
    durationMs: 0,
  };
}

/** Edm.DateTime for OData: "/Date(ms)/" stays, ISO dates become "/Date(ms)/" (UTC midnight). */
export function toODataDate(value: string | undefined): string | undefined {
  if (value === undefined || value.startsWith("/Date(")) return value;
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  return m ? `/Date(${Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))})/` : value;
}

const decimal = (value: string | number | undefined) => (value === undefined ? undefined : String(value));

/** A reference derived from the idempotency key, written into the document header text (25 characters). */
export const replayReference = (key: string) => `ANDON ${createHash("sha256").update(key).digest("hex").slice(0, 16).toUpperCase()}`;

export function sapReplayHandler(inboundBaseUrl: string, opts: SapReplayOptions = {}): ReplayHandler {
  const deliver = sapDelivery(inboundBaseUrl, opts, false);
  const check = sapDelivery(inboundBaseUrl, opts, true);
  return { deliver, check };
}

/** The SAP test-run header (the emulator's X-SAP-TestRun: X, TESTRUN = 'X' of the write BAPIs). */
const TESTRUN = { "x-sap-testrun": "X" } as const;

/**
 * One delivery path for both modes: `testRun` sends every write with TESTRUN = 'X' (IDoc inbound and
 * OData alike), so SAP runs all its checks on the real data and posts nothing; "delivered" then means
 * "would post" (with SAP's messages), a refusal is SAP's own message.
 */
function sapDelivery(inboundBaseUrl: string, opts: SapReplayOptions, testRun: boolean): (job: ReplayJob) => Promise<ReplayOutcome> {
  const client = () => new SapODataClient(inboundBaseUrl, { timeoutMs: opts.timeoutMs, fetch: opts.fetch, ...(testRun ? { headers: TESTRUN } : {}) });

  async function deliverIdoc(job: ReplayJob): Promise<ReplayOutcome> {
    let res: Response;
    try {
      res = await (opts.fetch ?? fetch)(`${inboundBaseUrl}/sap/idoc/inbound`, {
        method: "POST",
        headers: testRun ? { "content-type": "application/json", ...TESTRUN } : { "content-type": "application/json", "idempotency-key": job.idempotencyKey },
        body: JSON.stringify(job.payload),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    } catch (err) {
      // No answer: SAP may or may not have posted it — a technical failure, retried with the same key.
      return {
        status: "failed",
        category: "technical",
        code: "NO_ANSWER",
        message: `No answer from SAP inbound (the IDoc may have been posted; a retry with the same key posts it at most once): ${(err as Error).message}`,
        durationMs: 0,
      };
    }
    if (!res.ok) {
      return {
        status: "failed",
        category: res.status >= 500 ? "technical" : "business",
        code: `HTTP-${res.status}`,
        message: (await res.text()).slice(0, 1000),
        durationMs: 0,
      };
    }
    const answer = (await res.json()) as SapInboundResponse;
    const last = answer.statusRecords.at(-1);
    const failure = last ? classifyStatusRecord(last) : null;
    return failure
      ? { status: "failed", category: failure.category, code: failure.code, message: failure.message, details: failure.details, durationMs: 0 }
      : { status: "delivered", response: { docnum: answer.docnum, status: answer.status, materialDocument: answer.materialDocument ?? null }, durationMs: 0 };
  }

  async function deliverMaterialDocument(job: ReplayJob): Promise<ReplayOutcome> {
    const parsed = materialDocumentPayloadSchema.safeParse(job.payload);
    if (!parsed.success) return invalid(parsed.error, "A_MaterialDocumentHeader");
    const p = parsed.data;
    const items = Array.isArray(p.to_MaterialDocumentItem) ? p.to_MaterialDocumentItem : p.to_MaterialDocumentItem.results;
    const body = {
      ...p,
      PostingDate: toODataDate(p.PostingDate),
      DocumentDate: toODataDate(p.DocumentDate),
      to_MaterialDocumentItem: items.map((item) => ({ ...item, QuantityInEntryUnit: decimal(item.QuantityInEntryUnit) })),
    };
    const result = await client().create<{ MaterialDocument: string; MaterialDocumentYear: string }>(
      "API_MATERIAL_DOCUMENT_SRV",
      "A_MaterialDocumentHeader",
      body,
      {
        idempotencyKey: job.idempotencyKey,
      },
    );
    if (!result.ok) return failed(result.failure);
    return {
      status: "delivered",
      response: { materialDocument: { number: result.data.MaterialDocument, year: result.data.MaterialDocumentYear } },
      durationMs: 0,
    };
  }

  async function deliverConfirmation(job: ReplayJob): Promise<ReplayOutcome> {
    const parsed = prodordConfirmPayloadSchema.safeParse(job.payload);
    if (!parsed.success) return invalid(parsed.error, "ProdnOrdConf2 confirmation");
    const p = parsed.data;
    const body = {
      ...p,
      PostingDate: toODataDate(p.PostingDate),
      ConfirmationYieldQuantity: decimal(p.ConfirmationYieldQuantity),
      ConfirmationScrapQuantity: decimal(p.ConfirmationScrapQuantity),
      ConfirmationReworkQuantity: decimal(p.ConfirmationReworkQuantity),
    };
    const result = await client().create<{ ConfirmationGroup: string; ConfirmationCount: string; OrderID: string; OrderOperation: string }>(
      "API_PROD_ORDER_CONFIRMATION_2_SRV",
      "ProdnOrdConf2",
      body,
      { idempotencyKey: job.idempotencyKey },
    );
    if (!result.ok) return failed(result.failure);
    const d = result.data;
    return {
      status: "delivered",
      response: {
        confirmationGroup: d.ConfirmationGroup,
        confirmationCount: d.ConfirmationCount,
        order: d.OrderID,
        operation: d.OrderOperation,
        messages: result.messages,
      },
      durationMs: 0,
    };
  }

  async function deliverInvoice(job: ReplayJob): Promise<ReplayOutcome> {
    const parsed = supplierInvoicePayloadSchema.safeParse(job.payload);
    if (!parsed.success) return invalid(parsed.error, "A_SupplierInvoice");
    const p = parsed.data;
    const items = Array.isArray(p.to_SuplrInvcItemPurOrdRef) ? p.to_SuplrInvcItemPurOrdRef : p.to_SuplrInvcItemPurOrdRef.results;
    const body = {
      ...p,
      DocumentDate: toODataDate(p.DocumentDate),
      PostingDate: toODataDate(p.PostingDate),
      InvoiceGrossAmount: decimal(p.InvoiceGrossAmount),
      to_SuplrInvcItemPurOrdRef: items.map((i) => ({
        ...i,
        SupplierInvoiceItemAmount: decimal(i.SupplierInvoiceItemAmount),
        QuantityInPurchaseOrderUnit: decimal(i.QuantityInPurchaseOrderUnit),
      })),
    };
    const result = await client().create<{ SupplierInvoice: string; FiscalYear: string; PaymentBlockingReason: string }>(
      "API_SUPPLIERINVOICE_PROCESS_SRV",
      "A_SupplierInvoice",
      body,
      { idempotencyKey: job.idempotencyKey },
    );
    if (!result.ok) return failed(result.failure);
    const d = result.data;
    return {
      status: "delivered",
      response: { supplierInvoice: d.SupplierInvoice, fiscalYear: d.FiscalYear, paymentBlockingReason: d.PaymentBlockingReason, messages: result.messages },
      durationMs: 0,
    };
  }

  async function deliverQualityHold(job: ReplayJob): Promise<ReplayOutcome> {
    const parsed = qualityHoldPayloadSchema.safeParse(job.payload);
    if (!parsed.success) return invalid(parsed.error, "quality hold");
    const p: QualityHoldPayload = parsed.data;
    const sap = client();
    const reference = replayReference(job.idempotencyKey);
    const q = (v: string) => v.replaceAll("'", "''");

    // A previous attempt of this replay may have posted and lost its answer: look for its document.
    const earlier = await sap.get<{ results: { MaterialDocument: string; MaterialDocumentYear: string }[] }>(
      "API_MATERIAL_DOCUMENT_SRV",
      "A_MaterialDocumentHeader",
      {
        $filter: `MaterialDocumentHeaderText eq '${reference}'`,
      },
    );
    if (!earlier.ok) return failed(earlier.failure);
    const [posted] = earlier.data.results;
    if (posted)
      return {
        status: "delivered",
        response: { materialDocument: { number: posted.MaterialDocument, year: posted.MaterialDocumentYear }, earlierAttempt: true },
        durationMs: 0,
      };

    const filter = [
      `Material eq '${q(p.material)}'`,
      `Plant eq '${q(p.plant)}'`,
      `Batch eq '${q(p.batch)}'`,
      ...(p.storageLocation ? [`StorageLocation eq '${p.storageLocation}'`] : []),
    ];
    const stock = await sap.get<{
      results: { StorageLocation: string; InventoryStockType: string; MaterialBaseUnit: string; MatlWrhsStkQtyInMatlBaseUnit: string }[];
    }>("API_MATERIAL_STOCK_SRV", "A_MatlStkInAcctMod", { $filter: filter.join(" and ") });
    if (!stock.ok) return failed(stock.failure);
    const rows = stock.data.results.map((r) => ({
      sloc: r.StorageLocation,
      type: r.InventoryStockType,
      unit: r.MaterialBaseUnit,
      quantity: Number(r.MatlWrhsStkQtyInMatlBaseUnit),
    }));

    // Transfer postings between stock types (movement type by source → target).
    const moves: { from: string; movementType: string }[] =
      p.action === "HOLD"
        ? p.targetStockType === "BLOCKED"
          ? [
              { from: "01", movementType: "344" },
              { from: "02", movementType: "350" },
            ]
          : [{ from: "01", movementType: "322" }]
        : p.targetStockType === "UNRESTRICTED"
          ? [
              { from: "07", movementType: "343" },
              { from: "02", movementType: "321" },
            ]
          : [{ from: "07", movementType: "349" }];
    const target = { BLOCKED: "07", QUALITY_INSPECTION: "02", UNRESTRICTED: "01" }[p.targetStockType];
    const unit = rows[0]?.unit ?? "";
    const items: { movementType: string; sloc: string; quantity: number }[] = [];
    let wanted = p.quantity ?? Number.POSITIVE_INFINITY;
    for (const move of moves) {
      for (const row of rows.filter((r) => r.type === move.from && r.quantity > 0)) {
        if (wanted <= 0) break;
        const quantity = Math.min(row.quantity, wanted);
        items.push({ movementType: move.movementType, sloc: row.sloc, quantity });
        wanted -= quantity;
      }
    }
    // A requested quantity that is not there is still posted: SAP answers with its deficit (M7 021).
    if (p.quantity !== undefined && wanted > 1e-9) {
      const sloc = p.storageLocation ?? rows[0]?.sloc;
      const first = moves[0];
      if (sloc && first) items.push({ movementType: first.movementType, sloc, quantity: wanted });
    }
    if (items.length === 0) {
      if (rows.some((r) => r.type === target && r.quantity > 0)) {
        return { status: "delivered", response: { materialDocument: null, alreadyInTargetStockType: true, stock: rows }, durationMs: 0 };
      }
      return {
        status: "failed",
        category: "business",
        code: "SAP-BATCH-NO-STOCK",
        message: `SAP shows no stock of batch ${p.batch} of material ${p.material} in plant ${p.plant}${p.storageLocation ? ` storage location ${p.storageLocation}` : ""}`,
        durationMs: 0,
      };
    }
    const body = {
      GoodsMovementCode: "04",
      MaterialDocumentHeaderText: reference,
      ReferenceDocument: (p.inspectionLot ?? `QM-${p.action}`).slice(0, 16),
      to_MaterialDocumentItem: items.map((item) => ({
        GoodsMovementType: item.movementType,
        Material: p.material,
        Plant: p.plant,
        StorageLocation: item.sloc,
        Batch: p.batch,
        QuantityInEntryUnit: String(Math.round(item.quantity * 1000) / 1000),
        EntryUnit: unit,
        MaterialDocumentItemText: p.reason.slice(0, 50),
      })),
    };
    const result = await sap.create<{ MaterialDocument: string; MaterialDocumentYear: string }>("API_MATERIAL_DOCUMENT_SRV", "A_MaterialDocumentHeader", body, {
      idempotencyKey: job.idempotencyKey,
    });
    if (!result.ok) return failed(result.failure);
    return {
      status: "delivered",
      response: { materialDocument: { number: result.data.MaterialDocument, year: result.data.MaterialDocumentYear }, movements: items },
      durationMs: 0,
    };
  }

  async function deliverInspectionResult(job: ReplayJob): Promise<ReplayOutcome> {
    const parsed = inspectionResultPayloadSchema.safeParse(job.payload);
    if (!parsed.success) return invalid(parsed.error, "inspection result");
    const p = parsed.data;
    const sap = client();
    const lotNumber = p.inspectionLot.padStart(12, "0");
    const lot = await sap.get<{ Material: string; Plant: string; Batch: string }>("API_INSPECTIONLOT_SRV", `A_InspectionLot('${lotNumber}')`);
    if (!lot.ok) return failed(lot.failure);
    if (lot.data.Material !== p.material.toUpperCase() || lot.data.Plant !== p.plant || lot.data.Batch !== p.batch) {
      return {
        status: "failed",
        category: "business",
        code: "QM-LOT-MISMATCH",
        message: `Inspection lot ${lotNumber} is for material ${lot.data.Material} batch ${lot.data.Batch} in plant ${lot.data.Plant}, not ${p.material} ${p.batch} in ${p.plant}`,
        durationMs: 0,
      };
    }
    const characteristics = await sap.get<{ results: { InspectionCharacteristic: string; InspectionSpecification: string }[] }>(
      "API_INSPECTIONLOT_SRV",
      `A_InspectionLot('${lotNumber}')/to_InspectionCharacteristic`,
    );
    if (!characteristics.ok) return failed(characteristics.failure);
    const numberOf = (name: string) =>
      characteristics.data.results.find((c) => c.InspectionSpecification === name.toUpperCase() || c.InspectionCharacteristic === name)
        ?.InspectionCharacteristic ?? name;

    let posted: SapODataResult<unknown> | undefined;
    for (const [index, r] of p.results.entries()) {
      posted = await sap.create(
        "API_INSPECTIONLOT_SRV",
        "A_InspectionResult",
        {
          InspectionLot: lotNumber,
          InspPlanOperationInternalID: "1",
          InspectionCharacteristic: numberOf(r.characteristic),
          InspectionResultOriginalValue: String(r.value).slice(0, 25),
          InspectionValuationResult: r.inSpec ? "A" : "R",
          InspectionResultText: [r.unit, r.lowerLimit !== undefined || r.upperLimit !== undefined ? `limits ${r.lowerLimit ?? ""}..${r.upperLimit ?? ""}` : ""]
            .filter(Boolean)
            .join(" ")
            .slice(0, 40),
        },
        { idempotencyKey: `${job.idempotencyKey}/result/${index}` },
      );
      if (!posted.ok) return failed(posted.failure);
    }
    const decision = await sap.create<{ InspectionLotUsageDecisionCode: string }>(
      "API_INSPECTIONLOT_SRV",
      "A_InspLotUsageDecision",
      {
        InspectionLot: lotNumber,
        InspectionLotUsageDecisionCode: p.usageDecisionCode,
        InspLotUsageDecisionCodeGroup: "01",
        InspLotUsgeDcsnSelectedSet: "01",
        SelectedCodeSetPlant: p.plant,
      },
      { idempotencyKey: `${job.idempotencyKey}/ud` },
    );
    if (!decision.ok) return failed(decision.failure);
    const document = decision.messages.map((m) => /^Material document (\d+) posted$/.exec(m.message)?.[1]).find(Boolean) ?? null;
    return {
      status: "delivered",
      response: {
        inspectionLot: lotNumber,
        usageDecision: decision.data.InspectionLotUsageDecisionCode,
        materialDocument: document,
        messages: decision.messages,
      },
      durationMs: 0,
    };
  }

  return async (job) => {
    switch (job.interface) {
      case "GOODS_MOVEMENT":
      case "SPARE_PARTS_USAGE":
        return goodsMovementForm(job.payload) === "odata" ? deliverMaterialDocument(job) : deliverIdoc(job);
      case "PRODORD_CONFIRM":
        return deliverConfirmation(job);
      case "QUALITY_HOLD":
        return deliverQualityHold(job);
      case "INSPECTION_RESULT":
        return deliverInspectionResult(job);
      case "INVOICE_POSTING":
        return deliverInvoice(job);
      default:
        // Interfaces SAP does not receive: an IDoc still goes to the IDoc inbound (as before).
        if (goodsMovementForm(job.payload) === "idoc" || IDOC_INTERFACES.has(job.interface)) return deliverIdoc(job);
        return {
          status: "failed",
          category: "business",
          code: "SAP-INTERFACE-UNSUPPORTED",
          message: `the SAP connector does not deliver interface ${job.interface}`,
          durationMs: 0,
        };
    }
  };
}
