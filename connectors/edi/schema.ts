import { z } from "zod";

/**
 * SUPPLIER_ASN: the JSON form of an advance ship notice (X12 856 / EDIFACT DESADV) that Andon stores,
 * shows and corrects. The supplier portal (source) produces it; the receiving system (Odoo / WMS)
 * accepts it on replay. `asnToX12` / `asnToEdifact` render it as EDI, `parseX12Asn` /
 * `parseEdifactAsn` read EDI back into it.
 *
 * - asnNumber      the supplier's shipment identification (X12 BSN02, EDIFACT BGM 1004)
 * - supplier       the supplier's number at the buyer (X12 N1*SU…*92*, EDIFACT NAD+SU …::92)
 * - shipDate       date of despatch, YYYY-MM-DD (X12 DTM*011, EDIFACT DTM+11)
 * - purchaseOrder  the buyer's PO number (X12 PRF01, EDIFACT RFF+ON)
 * - lines[].poLine the PO line (X12 LIN01, EDIFACT RFF+ON:<po>:<line> of the LIN group)
 * - lines[].material the buyer's part number (X12 LIN*…*BP*, EDIFACT LIN+…+<material>:BP)
 * - lines[].quantity / unit shipped quantity and the buyer's (ERP) unit (X12 SN1, EDIFACT QTY+12);
 *   units are converted to and from the EDI code lists by `./units`
 * - lines[].lot    the supplier's batch / lot (X12 LIN*…*LT*, EDIFACT PIA+1+<lot>:NB)
 */

/** Characters that would break X12 or EDIFACT syntax unescaped, and control characters. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this excludes
const EDI_SAFE = /^[^*~>^'+:?\u0000-\u001f\u007f]+$/;

const ediText = (max: number) => z.string().trim().min(1).max(max).regex(EDI_SAFE, "must not contain EDI delimiters (* ~ > ^ ' + : ?) or control characters");

export const asnLineSchema = z
  .object({
    poLine: z.string().regex(/^[0-9]{1,6}$/, "PO line is 1 to 6 digits, e.g. 10 or 00010"),
    material: ediText(35),
    quantity: z
      .number()
      .positive()
      .max(999_999_999)
      .refine((q) => Number.isInteger(Math.round(q * 1000)) && Math.abs(q * 1000 - Math.round(q * 1000)) < 1e-6, "at most 3 decimals"),
    unit: z.string().regex(/^[A-Z0-9]{1,3}$/, "unit of measure code, 1 to 3 upper-case letters or digits (e.g. PC, KG)"),
    lot: ediText(20).optional(),
  })
  .strict();

export const supplierAsnPayloadSchema = z
  .object({
    asnNumber: ediText(30),
    supplier: ediText(35),
    shipDate: z.iso.date(),
    purchaseOrder: ediText(22),
    lines: z.array(asnLineSchema).min(1).max(999),
  })
  .strict()
  .superRefine((asn, ctx) => {
    const seen = new Set<string>();
    asn.lines.forEach((line, index) => {
      const key = String(Number(line.poLine));
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["lines", index, "poLine"], message: `PO line ${line.poLine} appears twice` });
      seen.add(key);
    });
  });

export type SupplierAsnPayload = z.infer<typeof supplierAsnPayloadSchema>;
export type AsnLine = z.infer<typeof asnLineSchema>;

/** The JSON Schema of SUPPLIER_ASN, the same kind of object as server/corrections/payload-schemas.ts holds. */
export const SUPPLIER_ASN_JSON_SCHEMA: object = {
  ...z.toJSONSchema(supplierAsnPayloadSchema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }),
  title: "Supplier ASN (JSON form of X12 856 / EDIFACT DESADV)",
};
