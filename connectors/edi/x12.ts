import { EdiError, type EdiProblem } from "./errors";
import { supplierAsnPayloadSchema, type AsnLine, type SupplierAsnPayload } from "./schema";
import { fromX12Unit, toX12Unit } from "./units";

/**
 * ANSI ASC X12 (version 004010): our own reader and writer of interchanges, the 856 Ship Notice /
 * Manifest in the JSON form of SUPPLIER_ASN, and the answers a receiver sends back: 997 Functional
 * Acknowledgment (syntax) and 824 Application Advice (business refusals of the ASN).
 *
 * Envelope: ISA (fixed width, 106 characters with its terminator; delimiters are read from it: the
 * element separator at position 4, the component separator at 105, the segment terminator at 106),
 * GS / GE functional group, ST / SE transaction set, IEA. Trailers carry counts and repeat the control
 * numbers; `readX12` checks both and reports with the codes a 997 / TA1 would use (see errors.ts).
 *
 * 856 as written by `asnToX12` (hierarchy shipment S → order O → item I):
 *
 *   ST*856*0001~ BSN*00*<asnNumber>*<date>*<time>~
 *   HL*1**S~ DTM*011*<shipDate>~ N1*SU**92*<supplier>~
 *   HL*2*1*O~ PRF*<purchaseOrder>~
 *   HL*3*2*I~ LIN*<poLine>*BP*<material>[*LT*<lot>]~ SN1**<quantity>*<unit>~   (one I level per line)
 *   SE*<segments>*0001~
 */

export interface X12Delimiters {
  element: string;
  component: string;
  segment: string;
}

export const X12_DELIMITERS: X12Delimiters = { element: "*", component: ">", segment: "~" };

/** A segment: its id and its elements; `elements[0]` is element 01. */
export interface X12Segment {
  id: string;
  elements: string[];
}

export interface X12Party {
  /** ISA05 / ISA07, e.g. ZZ (mutually defined), 01 (DUNS). */
  qualifier: string;
  /** ISA06 / ISA08 without the padding. */
  id: string;
}

export interface X12Transaction {
  /** ST01, e.g. 856. */
  type: string;
  /** ST02. */
  controlNumber: string;
  /** The segments from ST to SE, both included (ST has position 1). */
  segments: X12Segment[];
  /** SE01 as received. */
  declaredSegmentCount: number;
}

export interface X12Group {
  /** GS01, e.g. SH (ship notice), FA (functional acknowledgment), AG (application advice). */
  functionalId: string;
  /** GS02 / GS03. */
  applicationSender: string;
  applicationReceiver: string;
  /** GS04 CCYYMMDD, GS05 HHMM. */
  date: string;
  time: string;
  /** GS06. */
  controlNumber: string;
  /** GS08, e.g. 004010. */
  version: string;
  /** GE01 as received. */
  declaredTransactionCount: number;
  transactions: X12Transaction[];
}

export interface X12Interchange {
  delimiters: X12Delimiters;
  sender: X12Party;
  receiver: X12Party;
  /** ISA09 YYMMDD, ISA10 HHMM. */
  date: string;
  time: string;
  /** ISA12, e.g. 00401. */
  version: string;
  /** ISA13, nine digits. */
  controlNumber: string;
  /** ISA14: 1 = TA1 requested. */
  ackRequested: string;
  /** ISA15: P production, T test. */
  usage: string;
  groups: X12Group[];
}

export interface X12ReadResult {
  interchange: X12Interchange;
  /** Syntax problems found in trailers and counts; the interchange is still returned. */
  problems: EdiProblem[];
}

const problem = (p: Omit<EdiProblem, "standard">): EdiProblem => ({ standard: "X12", ...p });

/** The delimiters an interchange declares in its ISA segment. */
export function detectX12Delimiters(text: string): X12Delimiters {
  const start = text.indexOf("ISA");
  if (start === -1 || text.slice(0, start).trim() !== "") {
    throw new EdiError(problem({ level: "interchange", code: "024", message: "Not an X12 interchange: it must begin with an ISA segment" }));
  }
  const isa = text.slice(start, start + 106);
  if (isa.length < 106) throw new EdiError(problem({ level: "interchange", code: "023", message: "The ISA segment is shorter than 106 characters" }));
  const element = isa[3] ?? "";
  const parts = isa.slice(0, 105).split(element);
  if (parts.length !== 17) {
    throw new EdiError(
      problem({ level: "interchange", code: "024", message: `ISA must have 16 fixed-width elements; found ${parts.length - 1}`, segment: "ISA" }),
    );
  }
  return { element, component: isa[104] ?? "", segment: isa[105] ?? "" };
}

/** Splits an interchange into segments (line breaks after segment terminators are ignored). */
export function tokenizeX12(text: string, delimiters = detectX12Delimiters(text)): X12Segment[] {
  const body = text.slice(text.indexOf("ISA"));
  const raw = body.split(delimiters.segment);
  const segments: X12Segment[] = [];
  for (const piece of raw) {
    const cleaned = delimiters.segment === "\n" || delimiters.segment === "\r" ? piece.replace(/^[\r\n]+/, "") : piece.replace(/^[\r\n]+|[\r\n]+$/g, "");
    if (cleaned.trim() === "") continue;
    const [id = "", ...elements] = cleaned.split(delimiters.element);
    segments.push({ id: id.trim(), elements });
  }
  return segments;
}

const el = (segment: X12Segment | undefined, n: number): string => segment?.elements[n - 1] ?? "";
const int = (value: string): number => (/^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN);

/**
 * Reads an interchange and checks its envelope: IEA / GE / SE counts and control numbers. Structural
 * problems that leave no interchange to return (no ISA, no trailer at all) throw an EdiError.
 */
export function readX12(text: string): X12ReadResult {
  const delimiters = detectX12Delimiters(text);
  const segments = tokenizeX12(text, delimiters);
  const problems: EdiProblem[] = [];
  const isa = segments[0];
  if (isa?.id !== "ISA") throw new EdiError(problem({ level: "interchange", code: "024", message: "The interchange does not begin with ISA" }));
  const interchange: X12Interchange = {
    delimiters,
    sender: { qualifier: el(isa, 5).trim(), id: el(isa, 6).trim() },
    receiver: { qualifier: el(isa, 7).trim(), id: el(isa, 8).trim() },
    date: el(isa, 9),
    time: el(isa, 10),
    version: el(isa, 12),
    controlNumber: el(isa, 13),
    ackRequested: el(isa, 14),
    usage: el(isa, 15),
    groups: [],
  };
  if (!/^\d{9}$/.test(interchange.controlNumber)) {
    throw new EdiError(
      problem({ level: "interchange", code: "018", message: `ISA13 must be nine digits (got "${interchange.controlNumber}")`, segment: "ISA" }),
    );
  }

  let group: X12Group | undefined;
  let transaction: X12Transaction | undefined;
  let iea: X12Segment | undefined;
  for (const segment of segments.slice(1)) {
    if (iea) {
      problems.push(problem({ level: "interchange", code: "024", message: `Segment ${segment.id} after IEA`, segment: segment.id }));
      break;
    }
    if (transaction) {
      transaction.segments.push(segment);
      if (segment.id !== "SE") {
        if (segment.id === "ST" || segment.id === "GE" || segment.id === "IEA") {
          transaction.segments.pop();
          problems.push(
            problem({
              level: "transaction",
              code: "2",
              message: `Transaction set ${transaction.type} ${transaction.controlNumber} has no SE trailer`,
              groupControlNumber: group?.controlNumber,
              transactionControlNumber: transaction.controlNumber,
            }),
          );
          transaction = undefined;
        } else continue;
      } else {
        transaction.declaredSegmentCount = int(el(segment, 1));
        const ctx = {
          groupControlNumber: group?.controlNumber,
          transactionControlNumber: transaction.controlNumber,
          segment: "SE",
          position: transaction.segments.length,
        };
        if (el(segment, 2) !== transaction.controlNumber) {
          problems.push(
            problem({ level: "transaction", code: "3", message: `SE02 ${el(segment, 2)} does not match ST02 ${transaction.controlNumber}`, ...ctx }),
          );
        }
        if (transaction.declaredSegmentCount !== transaction.segments.length) {
          problems.push(
            problem({
              level: "transaction",
              code: "4",
              message: `SE01 says ${el(segment, 1)} segments; the transaction set has ${transaction.segments.length}`,
              ...ctx,
            }),
          );
        }
        transaction = undefined;
        continue;
      }
    }
    switch (segment.id) {
      case "GS":
        if (group)
          problems.push(
            problem({
              level: "group",
              code: "3",
              message: `Functional group ${group.controlNumber} has no GE trailer`,
              groupControlNumber: group.controlNumber,
            }),
          );
        group = {
          functionalId: el(segment, 1),
          applicationSender: el(segment, 2),
          applicationReceiver: el(segment, 3),
          date: el(segment, 4),
          time: el(segment, 5),
          controlNumber: el(segment, 6),
          version: el(segment, 8),
          declaredTransactionCount: Number.NaN,
          transactions: [],
        };
        interchange.groups.push(group);
        break;
      case "ST":
        if (!group) {
          problems.push(problem({ level: "interchange", code: "024", message: "ST outside a functional group", segment: "ST" }));
          group = {
            functionalId: "",
            applicationSender: "",
            applicationReceiver: "",
            date: "",
            time: "",
            controlNumber: "",
            version: "",
            declaredTransactionCount: 0,
            transactions: [],
          };
          interchange.groups.push(group);
        }
        transaction = { type: el(segment, 1), controlNumber: el(segment, 2), segments: [segment], declaredSegmentCount: Number.NaN };
        group.transactions.push(transaction);
        if (!/^[0-9A-Za-z]{4,9}$/.test(transaction.controlNumber)) {
          problems.push(
            problem({
              level: "transaction",
              code: "7",
              message: `ST02 "${transaction.controlNumber}" is not a valid transaction set control number`,
              groupControlNumber: group.controlNumber,
              transactionControlNumber: transaction.controlNumber,
            }),
          );
        }
        break;
      case "GE": {
        if (!group) {
          problems.push(problem({ level: "interchange", code: "024", message: "GE without GS", segment: "GE" }));
          break;
        }
        group.declaredTransactionCount = int(el(segment, 1));
        if (el(segment, 2) !== group.controlNumber) {
          problems.push(
            problem({
              level: "group",
              code: "4",
              message: `GE02 ${el(segment, 2)} does not match GS06 ${group.controlNumber}`,
              groupControlNumber: group.controlNumber,
            }),
          );
        }
        if (group.declaredTransactionCount !== group.transactions.length) {
          problems.push(
            problem({
              level: "group",
              code: "5",
              message: `GE01 says ${el(segment, 1)} transaction sets; the group has ${group.transactions.length}`,
              groupControlNumber: group.controlNumber,
            }),
          );
        }
        group = undefined;
        break;
      }
      case "IEA":
        iea = segment;
        break;
      default:
        problems.push(problem({ level: "interchange", code: "024", message: `Segment ${segment.id} outside a transaction set`, segment: segment.id }));
    }
  }
  if (transaction) {
    problems.push(
      problem({
        level: "transaction",
        code: "2",
        message: `Transaction set ${transaction.type} ${transaction.controlNumber} has no SE trailer`,
        groupControlNumber: group?.controlNumber,
        transactionControlNumber: transaction.controlNumber,
      }),
    );
  }
  if (group)
    problems.push(
      problem({ level: "group", code: "3", message: `Functional group ${group.controlNumber} has no GE trailer`, groupControlNumber: group.controlNumber }),
    );
  if (!iea) {
    problems.push(problem({ level: "interchange", code: "023", message: "The interchange has no IEA trailer (premature end of file)" }));
  } else {
    if (el(iea, 2) !== interchange.controlNumber) {
      problems.push(
        problem({ level: "interchange", code: "001", message: `IEA02 ${el(iea, 2)} does not match ISA13 ${interchange.controlNumber}`, segment: "IEA" }),
      );
    }
    if (int(el(iea, 1)) !== interchange.groups.length) {
      problems.push(
        problem({
          level: "interchange",
          code: "021",
          message: `IEA01 says ${el(iea, 1)} functional groups; the interchange has ${interchange.groups.length}`,
          segment: "IEA",
        }),
      );
    }
  }
  return { interchange, problems };
}

/** Reads an interchange and throws the first envelope problem, if any. */
export function parseX12(text: string): X12Interchange {
  const { interchange, problems } = readX12(text);
  const first = problems[0];
  if (first) throw new EdiError(first);
  return interchange;
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

export interface X12EnvelopeOptions {
  sender: { qualifier?: string; id: string };
  receiver: { qualifier?: string; id: string };
  /** ISA13 (and GS06 unless `groupControlNumber` is given): 1 … 999999999. */
  controlNumber: number;
  groupControlNumber?: number;
  /** ST02, default 0001. */
  transactionControlNumber?: string;
  /** Interchange date and time (UTC); default now. */
  now?: Date;
  /** ISA15, default P. */
  usage?: "P" | "T";
  /** GS02 / GS03, default the ISA ids. */
  applicationSender?: string;
  applicationReceiver?: string;
  delimiters?: X12Delimiters;
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");
const ccyymmdd = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
const hhmm = (d: Date) => `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}`;

/** X12 decimal ("R"): no exponent, no trailing zeros, at most 3 decimals. */
export function x12Decimal(value: number): string {
  return String(Number(value.toFixed(3)));
}

function checkValue(value: string, delimiters: X12Delimiters, where: string): string {
  for (const ch of [delimiters.element, delimiters.component, delimiters.segment]) {
    if (value.includes(ch)) {
      throw new EdiError(
        problem({
          level: "segment",
          code: "8",
          elementCode: "6",
          message: `${where}: "${value}" contains the delimiter "${ch}" (X12 has no escape character)`,
          value,
        }),
      );
    }
  }
  return value;
}

/** One segment as text (trailing empty elements dropped, as X12 requires). */
export function serializeX12Segment(segment: X12Segment, delimiters: X12Delimiters = X12_DELIMITERS): string {
  const elements = [...segment.elements];
  while (elements.length > 0 && elements.at(-1) === "") elements.pop();
  elements.forEach((value, i) => {
    checkValue(value, delimiters, `${segment.id}${pad(i + 1, 2)}`);
  });
  return [segment.id, ...elements].join(delimiters.element);
}

export interface X12TransactionDraft {
  type: string;
  /** The segments between ST and SE. */
  body: X12Segment[];
}

/**
 * Wraps transaction sets into ISA / GS / ST … SE / GE / IEA with the counts and control numbers.
 * Segments are separated by the terminator and a line break; the last one ends with the terminator only.
 */
export function writeX12(functionalId: string, transactions: X12TransactionDraft[], options: X12EnvelopeOptions): string {
  const d = options.delimiters ?? X12_DELIMITERS;
  const now = options.now ?? new Date();
  const icn = options.controlNumber;
  if (!Number.isInteger(icn) || icn < 1 || icn > 999_999_999) throw new RangeError(`interchange control number must be 1 … 999999999 (got ${icn})`);
  const gcn = options.groupControlNumber ?? icn;
  const senderId = checkValue(options.sender.id, d, "ISA06");
  const receiverId = checkValue(options.receiver.id, d, "ISA08");
  if (senderId.length > 15 || receiverId.length > 15) throw new RangeError("ISA06 / ISA08 have at most 15 characters");
  const isa: X12Segment = {
    id: "ISA",
    elements: [
      "00",
      " ".repeat(10),
      "00",
      " ".repeat(10),
      (options.sender.qualifier ?? "ZZ").padEnd(2),
      senderId.padEnd(15),
      (options.receiver.qualifier ?? "ZZ").padEnd(2),
      receiverId.padEnd(15),
      ccyymmdd(now).slice(2),
      hhmm(now),
      "U",
      "00401",
      pad(icn, 9),
      "0",
      options.usage ?? "P",
      d.component,
    ],
  };
  const isaText = [isa.id, ...isa.elements].join(d.element);
  if (isaText.length !== 105) throw new Error(`ISA must be 105 characters before its terminator (got ${isaText.length})`);
  const lines: string[] = [isaText];
  lines.push(
    serializeX12Segment(
      {
        id: "GS",
        elements: [
          functionalId,
          options.applicationSender ?? senderId,
          options.applicationReceiver ?? receiverId,
          ccyymmdd(now),
          hhmm(now),
          String(gcn),
          "X",
          "004010",
        ],
      },
      d,
    ),
  );
  transactions.forEach((transaction, index) => {
    const st02 = index === 0 && options.transactionControlNumber ? options.transactionControlNumber : pad(index + 1, 4);
    const segments = [{ id: "ST", elements: [transaction.type, st02] }, ...transaction.body];
    for (const segment of segments) lines.push(serializeX12Segment(segment, d));
    lines.push(serializeX12Segment({ id: "SE", elements: [String(segments.length + 1), st02] }, d));
  });
  lines.push(serializeX12Segment({ id: "GE", elements: [String(transactions.length), String(gcn)] }, d));
  lines.push(serializeX12Segment({ id: "IEA", elements: ["1", pad(icn, 9)] }, d));
  // A line break after each terminator for readability, none after the last one (see README: x12-parser).
  const separator = d.segment === "\n" || d.segment === "\r" ? d.segment : `${d.segment}\n`;
  return lines.join(separator) + d.segment;
}

// ---------------------------------------------------------------------------------------------
// 856 Ship Notice / Manifest ⇄ SUPPLIER_ASN JSON form
// ---------------------------------------------------------------------------------------------

const isoToX12Date = (iso: string) => iso.replaceAll("-", "");
const x12DateToIso = (value: string) => (/^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : "");

/** The 856 body (between ST and SE) of an ASN. */
export function asn856Body(asn: SupplierAsnPayload, now: Date = new Date()): X12Segment[] {
  const body: X12Segment[] = [
    { id: "BSN", elements: ["00", asn.asnNumber, ccyymmdd(now), hhmm(now)] },
    { id: "HL", elements: ["1", "", "S"] },
    { id: "DTM", elements: ["011", isoToX12Date(asn.shipDate)] },
    { id: "N1", elements: ["SU", "", "92", asn.supplier] },
    { id: "HL", elements: ["2", "1", "O"] },
    { id: "PRF", elements: [asn.purchaseOrder] },
  ];
  asn.lines.forEach((line, index) => {
    const lin = [line.poLine, "BP", line.material, ...(line.lot ? ["LT", line.lot] : [])];
    body.push({ id: "HL", elements: [String(index + 3), "2", "I"] });
    body.push({ id: "LIN", elements: lin });
    body.push({ id: "SN1", elements: ["", x12Decimal(line.quantity), toX12Unit(line.unit)] });
  });
  return body;
}

/** SUPPLIER_ASN JSON form → X12 856 interchange (ISA … IEA). */
export function asnToX12(asn: SupplierAsnPayload, options: X12EnvelopeOptions): string {
  const valid = supplierAsnPayloadSchema.parse(asn);
  return writeX12("SH", [{ type: "856", body: asn856Body(valid, options.now) }], options);
}

export interface X12AsnEnvelope {
  sender: X12Party;
  receiver: X12Party;
  /** ISA13. */
  interchangeControlNumber: string;
  /** GS06. */
  groupControlNumber: string;
  /** ST02. */
  transactionControlNumber: string;
  applicationSender: string;
  applicationReceiver: string;
  usage: string;
}

export interface ParsedX12Asn {
  asn: SupplierAsnPayload;
  envelope: X12AsnEnvelope;
}

function contentError(
  transaction: X12Transaction,
  groupControlNumber: string,
  details: Omit<EdiProblem, "standard" | "level" | "code"> & { code?: string },
): EdiError {
  return new EdiError(
    problem({ level: "segment", code: details.code ?? "8", groupControlNumber, transactionControlNumber: transaction.controlNumber, ...details }),
  );
}

/** Reads the 856 of one transaction set into the JSON form (segments it does not use are skipped). */
export function asnFrom856(transaction: X12Transaction, groupControlNumber = ""): SupplierAsnPayload {
  const fail = (details: Omit<EdiProblem, "standard" | "level" | "code"> & { code?: string }) => contentError(transaction, groupControlNumber, details);
  let asnNumber = "";
  let bsnDate = "";
  let shipDate = "";
  let supplierSu = "";
  let supplierSf = "";
  const orders = new Set<string>();
  const lines: AsnLine[] = [];
  let level = "";
  let item: { poLine?: string; material?: string; lot?: string; quantity?: number; unit?: string; position: number } | undefined;

  const closeItem = () => {
    if (!item) return;
    if (item.material === undefined || item.poLine === undefined) {
      throw fail({
        code: "3",
        segment: "LIN",
        position: item.position,
        message: `Item level at segment ${item.position} has no LIN with PO line and buyer's part number (BP)`,
      });
    }
    if (item.quantity === undefined || item.unit === undefined) {
      throw fail({
        code: "3",
        segment: "SN1",
        position: item.position,
        message: `Item ${item.material} (PO line ${item.poLine}) has no SN1 with quantity and unit`,
      });
    }
    lines.push({ poLine: item.poLine, material: item.material, quantity: item.quantity, unit: item.unit, ...(item.lot ? { lot: item.lot } : {}) });
    item = undefined;
  };

  transaction.segments.forEach((segment, index) => {
    const position = index + 1;
    const e = (n: number) => el(segment, n);
    switch (segment.id) {
      case "BSN": {
        const purpose = e(1);
        if (purpose === "01" || purpose === "03") {
          throw fail({
            segment: "BSN",
            position,
            element: 1,
            elementCode: "7",
            value: purpose,
            message: `BSN01 ${purpose}: cancellation / deletion ASNs have no JSON form`,
          });
        }
        asnNumber = e(2);
        bsnDate = e(3);
        break;
      }
      case "HL":
        closeItem();
        level = e(3);
        if (level === "I") item = { position };
        break;
      case "DTM":
        if (e(1) === "011") shipDate = e(2);
        break;
      case "N1":
        if (e(1) === "SU") supplierSu = e(4) || e(2);
        if (e(1) === "SF") supplierSf = e(4) || e(2);
        break;
      case "PRF":
        if (e(1)) orders.add(e(1));
        break;
      case "LIN": {
        if (!item) item = { position };
        const pairs = new Map<string, string>();
        for (let i = 2; i + 1 <= segment.elements.length; i += 2) if (e(i)) pairs.set(e(i), e(i + 1));
        item.poLine = pairs.get("PL") ?? (e(1) || undefined);
        item.material = pairs.get("BP");
        item.lot = pairs.get("LT") ?? item.lot;
        if (item.material === undefined) throw fail({ segment: "LIN", position, elementCode: "1", message: "LIN has no buyer's part number (qualifier BP)" });
        break;
      }
      case "REF":
        if (e(1) === "LT" && item) item.lot = e(2);
        break;
      case "SN1": {
        if (!item) item = { position };
        const quantity = Number(e(2));
        if (!/^-?\d*\.?\d+$/.test(e(2)) || !Number.isFinite(quantity)) {
          throw fail({ segment: "SN1", position, element: 2, elementCode: "6", value: e(2), message: `SN102 "${e(2)}" is not a quantity` });
        }
        if (!e(3)) throw fail({ segment: "SN1", position, element: 3, elementCode: "1", message: "SN103 (unit of measure) is missing" });
        item.quantity = quantity;
        item.unit = fromX12Unit(e(3));
        break;
      }
      default:
        break;
    }
  });
  closeItem();

  if (!asnNumber) throw fail({ code: "3", segment: "BSN", message: "BSN with the shipment identification (BSN02) is missing" });
  if (orders.size === 0) throw fail({ code: "3", segment: "PRF", message: "PRF with the purchase order number is missing" });
  if (orders.size > 1)
    throw fail({ segment: "PRF", message: `The ASN covers ${orders.size} purchase orders (${[...orders].join(", ")}); the JSON form holds one` });
  const supplier = supplierSu || supplierSf;
  if (!supplier) throw fail({ code: "3", segment: "N1", message: "N1*SU (or N1*SF) naming the supplier is missing" });
  const result = supplierAsnPayloadSchema.safeParse({
    asnNumber,
    supplier,
    shipDate: x12DateToIso(shipDate || bsnDate),
    purchaseOrder: [...orders][0],
    lines,
  });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw fail({ message: `856 does not give a valid ASN: ${issue?.path.join(".")}: ${issue?.message}` });
  }
  return result.data;
}

/** X12 856 interchange → SUPPLIER_ASN JSON form and the control numbers that identify it. */
export function parseX12Asn(text: string): ParsedX12Asn {
  const interchange = parseX12(text);
  const asns = interchange.groups.flatMap((group) => group.transactions.filter((t) => t.type === "856").map((t) => ({ group, transaction: t })));
  if (asns.length !== 1) {
    throw new EdiError(problem({ level: "interchange", code: "024", message: `Expected one 856 transaction set; found ${asns.length}` }));
  }
  const { group, transaction } = asns[0]!;
  return {
    asn: asnFrom856(transaction, group.controlNumber),
    envelope: {
      sender: interchange.sender,
      receiver: interchange.receiver,
      interchangeControlNumber: interchange.controlNumber,
      groupControlNumber: group.controlNumber,
      transactionControlNumber: transaction.controlNumber,
      applicationSender: group.applicationSender,
      applicationReceiver: group.applicationReceiver,
      usage: interchange.usage,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 997 Functional Acknowledgment
// ---------------------------------------------------------------------------------------------

export interface X12ElementError {
  /** AK401: position of the element in the segment. */
  position: number;
  /** AK402: data element reference number, e.g. 324 (PO number). */
  reference?: string;
  /** AK403: data element syntax error code. */
  code: string;
  /** AK404: copy of the bad data element. */
  value?: string;
}

export interface X12SegmentError {
  /** AK301 segment id, AK302 position in the transaction set (ST = 1), AK303 loop id. */
  segment: string;
  position: number;
  loop?: string;
  /** AK304: segment syntax error code (8 = segment has data element errors). */
  code: string;
  elements?: X12ElementError[];
}

export type FunctionalVerdict =
  | { status: "accepted" }
  | {
      status: "rejected";
      /** AK502…: transaction set syntax error codes (default 5, one or more segments in error). */
      codes?: string[];
      segmentErrors?: X12SegmentError[];
    };

export interface X12AckOptions {
  /** ISA13 / GS06 of the acknowledgment itself. */
  controlNumber: number;
  now?: Date;
  usage?: "P" | "T";
}

function segmentErrorsOf(problems: EdiProblem[]): X12SegmentError[] {
  return problems
    .filter((p) => p.level === "segment" && p.segment)
    .map((p) => ({
      segment: p.segment!,
      position: p.position ?? 0,
      code: p.code,
      ...(p.elementCode ? { elements: [{ position: p.element ?? 0, code: p.elementCode, ...(p.value ? { value: p.value.slice(0, 99) } : {}) }] } : {}),
    }));
}

/**
 * The 997 a receiver sends for an interchange (one AK1 per functional group, one AK2 … AK5 per
 * transaction set, AK9). Without a verdict the interchange is checked here: its envelope problems and,
 * for 856s, the content problems `asnFrom856` finds decide acceptance, as a translator would.
 * With a verdict, that verdict applies to every transaction set of the interchange.
 */
export function build997(subject: string, verdict: FunctionalVerdict | undefined, options: X12AckOptions): string {
  const { interchange, problems } = readX12(subject);
  const body: X12Segment[] = [];
  const group = interchange.groups[0];
  if (!group) throw new EdiError(problem({ level: "interchange", code: "024", message: "The interchange has no functional group to acknowledge" }));
  body.push({ id: "AK1", elements: [group.functionalId, group.controlNumber] });
  let accepted = 0;
  for (const transaction of group.transactions) {
    body.push({ id: "AK2", elements: [transaction.type, transaction.controlNumber] });
    let codes: string[] = [];
    let segmentErrors: X12SegmentError[] = [];
    if (verdict) {
      if (verdict.status === "rejected") {
        codes = verdict.codes?.length ? verdict.codes : ["5"];
        segmentErrors = verdict.segmentErrors ?? [];
      }
    } else {
      const own = problems.filter((p) => p.level === "transaction" && p.transactionControlNumber === transaction.controlNumber);
      codes = own.map((p) => p.code);
      if (transaction.type === "856" && own.length === 0) {
        try {
          asnFrom856(transaction, group.controlNumber);
        } catch (error) {
          if (!(error instanceof EdiError)) throw error;
          segmentErrors = segmentErrorsOf([error.problem]);
          codes = ["5"];
        }
      }
    }
    for (const se of segmentErrors) {
      body.push({ id: "AK3", elements: [se.segment, String(se.position), se.loop ?? "", se.code] });
      for (const ee of se.elements ?? []) body.push({ id: "AK4", elements: [String(ee.position), ee.reference ?? "", ee.code, ee.value ?? ""] });
    }
    if (codes.length === 0) {
      accepted += 1;
      body.push({ id: "AK5", elements: ["A"] });
    } else {
      body.push({ id: "AK5", elements: ["R", ...codes.slice(0, 5)] });
    }
  }
  const groupCodes = verdict ? [] : problems.filter((p) => p.level === "group" && p.groupControlNumber === group.controlNumber).map((p) => p.code);
  const received = group.transactions.length;
  const groupStatus = groupCodes.length > 0 || accepted === 0 ? "R" : accepted < received ? "P" : "A";
  const included = Number.isNaN(group.declaredTransactionCount) ? received : group.declaredTransactionCount;
  body.push({
    id: "AK9",
    elements: [groupStatus, String(included), String(received), String(groupCodes.length > 0 ? 0 : accepted), ...groupCodes.slice(0, 5)],
  });
  return writeX12("FA", [{ type: "997", body }], {
    sender: interchange.receiver,
    receiver: interchange.sender,
    applicationSender: group.applicationReceiver,
    applicationReceiver: group.applicationSender,
    controlNumber: options.controlNumber,
    now: options.now,
    usage: options.usage ?? (interchange.usage === "T" ? "T" : "P"),
  });
}

export interface Parsed997 {
  interchange: X12Interchange;
  /** AK1: the acknowledged group. */
  acknowledgedGroup: { functionalId: string; controlNumber: string };
  transactions: { type: string; controlNumber: string; status: string; codes: string[]; segmentErrors: X12SegmentError[] }[];
  /** AK9. */
  group: { status: string; included: number; received: number; accepted: number; codes: string[] };
}

/** Reads a 997 (the first one of the interchange). */
export function parse997(text: string): Parsed997 {
  const interchange = parseX12(text);
  const transaction = interchange.groups.flatMap((g) => g.transactions).find((t) => t.type === "997");
  if (!transaction) throw new EdiError(problem({ level: "interchange", code: "024", message: "The interchange holds no 997" }));
  const result: Parsed997 = {
    interchange,
    acknowledgedGroup: { functionalId: "", controlNumber: "" },
    transactions: [],
    group: { status: "", included: 0, received: 0, accepted: 0, codes: [] },
  };
  let current: Parsed997["transactions"][number] | undefined;
  for (const segment of transaction.segments) {
    const e = (n: number) => el(segment, n);
    if (segment.id === "AK1") result.acknowledgedGroup = { functionalId: e(1), controlNumber: e(2) };
    else if (segment.id === "AK2") {
      current = { type: e(1), controlNumber: e(2), status: "", codes: [], segmentErrors: [] };
      result.transactions.push(current);
    } else if (segment.id === "AK3" && current) {
      current.segmentErrors.push({ segment: e(1), position: int(e(2)), ...(e(3) ? { loop: e(3) } : {}), code: e(4) });
    } else if (segment.id === "AK4" && current) {
      const last = current.segmentErrors.at(-1);
      if (last)
        last.elements = [...(last.elements ?? []), { position: int(e(1)), ...(e(2) ? { reference: e(2) } : {}), code: e(3), ...(e(4) ? { value: e(4) } : {}) }];
    } else if (segment.id === "AK5" && current) {
      current.status = e(1);
      current.codes = segment.elements.slice(1).filter(Boolean);
    } else if (segment.id === "AK9") {
      result.group = { status: e(1), included: int(e(2)), received: int(e(3)), accepted: int(e(4)), codes: segment.elements.slice(4).filter(Boolean) };
    }
  }
  if (!result.acknowledgedGroup.controlNumber) throw new EdiError(problem({ level: "segment", code: "3", segment: "AK1", message: "997 without AK1" }));
  if (!result.group.status) throw new EdiError(problem({ level: "segment", code: "3", segment: "AK9", message: "997 without AK9" }));
  return result;
}

// ---------------------------------------------------------------------------------------------
// 824 Application Advice (business acceptance / refusal of an ASN)
// ---------------------------------------------------------------------------------------------

/** Business refusals of an ASN by the receiving system. */
export const REFUSAL_CODES = ["PO_UNKNOWN", "QTY_OVER_PO", "DUPLICATE_ASN", "OTHER"] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

export interface Refusal {
  code: RefusalCode;
  /** Human-readable text (the receiving system's message). */
  message: string;
  /** The PO line concerned, if the refusal is about one line. */
  poLine?: string;
}

export type ApplicationVerdict = { status: "accepted" } | { status: "refused"; refusals: Refusal[] };

/**
 * Refusal code ⇄ X12 element 647 (Application Error Condition Code) in TED01: 133 Item Not Found On
 * Purchase Order, 008 Out of Range, 119 Duplicate Shipment Identification Number, 024 Other Unlisted
 * Reason. TED03 names the segment at fault (PRF for the order, LIN for a line, SN1 for a quantity,
 * BSN for the ASN number); TED07 copies the bad value.
 */
export const X12_APPLICATION_ERROR: Readonly<Record<RefusalCode, string>> = { PO_UNKNOWN: "133", QTY_OVER_PO: "008", DUPLICATE_ASN: "119", OTHER: "024" };
const REFUSAL_BY_647 = new Map<string, RefusalCode>([
  ...Object.entries(X12_APPLICATION_ERROR).map(([k, v]) => [v, k as RefusalCode] as const),
  ["006", "DUPLICATE_ASN"],
]);

function tedFor(refusal: Refusal, asn: SupplierAsnPayload | undefined): X12Segment {
  const line = refusal.poLine === undefined ? undefined : asn?.lines.find((l) => Number(l.poLine) === Number(refusal.poLine));
  const [segment, value] =
    refusal.code === "DUPLICATE_ASN"
      ? ["BSN", asn?.asnNumber ?? ""]
      : refusal.code === "QTY_OVER_PO"
        ? ["SN1", line ? x12Decimal(line.quantity) : ""]
        : refusal.code === "PO_UNKNOWN"
          ? refusal.poLine === undefined
            ? ["PRF", asn?.purchaseOrder ?? ""]
            : ["LIN", refusal.poLine]
          : ["", ""];
  const message = refusal.message.replace(/[*~>^]/g, " ").slice(0, 60);
  return { id: "TED", elements: [X12_APPLICATION_ERROR[refusal.code], message, segment, "", "", "", value] };
}

/** The 824 with which the receiving system accepts (OTI01 TA) or refuses (TR) an 856. */
export function build824(subject: string, verdict: ApplicationVerdict, options: X12AckOptions): string {
  const interchange = parseX12(subject);
  const group = interchange.groups[0];
  const transaction = group?.transactions.find((t) => t.type === "856");
  if (!group || !transaction) throw new EdiError(problem({ level: "interchange", code: "024", message: "The interchange holds no 856 to advise on" }));
  let asn: SupplierAsnPayload | undefined;
  try {
    asn = asnFrom856(transaction, group.controlNumber);
  } catch {
    asn = undefined;
  }
  const asnNumber =
    asn?.asnNumber ??
    el(
      transaction.segments.find((s) => s.id === "BSN"),
      2,
    );
  const now = options.now ?? new Date();
  const body: X12Segment[] = [
    { id: "BGN", elements: ["00", `AA${pad(options.controlNumber, 9)}`, ccyymmdd(now), hhmm(now)] },
    {
      id: "OTI",
      elements: [
        verdict.status === "accepted" ? "TA" : "TR",
        "SI",
        asnNumber,
        group.applicationSender,
        group.applicationReceiver,
        group.date,
        group.time,
        group.controlNumber,
        transaction.controlNumber,
        "856",
      ],
    },
  ];
  if (verdict.status === "refused") for (const refusal of verdict.refusals) body.push(tedFor(refusal, asn));
  return writeX12("AG", [{ type: "824", body }], {
    sender: interchange.receiver,
    receiver: interchange.sender,
    applicationSender: group.applicationReceiver,
    applicationReceiver: group.applicationSender,
    controlNumber: options.controlNumber,
    now,
    usage: options.usage ?? (interchange.usage === "T" ? "T" : "P"),
  });
}

export interface ParsedRefusal extends Refusal {
  /** The standard's own code (X12 647 / EDIFACT ERC 9321). */
  nativeCode: string;
  segment?: string;
  value?: string;
}

export interface Parsed824 {
  interchange: X12Interchange;
  /** One per OTI. */
  advices: {
    /** OTI01: TA accepted, TE accepted with error, TR rejected, … */
    code: string;
    status: "accepted" | "refused";
    asnNumber: string;
    groupControlNumber: string;
    transactionControlNumber: string;
    transactionType: string;
    refusals: ParsedRefusal[];
  }[];
}

/** Reads an 824 Application Advice. */
export function parse824(text: string): Parsed824 {
  const interchange = parseX12(text);
  const transaction = interchange.groups.flatMap((g) => g.transactions).find((t) => t.type === "824");
  if (!transaction) throw new EdiError(problem({ level: "interchange", code: "024", message: "The interchange holds no 824" }));
  const advices: Parsed824["advices"] = [];
  for (const segment of transaction.segments) {
    const e = (n: number) => el(segment, n);
    if (segment.id === "OTI") {
      advices.push({
        code: e(1),
        status: e(1) === "TA" || e(1) === "TC" ? "accepted" : "refused",
        asnNumber: e(3),
        groupControlNumber: e(8),
        transactionControlNumber: e(9),
        transactionType: e(10),
        refusals: [],
      });
    } else if (segment.id === "TED") {
      const advice = advices.at(-1);
      if (!advice) throw new EdiError(problem({ level: "segment", code: "7", segment: "TED", message: "TED before OTI" }));
      const code = REFUSAL_BY_647.get(e(1)) ?? "OTHER";
      const value = e(7) || undefined;
      advice.refusals.push({
        code,
        nativeCode: e(1),
        message: e(2),
        ...(e(3) ? { segment: e(3) } : {}),
        ...(value ? { value } : {}),
        ...(e(3) === "LIN" && value ? { poLine: value } : {}),
      });
    }
  }
  if (advices.length === 0) throw new EdiError(problem({ level: "segment", code: "3", segment: "OTI", message: "824 without OTI" }));
  return { interchange, advices };
}
