import { z } from "zod";

/**
 * SUPPLIER_ASN as the WMS receives it (the JSON form Andon stores and corrects, and the body of
 * `POST /wms/api/v1/expected-receipts`), and the JSON form of the goods movements the WMS confirms
 * back to the ERP.
 *
 * The ASN keeps to ASN semantics so that the EDI side (ANSI X12 856 / UN/EDIFACT DESADV) maps onto
 * it one to one:
 *
 * | field               | X12 856                          | EDIFACT DESADV                   |
 * | ------------------- | -------------------------------- | -------------------------------- |
 * | asnNumber           | BSN02 shipment identification    | BGM 1004 document number         |
 * | shipDate            | BSN03 (or DTM*011)               | DTM+11 despatch date             |
 * | deliveryDate        | DTM*017 estimated delivery       | DTM+132 estimated arrival        |
 * | supplier(Name)      | N1*SF / N1*SU (N104 id, N102)    | NAD+SU (3039 id, name)           |
 * | shipTo              | N1*ST N104                       | NAD+ST / NAD+DP                  |
 * | carrier             | TD5 05                           | TDT 8212 / NAD+CA                |
 * | billOfLading        | REF*BM                           | RFF+BM                           |
 * | purchaseOrder       | PRF01 (order level)              | RFF+ON                           |
 * | lines[].poLine      | PRF / LIN01 line of the PO       | RFF+ON 1156 (line number)        |
 * | lines[].material    | LIN*BP buyer's part number       | LIN 7140 / PIA+1 …:BP            |
 * | lines[].supplierMaterial | LIN*VP vendor's part number | PIA+1 …:SA                       |
 * | lines[].quantity, unit | SN102, SN103 (X12 unit code)  | QTY+12 6060, 6411 (UN/ECE rec 20)|
 * | lines[].lot         | LIN*LT                           | PIA+1 …:NB / GIR batch           |
 * | lines[].expiryDate  | DTM*036                          | DTM+36                           |
 *
 * `unit` is the unit code as sent (EA, KGM, LTR, …); the WMS maps it to its own units and refuses
 * one it has no mapping for (ASN-UOM-UNMAPPED).
 */

const date = z.iso.date().describe("YYYY-MM-DD");

export const asnLineSchema = z
  .object({
    poLine: z
      .string()
      .regex(/^[0-9]{1,6}$/)
      .describe("Line (item) of the purchase order, e.g. 00010 (leading zeros do not matter)"),
    material: z.string().min(1).max(40).describe("Buyer's material number"),
    supplierMaterial: z.string().min(1).max(35).optional().describe("Supplier's part number"),
    quantity: z.number().positive().describe("Shipped quantity, in `unit`"),
    unit: z.string().min(1).max(3).describe("Unit code as in the ASN (X12 355 / UN/ECE rec 20, e.g. EA, KGM, LTR)"),
    lot: z.string().min(1).max(10).optional().describe("Supplier batch / lot"),
    expiryDate: date.optional(),
  })
  .strict();
export type AsnLine = z.infer<typeof asnLineSchema>;

export const supplierAsnPayloadSchema = z
  .object({
    asnNumber: z.string().min(1).max(30).describe("Shipment / despatch advice number; unique per supplier"),
    supplier: z.string().min(1).max(35).describe("Supplier (vendor) number at the buyer"),
    supplierName: z.string().min(1).max(60).optional(),
    shipDate: date,
    deliveryDate: date.optional(),
    purchaseOrder: z.string().min(1).max(22),
    shipTo: z.string().min(1).max(10).optional().describe("Receiving plant; must be the purchase order's"),
    carrier: z.string().min(1).max(35).optional(),
    billOfLading: z.string().min(1).max(35).optional(),
    lines: z.array(asnLineSchema).min(1),
  })
  .strict()
  .superRefine((asn, ctx) => {
    const seen = new Set<number>();
    asn.lines.forEach((line, index) => {
      const number = Number(line.poLine);
      if (seen.has(number)) ctx.addIssue({ code: "custom", path: ["lines", index, "poLine"], message: `PO line ${line.poLine} appears twice` });
      seen.add(number);
    });
    if (asn.deliveryDate && asn.deliveryDate < asn.shipDate) ctx.addIssue({ code: "custom", path: ["deliveryDate"], message: "before shipDate" });
  });
export type SupplierAsnPayload = z.infer<typeof supplierAsnPayloadSchema>;

export const SUPPLIER_ASN_JSON_SCHEMA: Record<string, unknown> = (() => {
  const { $schema: _ignored, ...generated } = z.toJSONSchema(supplierAsnPayloadSchema, { target: "draft-2020-12", io: "input" }) as Record<string, unknown>;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Supplier ASN (X12 856 / EDIFACT DESADV → WMS expected receipt)",
    description: "Advance shipping notice as the WMS receives it: one purchase order, lines per PO line with quantity, unit code as sent, optional lot.",
    ...generated,
  };
})();

/** What the lead registers in server/corrections/payload-schemas.ts. */
export const WMS_PAYLOAD_SCHEMAS = { SUPPLIER_ASN: SUPPLIER_ASN_JSON_SCHEMA } as const;

// ---------------------------------------------------------------------------------------------
// Goods movement confirmed to the ERP: SAP API_MATERIAL_DOCUMENT_SRV's A_MaterialDocumentHeader
// with to_MaterialDocumentItem (OData v2 JSON: Edm.DateTime as "/Date(ms)/", Edm.Decimal as string).
// ---------------------------------------------------------------------------------------------

const odataDate = z.string().regex(/^\/Date\(\d+\)\/$/);

export const materialDocumentItemSchema = z
  .object({
    GoodsMovementType: z.enum(["101", "261", "311"]),
    Material: z.string().min(1).max(40),
    Plant: z.string().min(1).max(4),
    StorageLocation: z.string().min(1).max(4),
    Batch: z.string().max(10).optional(),
    QuantityInEntryUnit: z.string().regex(/^[0-9]+(\.[0-9]{1,3})?$/),
    EntryUnit: z.string().min(1).max(3),
    ManufacturingOrder: z.string().max(12).optional(),
    PurchaseOrder: z.string().max(10).optional(),
    PurchaseOrderItem: z.string().max(5).optional(),
    GoodsMovementRefDocType: z.string().max(1).optional(),
    IssuingOrReceivingPlant: z.string().max(4).optional(),
    IssuingOrReceivingStorageLoc: z.string().max(4).optional(),
    IssgOrRcvgBatch: z.string().max(10).optional(),
  })
  .strict();

export const goodsMovementSchema = z
  .object({
    PostingDate: odataDate,
    DocumentDate: odataDate,
    GoodsMovementCode: z.enum(["01", "03", "04"]),
    MaterialDocumentHeaderText: z.string().max(25),
    ReferenceDocument: z.string().max(16),
    to_MaterialDocumentItem: z.array(materialDocumentItemSchema).min(1),
  })
  .strict();
export type WmsGoodsMovement = z.infer<typeof goodsMovementSchema>;
export type MaterialDocumentItem = z.infer<typeof materialDocumentItemSchema>;
