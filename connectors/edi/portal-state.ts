import { z } from "zod";
import type { EdiSyntax, ParsedAcknowledgment } from "./acknowledgments";
import { asnToEdifact } from "./edifact";
import { supplierAsnPayloadSchema, type SupplierAsnPayload } from "./schema";
import { asnToX12, type Refusal } from "./x12";

/**
 * The supplier portal's data and rules: suppliers (with their EDI id and syntax), purchase orders the
 * buyer placed with them, ASNs the suppliers ship against those orders, the interchanges (transmissions)
 * that carried each ASN to the buyer, and the answers that came back: functional acknowledgments
 * (997 / CONTRL) and application advices (824 / APERAK: the buyer's business acceptance or refusal).
 */

export class PortalError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const code = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9._/-]+$/, "letters, digits and . _ / - only");

export const supplierInputSchema = z
  .object({
    supplier: code(35),
    name: z.string().trim().min(1).max(60),
    /** Interchange id (ISA06 / UNB S002), at most 15 characters for X12. */
    ediId: z.string().regex(/^[A-Z0-9]{2,15}$/, "2 to 15 upper-case letters or digits"),
    syntax: z.enum(["X12", "EDIFACT"]),
  })
  .strict();
export type SupplierInput = z.infer<typeof supplierInputSchema>;

const positive = z.number().positive().max(999_999_999);

export const purchaseOrderInputSchema = z
  .object({
    poNumber: code(22),
    supplier: code(35),
    plant: z.string().trim().min(1).max(10).optional(),
    lines: z
      .array(
        z
          .object({
            line: z.string().regex(/^[0-9]{1,6}$/),
            material: code(35),
            quantity: positive,
            unit: z.string().regex(/^[A-Z0-9]{1,3}$/),
          })
          .strict(),
      )
      .min(1)
      .max(999),
  })
  .strict();
export type PurchaseOrderInput = z.infer<typeof purchaseOrderInputSchema>;

export const shipAsnInputSchema = z
  .object({
    /** Default: the portal numbers the ASN. */
    asnNumber: code(30).optional(),
    purchaseOrder: code(22),
    /** Needed only when the purchase order is not in the portal (checks "skip"). */
    supplier: code(35).optional(),
    shipDate: z.iso.date(),
    lines: z
      .array(
        z
          .object({
            poLine: z.string().regex(/^[0-9]{1,6}$/),
            quantity: positive,
            lot: code(20).optional(),
            /** Default: the PO line's material and unit. */
            material: code(35).optional(),
            unit: z
              .string()
              .regex(/^[A-Z0-9]{1,3}$/)
              .optional(),
          })
          .strict(),
      )
      .min(1)
      .max(999),
    /**
     * enforce (default): the portal checks the ASN against the order as its web form does.
     * skip: the supplier's own EDI system sent it unchecked (how an unknown PO line or an
     * over-delivery reaches the buyer).
     */
    checks: z.enum(["enforce", "skip"]).default("enforce"),
  })
  .strict();
export type ShipAsnInput = z.input<typeof shipAsnInputSchema>;

export type Supplier = SupplierInput;

export interface PurchaseOrderLine {
  line: string;
  material: string;
  quantity: number;
  unit: string;
  /** Quantity on ASNs so far. */
  shipped: number;
}

export interface PurchaseOrder {
  poNumber: string;
  supplier: string;
  plant?: string;
  lines: PurchaseOrderLine[];
}

/** The portal's own status vocabulary of an ASN. */
export type AsnStatus = "SENT" | "ACKNOWLEDGED" | "REJECTED" | "ACCEPTED" | "REFUSED";

export interface AcknowledgmentRecord {
  document: ParsedAcknowledgment["document"];
  kind: ParsedAcknowledgment["kind"];
  /** The answer's own interchange control number and sender. */
  controlNumber: number;
  sender: string;
  receivedAt: string;
  status: ParsedAcknowledgment["status"];
  codes: string[];
  refusals: Refusal[];
}

export interface Transmission {
  /** ISA13 / GS06 / UNB 0020 of the interchange that carried the ASN. */
  controlNumber: number;
  asnNumber: string;
  syntax: EdiSyntax;
  sentAt: string;
  acknowledgments: AcknowledgmentRecord[];
}

export interface Asn {
  payload: SupplierAsnPayload;
  status: AsnStatus;
  checks: "enforce" | "skip";
  createdAt: string;
  /** Control numbers of the interchanges that carried it, oldest first. */
  transmissions: number[];
  /** The latest business refusals (824 / APERAK), empty once accepted. */
  refusals: Refusal[];
}

export interface PortalSeed {
  suppliers: SupplierInput[];
  purchaseOrders: PurchaseOrderInput[];
}

export const DEFAULT_SEED: PortalSeed = {
  suppliers: [
    { supplier: "SUP-100", name: "Stahlwerk Nord GmbH", ediId: "SUP100", syntax: "X12" },
    { supplier: "SUP-200", name: "Fixings Europe BV", ediId: "4012345000009", syntax: "EDIFACT" },
  ],
  purchaseOrders: [
    {
      poNumber: "4500001234",
      supplier: "SUP-100",
      plant: "1000",
      lines: [
        { line: "10", material: "RM-4711", quantity: 500, unit: "KG" },
        { line: "20", material: "RM-0815", quantity: 10000, unit: "PC" },
      ],
    },
    { poNumber: "4500001300", supplier: "SUP-200", plant: "1000", lines: [{ line: "10", material: "RM-2000", quantity: 1000, unit: "M" }] },
  ],
};

const sameLine = (a: string, b: string) => Number(a) === Number(b);
const round3 = (n: number) => Math.round(n * 1000) / 1000;

export interface PortalOptions {
  now: () => Date;
  /** The buyer's interchange id (ISA08 / UNB S003). */
  buyerId: string;
  /** First control number of the portal's outbound interchanges. */
  firstControlNumber: number;
}

export class PortalState {
  readonly suppliers = new Map<string, Supplier>();
  readonly purchaseOrders = new Map<string, PurchaseOrder>();
  readonly asns = new Map<string, Asn>();
  readonly transmissions = new Map<number, Transmission>();
  /** Answers received, by `${syntax}:${sender}:${controlNumber}` of the answer's own interchange. */
  readonly received = new Map<string, { fingerprint: string; answer: AcknowledgmentAnswer }>();
  #nextControlNumber: number;
  #nextAsn = 1;

  constructor(
    private readonly options: PortalOptions,
    seed: PortalSeed = DEFAULT_SEED,
  ) {
    this.#nextControlNumber = options.firstControlNumber;
    this.seed(seed);
  }

  seed(seed: Partial<PortalSeed>): void {
    for (const supplier of seed.suppliers ?? []) this.createSupplier(supplier);
    for (const po of seed.purchaseOrders ?? []) this.createPurchaseOrder(po);
  }

  createSupplier(input: SupplierInput): { supplier: Supplier; created: boolean } {
    const value = supplierInputSchema.parse(input);
    const existing = this.suppliers.get(value.supplier);
    if (existing) {
      if (JSON.stringify(existing) !== JSON.stringify(value))
        throw new PortalError(409, "SUPPLIER_EXISTS", `Supplier ${value.supplier} exists with other data`);
      return { supplier: existing, created: false };
    }
    this.suppliers.set(value.supplier, value);
    return { supplier: value, created: true };
  }

  createPurchaseOrder(input: PurchaseOrderInput): { purchaseOrder: PurchaseOrder; created: boolean } {
    const value = purchaseOrderInputSchema.parse(input);
    if (!this.suppliers.has(value.supplier)) throw new PortalError(422, "SUPPLIER_UNKNOWN", `Supplier ${value.supplier} is not registered in the portal`);
    const seen = new Set<number>();
    for (const line of value.lines) {
      if (seen.has(Number(line.line))) throw new PortalError(422, "PO_LINE_DUPLICATE", `Purchase order ${value.poNumber} has line ${line.line} twice`);
      seen.add(Number(line.line));
    }
    const existing = this.purchaseOrders.get(value.poNumber);
    if (existing) {
      const same = existing.supplier === value.supplier && JSON.stringify(existing.lines.map(({ shipped: _, ...l }) => l)) === JSON.stringify(value.lines);
      if (!same) throw new PortalError(409, "PO_EXISTS", `Purchase order ${value.poNumber} exists with other data`);
      return { purchaseOrder: existing, created: false };
    }
    const po: PurchaseOrder = { ...value, lines: value.lines.map((line) => ({ ...line, shipped: 0 })) };
    this.purchaseOrders.set(po.poNumber, po);
    return { purchaseOrder: po, created: true };
  }

  /** The ASN as it would be built from the input (without saving anything). */
  #buildAsn(input: z.output<typeof shipAsnInputSchema>): { payload: SupplierAsnPayload; po: PurchaseOrder | undefined } {
    const po = this.purchaseOrders.get(input.purchaseOrder);
    const enforce = input.checks === "enforce";
    if (!po && enforce) throw new PortalError(422, "PO_UNKNOWN", `Purchase order ${input.purchaseOrder} does not exist`);
    const supplier = po?.supplier ?? input.supplier;
    if (!supplier) throw new PortalError(422, "SUPPLIER_REQUIRED", `Purchase order ${input.purchaseOrder} is not in the portal: give the supplier`);
    if (input.supplier && po && input.supplier !== po.supplier) {
      throw new PortalError(422, "SUPPLIER_MISMATCH", `Purchase order ${po.poNumber} belongs to supplier ${po.supplier}, not ${input.supplier}`);
    }
    if (!this.suppliers.has(supplier)) throw new PortalError(422, "SUPPLIER_UNKNOWN", `Supplier ${supplier} is not registered in the portal`);
    const lines = input.lines.map((line) => {
      const poLine = po?.lines.find((l) => sameLine(l.line, line.poLine));
      if (!poLine && enforce) {
        throw new PortalError(422, "PO_LINE_UNKNOWN", `Line ${line.poLine} does not exist on purchase order ${input.purchaseOrder}`, { poLine: line.poLine });
      }
      const material = line.material ?? poLine?.material;
      const unit = line.unit ?? poLine?.unit;
      if (!material || !unit) throw new PortalError(422, "LINE_DATA_REQUIRED", `Line ${line.poLine} is not on the order: give material and unit`);
      if (enforce && poLine) {
        if (material !== poLine.material) {
          throw new PortalError(
            422,
            "MATERIAL_MISMATCH",
            `Line ${line.poLine} of purchase order ${input.purchaseOrder} is for ${poLine.material}, not ${material}`,
          );
        }
        if (unit !== poLine.unit) throw new PortalError(422, "UNIT_MISMATCH", `Line ${line.poLine} is ordered in ${poLine.unit}, not ${unit}`);
        const open = round3(poLine.quantity - poLine.shipped);
        if (line.quantity > open) {
          throw new PortalError(
            422,
            "QUANTITY_OVER_PO",
            `Quantity ${line.quantity} ${unit} exceeds the open quantity ${open} ${unit} of purchase order ${input.purchaseOrder} line ${line.poLine}`,
            { poLine: line.poLine, open },
          );
        }
      }
      return { poLine: line.poLine, material, quantity: line.quantity, unit, ...(line.lot ? { lot: line.lot } : {}) };
    });
    const asnNumber = input.asnNumber ?? `ASN-${supplier}-${String(this.#nextAsn).padStart(6, "0")}`;
    const parsed = supplierAsnPayloadSchema.safeParse({ asnNumber, supplier, shipDate: input.shipDate, purchaseOrder: input.purchaseOrder, lines });
    if (!parsed.success) {
      throw new PortalError(422, "ASN_INVALID", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
    }
    return { payload: parsed.data, po };
  }

  shipAsn(rawInput: ShipAsnInput): { asn: Asn; transmission: Transmission; created: boolean } {
    const input = shipAsnInputSchema.parse(rawInput);
    const { payload, po } = this.#buildAsn(input);
    const existing = this.asns.get(payload.asnNumber);
    if (existing) {
      if (JSON.stringify(existing.payload) !== JSON.stringify(payload)) {
        throw new PortalError(409, "DUPLICATE_ASN", `ASN ${payload.asnNumber} was already sent with other content`);
      }
      return { asn: existing, transmission: this.transmissions.get(existing.transmissions.at(-1)!)!, created: false };
    }
    if (!input.asnNumber) this.#nextAsn += 1;
    for (const line of payload.lines) {
      const poLine = po?.lines.find((l) => sameLine(l.line, line.poLine));
      if (poLine) poLine.shipped = round3(poLine.shipped + line.quantity);
    }
    const asn: Asn = { payload, status: "SENT", checks: input.checks, createdAt: this.options.now().toISOString(), transmissions: [], refusals: [] };
    this.asns.set(payload.asnNumber, asn);
    return { asn, transmission: this.#transmit(asn), created: true };
  }

  /** Sends the ASN again in a new interchange (a new control number), as suppliers do. */
  retransmit(asnNumber: string): { asn: Asn; transmission: Transmission } {
    const asn = this.asn(asnNumber);
    asn.status = "SENT";
    return { asn, transmission: this.#transmit(asn) };
  }

  #transmit(asn: Asn): Transmission {
    const supplier = this.suppliers.get(asn.payload.supplier);
    const transmission: Transmission = {
      controlNumber: this.#nextControlNumber,
      asnNumber: asn.payload.asnNumber,
      syntax: supplier?.syntax ?? "X12",
      sentAt: this.options.now().toISOString(),
      acknowledgments: [],
    };
    this.#nextControlNumber += 1;
    this.transmissions.set(transmission.controlNumber, transmission);
    asn.transmissions.push(transmission.controlNumber);
    return transmission;
  }

  asn(asnNumber: string): Asn {
    const asn = this.asns.get(asnNumber);
    if (!asn) throw new PortalError(404, "ASN_NOT_FOUND", `ASN ${asnNumber} does not exist`);
    return asn;
  }

  transmission(controlNumber: number): Transmission {
    const transmission = this.transmissions.get(controlNumber);
    if (!transmission) throw new PortalError(404, "INTERCHANGE_NOT_FOUND", `No interchange with control number ${controlNumber} was sent`);
    return transmission;
  }

  /** The interchange as EDI text in the given syntax (default: the one it was sent in). */
  render(controlNumber: number, syntax?: EdiSyntax): string {
    const transmission = this.transmission(controlNumber);
    const asn = this.asn(transmission.asnNumber);
    const supplier = this.suppliers.get(asn.payload.supplier);
    const ediId =
      supplier?.ediId ??
      asn.payload.supplier
        .replace(/[^A-Z0-9]/gi, "")
        .slice(0, 15)
        .toUpperCase();
    const now = new Date(transmission.sentAt);
    if ((syntax ?? transmission.syntax) === "X12") {
      return asnToX12(asn.payload, { sender: { id: ediId }, receiver: { id: this.options.buyerId }, controlNumber, now });
    }
    return asnToEdifact(asn.payload, { sender: { id: ediId }, recipient: { id: this.options.buyerId }, controlReference: controlNumber, now });
  }

  /**
   * Records a 997 / CONTRL / 824 / APERAK. The answer's own interchange (sender + control number) is
   * applied once: the same one again gets the first answer (duplicate: true), with other content 422.
   */
  receiveAcknowledgment(ack: ParsedAcknowledgment, fingerprint: string): { answer: AcknowledgmentAnswer; duplicate: boolean } {
    const key = `${ack.syntax}:${ack.sender}:${ack.controlNumber}`;
    const seen = this.received.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        throw new PortalError(422, "CONTROL_NUMBER_REUSED", `Interchange ${ack.controlNumber} from ${ack.sender} was already received with other content`);
      }
      return { answer: seen.answer, duplicate: true };
    }
    const transmission = this.transmissions.get(ack.acknowledgedControlNumber);
    if (!transmission) {
      throw new PortalError(
        422,
        "UNKNOWN_INTERCHANGE",
        `${ack.document} acknowledges interchange ${ack.acknowledgedControlNumber}, which the portal did not send`,
      );
    }
    if (ack.asnNumber && ack.asnNumber !== transmission.asnNumber) {
      throw new PortalError(
        422,
        "ASN_MISMATCH",
        `${ack.document} names ASN ${ack.asnNumber}; interchange ${transmission.controlNumber} carried ASN ${transmission.asnNumber}`,
      );
    }
    const asn = this.asn(transmission.asnNumber);
    const refusals: Refusal[] = ack.refusals.map(({ code, message, poLine }) => ({ code, message, ...(poLine ? { poLine } : {}) }));
    transmission.acknowledgments.push({
      document: ack.document,
      kind: ack.kind,
      controlNumber: ack.controlNumber,
      sender: ack.sender,
      receivedAt: this.options.now().toISOString(),
      status: ack.status,
      codes: ack.codes,
      refusals,
    });
    if (ack.kind === "functional") {
      if (ack.status === "rejected") asn.status = "REJECTED";
      else if (asn.status === "SENT") asn.status = "ACKNOWLEDGED";
    } else if (ack.status === "accepted") {
      asn.status = "ACCEPTED";
      asn.refusals = [];
    } else {
      asn.status = "REFUSED";
      asn.refusals = refusals;
    }
    const answer: AcknowledgmentAnswer = {
      document: ack.document,
      controlNumber: ack.controlNumber,
      acknowledgedControlNumber: transmission.controlNumber,
      asnNumber: asn.payload.asnNumber,
      asnStatus: asn.status,
    };
    this.received.set(key, { fingerprint, answer });
    return { answer, duplicate: false };
  }
}

export interface AcknowledgmentAnswer {
  document: ParsedAcknowledgment["document"];
  controlNumber: number;
  acknowledgedControlNumber: number;
  asnNumber: string;
  asnStatus: AsnStatus;
}
