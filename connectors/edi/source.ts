import { parseAsn, type EdiSyntax } from "./acknowledgments";
import { EdiPortalClient, type RequestOptions } from "./client";
import type { PurchaseOrderInput, SupplierInput } from "./portal-state";
import type { SupplierAsnPayload } from "./schema";

/**
 * The supplier portal as the SOURCE of SUPPLIER_ASN, for the plant simulator: create the supplier and
 * the purchase order the buyer placed (the same PO number the receiving system holds), let the supplier
 * ship an ASN against it — correct, or with one of the faults of SYSTEMS.md scenario 3 — and get the
 * interchange that left the portal, as EDI text and in the JSON form Andon stores.
 */

export type AsnScenario =
  /** Ship the given lines (default: every open line, its full open quantity). */
  | "normal"
  /** Add a line whose PO line number is not on the order (scenario 3: "ASN for an unknown PO line"). */
  | "unknown-po-line"
  /** Ship more than is open on the first line (refused by the receiver as "quantity over PO"). */
  | "over-quantity";

export interface ShipSupplierAsnInput {
  purchaseOrder: string;
  shipDate: string;
  asnNumber?: string;
  lines?: { poLine: string; quantity: number; lot?: string }[];
  scenario?: AsnScenario;
  /** For "over-quantity": how much more than open (default 10 % of the open quantity, at least 1). */
  overBy?: number;
}

export interface ShippedSupplierAsn {
  /** The SUPPLIER_ASN JSON form, read back from the interchange (as the connector would). */
  asn: SupplierAsnPayload;
  controlNumber: number;
  syntax: EdiSyntax;
  /** The interchange in the supplier's syntax. */
  edi: string;
}

const client = (portalUrl: string) => new EdiPortalClient(portalUrl);

export function createSupplier(portalUrl: string, supplier: SupplierInput, options?: RequestOptions) {
  return client(portalUrl).createSupplier(supplier, options);
}

export function createPurchaseOrder(portalUrl: string, po: PurchaseOrderInput, options?: RequestOptions) {
  return client(portalUrl).createPurchaseOrder(po, options);
}

/** Ships an ASN in the portal and returns the interchange it produced (EDI text and JSON form). */
export async function shipSupplierAsn(portalUrl: string, input: ShipSupplierAsnInput, options?: RequestOptions): Promise<ShippedSupplierAsn> {
  const portal = client(portalUrl);
  const scenario = input.scenario ?? "normal";
  const po = await portal.purchaseOrder(input.purchaseOrder);
  let lines: { poLine: string; quantity: number; lot?: string; material?: string; unit?: string }[] =
    input.lines ?? po.lines.filter((l) => l.open > 0).map((l) => ({ poLine: l.line, quantity: l.open }));
  if (lines.length === 0) throw new Error(`Purchase order ${input.purchaseOrder} has nothing open to ship`);
  if (scenario === "unknown-po-line") {
    const first = po.lines[0]!;
    const unknown = String(Math.max(...po.lines.map((l) => Number(l.line))) + 10);
    lines = [...lines, { poLine: unknown, quantity: 1, material: first.material, unit: first.unit }];
  } else if (scenario === "over-quantity") {
    const [first, ...rest] = lines;
    const open = po.lines.find((l) => Number(l.line) === Number(first!.poLine))?.open ?? first!.quantity;
    lines = [{ ...first!, quantity: Math.round((open + (input.overBy ?? Math.max(1, Math.ceil(open * 0.1)))) * 1000) / 1000 }, ...rest];
  }
  const shipped = await portal.shipAsn(
    { purchaseOrder: input.purchaseOrder, shipDate: input.shipDate, asnNumber: input.asnNumber, lines, checks: scenario === "normal" ? "enforce" : "skip" },
    options,
  );
  const edi = await portal.interchange(shipped.controlNumber);
  return { asn: parseAsn(edi).asn, controlNumber: shipped.controlNumber, syntax: shipped.syntax, edi };
}

/** Sends an ASN again under a new control number (the receiver should refuse it as a duplicate ASN). */
export async function retransmitSupplierAsn(portalUrl: string, asnNumber: string, options?: RequestOptions): Promise<ShippedSupplierAsn> {
  const portal = client(portalUrl);
  const shipped = await portal.retransmit(asnNumber, options);
  const edi = await portal.interchange(shipped.controlNumber);
  return { asn: parseAsn(edi).asn, controlNumber: shipped.controlNumber, syntax: shipped.syntax, edi };
}

/** The ASN's latest interchange as X12 856 or EDIFACT DESADV text (default: the supplier's syntax). */
export function fetchAsnEdi(portalUrl: string, asnNumber: string, syntax?: EdiSyntax): Promise<string> {
  return client(portalUrl).asnEdi(asnNumber, syntax);
}

/** EDI text (856 or DESADV) → the SUPPLIER_ASN JSON form. */
export function asnJsonFromEdi(text: string): SupplierAsnPayload {
  return parseAsn(text).asn;
}
