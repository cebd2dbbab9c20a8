import { z } from "zod";
import { IdocParseError, parseIdoc } from "./idoc";

/**
 * JSON forms of the payloads Andon stores (and corrects) for the interfaces whose target is SAP,
 * as zod schemas and as JSON Schemas (draft 2020-12, the kind server/corrections/payload-schemas.ts
 * holds). The SAP replay handler accepts exactly these forms:
 *
 * - GOODS_MOVEMENT, SPARE_PARTS_USAGE: the MBGMCR03 IDoc (JSON form, as today) or the OData deep
 *   insert of A_MaterialDocumentHeader (API_MATERIAL_DOCUMENT_SRV); the handler picks by shape.
 * - PRODORD_CONFIRM: ProdnOrdConf2 (API_PROD_ORDER_CONFIRMATION_2_SRV) property names, plus the
 *   emulator's BOMRevision.
 * - QUALITY_HOLD: a QMS hold/release of a batch; delivered as a transfer posting between stock types.
 * - INSPECTION_RESULT: results and usage decision of an inspection lot (API_INSPECTIONLOT_SRV).
 * - INVOICE_POSTING: A_SupplierInvoice with to_SuplrInvcItemPurOrdRef (API_SUPPLIERINVOICE_PROCESS_SRV).
 *
 * Dates are OData Edm.DateTime ("/Date(1763942400000)/") or ISO ("2026-11-24", "2026-11-24T00:00:00");
 * quantities and amounts are decimal strings ("12.000") or numbers.
 */

const DATE_PATTERN = "^(/Date\\(-?\\d+([+-]\\d{4})?\\)/|\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,7})?)?Z?)?)$";
const odataDate = z.string().regex(new RegExp(DATE_PATTERN), "must be an Edm.DateTime (/Date(ms)/) or an ISO date");
const decimal = z.union([z.string().regex(/^\d{1,13}(\.\d{1,3})?$/, "must be a decimal with at most 3 decimals"), z.number().min(0)]);
const amount = z.union([z.string().regex(/^\d{1,11}(\.\d{1,3})?$/, "must be an amount"), z.number().min(0)]);
const str = (max: number) => z.string().max(max);

// --- GOODS_MOVEMENT / SPARE_PARTS_USAGE: OData form ------------------------------------------

export const materialDocumentItemPayloadSchema = z
  .object({
    GoodsMovementType: z.string().regex(/^[0-9A-Z]{3}$/),
    Material: str(40).min(1),
    Plant: z.string().regex(/^[0-9A-Z]{4}$/),
    StorageLocation: z
      .string()
      .regex(/^[0-9A-Z]{4}$/)
      .optional(),
    Batch: str(10).optional(),
    QuantityInEntryUnit: decimal,
    EntryUnit: str(3).optional(),
    ManufacturingOrder: z
      .string()
      .regex(/^\d{1,12}$/)
      .optional(),
    Reservation: str(10).optional(),
    ReservationItem: str(4).optional(),
    PurchaseOrder: str(10).optional(),
    PurchaseOrderItem: str(5).optional(),
    GoodsMovementRefDocType: str(1).optional(),
    InventoryStockType: z.enum(["", "01", "02", "07"]).optional(),
    IssuingOrReceivingStorageLoc: str(4).optional(),
    IssgOrRcvgBatch: str(10).optional(),
    CostCenter: str(10).optional(),
    MaterialDocumentItemText: str(50).optional(),
    GoodsRecipientName: str(12).optional(),
  })
  .strict();

export const materialDocumentPayloadSchema = z
  .object({
    GoodsMovementCode: z.enum(["01", "02", "03", "04", "05", "06", "07"]),
    PostingDate: odataDate.optional(),
    DocumentDate: odataDate.optional(),
    MaterialDocumentHeaderText: str(25).optional(),
    ReferenceDocument: str(16).optional(),
    to_MaterialDocumentItem: z.union([
      z.array(materialDocumentItemPayloadSchema).min(1),
      z.object({ results: z.array(materialDocumentItemPayloadSchema).min(1) }).strict(),
    ]),
  })
  .strict();
export type MaterialDocumentPayload = z.infer<typeof materialDocumentPayloadSchema>;

// --- GOODS_MOVEMENT / SPARE_PARTS_USAGE: IDoc form (MBGMCR03 JSON, as today) -----------------

/** The IDoc form, validated by the IDoc parser (segment rules of idoc-schema.ts). */
export const mbgmcr03PayloadSchema = z
  .object({ idocType: z.literal("MBGMCR03") })
  .passthrough()
  .superRefine((value, ctx) => {
    try {
      parseIdoc(value);
    } catch (error) {
      if (!(error instanceof IdocParseError)) throw error;
      for (const issue of error.issues) ctx.addIssue({ code: "custom", message: issue });
    }
  });

/** Same JSON Schema as server/corrections/payload-schemas.ts holds for the IDoc today. */
const qty = { type: "string", pattern: "^[0-9]+(\\.[0-9]{1,3})?$", description: "SAP quantity as a decimal string" };
export const mbgmcr03JsonSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "MBGMCR03 goods movement (JSON form of the IDoc)",
  type: "object",
  required: ["idocType", "control", "E1BP2017_GM_HEAD_01", "E1BP2017_GM_CODE", "E1BP2017_GM_ITEM_CREATE"],
  properties: {
    idocType: { const: "MBGMCR03" },
    control: { type: "object", required: ["DOCNUM"], properties: { DOCNUM: { type: "string", pattern: "^[0-9]{1,16}$" } } },
    E1BP2017_GM_HEAD_01: {
      type: "object",
      required: ["PSTNG_DATE"],
      properties: { PSTNG_DATE: { type: "string", pattern: "^[0-9]{8}$" }, DOC_DATE: { type: "string", pattern: "^[0-9]{8}$" } },
    },
    E1BP2017_GM_CODE: { type: "object", properties: { GM_CODE: { enum: ["01", "02", "03", "04", "05", "06", "07"] } } },
    E1BP2017_GM_ITEM_CREATE: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["MATERIAL", "PLANT", "STGE_LOC", "MOVE_TYPE", "ENTRY_QNT"],
        properties: {
          MATERIAL: { type: "string", minLength: 1, maxLength: 40 },
          PLANT: { type: "string", pattern: "^[0-9A-Z]{4}$" },
          STGE_LOC: { type: "string", pattern: "^[0-9A-Z]{4}$" },
          MOVE_TYPE: { type: "string", pattern: "^[0-9]{3}$" },
          ENTRY_QNT: qty,
          ENTRY_UOM: { type: "string", maxLength: 3 },
          BATCH: { type: "string", maxLength: 10 },
          ORDERID: { type: "string", pattern: "^[0-9]{12}$" },
        },
      },
    },
  },
} as const;

export const goodsMovementPayloadSchema = z.union([mbgmcr03PayloadSchema, materialDocumentPayloadSchema]);

/** Which form a GOODS_MOVEMENT / SPARE_PARTS_USAGE payload has. */
export function goodsMovementForm(payload: unknown): "idoc" | "odata" | undefined {
  if (typeof payload !== "object" || payload === null) return undefined;
  if ("idocType" in payload || "control" in payload || "E1BP2017_GM_ITEM_CREATE" in payload) return "idoc";
  if ("to_MaterialDocumentItem" in payload || "GoodsMovementCode" in payload) return "odata";
  return undefined;
}

// --- PRODORD_CONFIRM ---------------------------------------------------------------------------

export const prodordConfirmPayloadSchema = z
  .object({
    OrderID: z.string().regex(/^\d{1,12}$/, "must be an order number"),
    OrderOperation: z.string().regex(/^\d{1,4}$/, "must be an operation number (0010)"),
    Sequence: str(6).optional(),
    ConfirmationYieldQuantity: decimal,
    ConfirmationScrapQuantity: decimal.optional(),
    ConfirmationReworkQuantity: decimal.optional(),
    ConfirmationUnit: str(3).min(1),
    WorkCenter: str(8).optional(),
    PostingDate: odataDate.optional(),
    FinalConfirmationType: z.enum(["", "X", "1"]).optional(),
    IsFinalConfirmation: z.boolean().optional(),
    ConfirmationText: str(40).optional(),
    Personnel: str(8).optional(),
    /** Emulator extension: BOM revision the MES produced with. */
    BOMRevision: str(2).optional(),
  })
  .strict();
export type ProdordConfirmPayload = z.infer<typeof prodordConfirmPayloadSchema>;

// --- QUALITY_HOLD ------------------------------------------------------------------------------

export const qualityHoldPayloadSchema = z
  .object({
    material: str(40).min(1),
    plant: z.string().regex(/^[0-9A-Z]{4}$/),
    batch: str(10).min(1),
    storageLocation: z
      .string()
      .regex(/^[0-9A-Z]{4}$/)
      .optional(),
    action: z.enum(["HOLD", "RELEASE"]),
    targetStockType: z.enum(["BLOCKED", "QUALITY_INSPECTION", "UNRESTRICTED"]),
    reason: str(200).min(1),
    inspectionLot: z
      .string()
      .regex(/^\d{1,12}$/)
      .optional(),
    /** Base unit quantity to move; all of the batch's stock in the source stock types when absent. */
    quantity: z.number().positive().optional(),
  })
  .strict()
  .refine((p) => (p.action === "HOLD" ? p.targetStockType !== "UNRESTRICTED" : p.targetStockType !== "BLOCKED"), {
    message: "HOLD moves stock to BLOCKED or QUALITY_INSPECTION; RELEASE to UNRESTRICTED or QUALITY_INSPECTION",
    path: ["targetStockType"],
  });
export type QualityHoldPayload = z.infer<typeof qualityHoldPayloadSchema>;

// --- INSPECTION_RESULT -------------------------------------------------------------------------

export const inspectionResultPayloadSchema = z
  .object({
    inspectionLot: z.string().regex(/^\d{1,12}$/, "must be an inspection lot number"),
    material: str(40).min(1),
    plant: z.string().regex(/^[0-9A-Z]{4}$/),
    batch: str(10).min(1),
    usageDecisionCode: z.enum(["A", "R"]),
    usageDecisionText: str(200).optional(),
    text: str(200).optional(),
    results: z
      .array(
        z
          .object({
            characteristic: str(40).min(1),
            value: z.union([z.string().max(25), z.number()]),
            unit: str(6).optional(),
            lowerLimit: z.number().optional(),
            upperLimit: z.number().optional(),
            inSpec: z.boolean(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();
export type InspectionResultPayload = z.infer<typeof inspectionResultPayloadSchema>;

// --- INVOICE_POSTING ---------------------------------------------------------------------------

export const supplierInvoiceItemPayloadSchema = z
  .object({
    SupplierInvoiceItem: z.string().regex(/^\d{1,6}$/),
    PurchaseOrder: z.string().regex(/^\d{10}$/, "must be a purchase order number (10 digits)"),
    PurchaseOrderItem: z.string().regex(/^\d{1,5}$/),
    Plant: str(4).optional(),
    TaxCode: str(2).optional(),
    DocumentCurrency: str(5).optional(),
    SupplierInvoiceItemAmount: amount,
    QuantityInPurchaseOrderUnit: decimal.optional(),
    PurchaseOrderQuantityUnit: str(3).optional(),
    SupplierInvoiceItemText: str(50).optional(),
  })
  .strict();
export const supplierInvoicePayloadSchema = z
  .object({
    CompanyCode: z.string().regex(/^[0-9A-Z]{4}$/),
    DocumentDate: odataDate,
    PostingDate: odataDate.optional(),
    InvoicingParty: str(10).min(1),
    DocumentCurrency: str(5).min(1),
    InvoiceGrossAmount: amount,
    SupplierInvoiceIDByInvcgParty: str(16).optional(),
    DocumentHeaderText: str(25).optional(),
    AccountingDocumentType: str(2).optional(),
    PaymentTerms: str(4).optional(),
    TaxIsCalculatedAutomatically: z.boolean().optional(),
    to_SuplrInvcItemPurOrdRef: z.union([
      z.array(supplierInvoiceItemPayloadSchema).min(1),
      z.object({ results: z.array(supplierInvoiceItemPayloadSchema).min(1) }).strict(),
    ]),
  })
  .strict();

export type SupplierInvoicePayload = z.infer<typeof supplierInvoicePayloadSchema>;

// --- JSON Schemas ------------------------------------------------------------------------------

function jsonSchema(schema: z.ZodType, title: string): Record<string, unknown> {
  return { ...(z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as Record<string, unknown>), title };
}

const materialDocumentJsonSchema = jsonSchema(materialDocumentPayloadSchema, "A_MaterialDocumentHeader deep insert (API_MATERIAL_DOCUMENT_SRV, OData v2)");

/** GOODS_MOVEMENT and SPARE_PARTS_USAGE: the IDoc form or the OData form. */
const withoutDraft = (schema: object) => Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema"));

/**
 * The IDoc form when the payload names its IDoc type, else the OData form: `if`/`then`/`else` rather than
 * `oneOf`, so a wrong field is reported where it is (".../ENTRY_QNT"), not as "matches neither form".
 */
export const goodsMovementJsonSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "Goods movement for SAP: MBGMCR03 IDoc (JSON form) or A_MaterialDocumentHeader (OData)",
  if: { type: "object", required: ["idocType"] },
  // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then/else keyword, not a thenable
  then: withoutDraft(mbgmcr03JsonSchema),
  else: withoutDraft(materialDocumentJsonSchema),
};

export const SAP_PAYLOAD_ZOD_SCHEMAS = {
  GOODS_MOVEMENT: goodsMovementPayloadSchema,
  SPARE_PARTS_USAGE: goodsMovementPayloadSchema,
  PRODORD_CONFIRM: prodordConfirmPayloadSchema,
  QUALITY_HOLD: qualityHoldPayloadSchema,
  INSPECTION_RESULT: inspectionResultPayloadSchema,
  INVOICE_POSTING: supplierInvoicePayloadSchema,
} as const;

export type SapInterface = keyof typeof SAP_PAYLOAD_ZOD_SCHEMAS;

/** JSON Schemas per interface, for server/corrections/payload-schemas.ts. */
export const SAP_PAYLOAD_JSON_SCHEMAS: Readonly<Record<SapInterface, object>> = {
  GOODS_MOVEMENT: goodsMovementJsonSchema,
  SPARE_PARTS_USAGE: {
    ...goodsMovementJsonSchema,
    title: "Spare parts usage for SAP (261 against a maintenance order): MBGMCR03 IDoc or A_MaterialDocumentHeader",
  },
  PRODORD_CONFIRM: jsonSchema(prodordConfirmPayloadSchema, "Operation confirmation (ProdnOrdConf2, API_PROD_ORDER_CONFIRMATION_2_SRV)"),
  QUALITY_HOLD: jsonSchema(qualityHoldPayloadSchema, "Quality hold / release of a batch (QMS → SAP stock types)"),
  INSPECTION_RESULT: jsonSchema(inspectionResultPayloadSchema, "Inspection results and usage decision (QMS → API_INSPECTIONLOT_SRV)"),
  INVOICE_POSTING: jsonSchema(supplierInvoicePayloadSchema, "Supplier invoice (A_SupplierInvoice, API_SUPPLIERINVOICE_PROCESS_SRV)"),
};
