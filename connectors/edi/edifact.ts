import { EdiError, type EdiProblem } from "./errors";
import { supplierAsnPayloadSchema, type AsnLine, type SupplierAsnPayload } from "./schema";
import { fromEdifactUnit, toEdifactUnit } from "./units";
import type { ApplicationVerdict, ParsedRefusal, Refusal, RefusalCode } from "./x12";

/**
 * UN/EDIFACT (syntax version 3, directory D.96A): our own reader and writer of interchanges, the
 * DESADV despatch advice in the JSON form of SUPPLIER_ASN, and the receiver's answers: CONTRL
 * (syntax and service report: UCI for the interchange, UCM per message) and APERAK (application
 * error and acknowledgement: the receiving system's business refusal or acceptance of the ASN).
 *
 * Service characters come from UNA (component `:`, element `+`, decimal mark `.`, release `?`,
 * reserved ` `, segment terminator `'` by default); the release character escapes the others. Trailers
 * carry counts and repeat references; `readEdifact` checks them (codes from service code list 0085).
 *
 * DESADV as written by `asnToEdifact`:
 *
 *   UNA:+.? ' UNB+UNOC:3+<sender>:ZZZ+<recipient>:ZZZ+<yymmdd>:<hhmm>+<ref>'
 *   UNH+1+DESADV:D:96A:UN' BGM+351+<asnNumber>+9' DTM+137:<today>:102' DTM+11:<shipDate>:102'
 *   RFF+ON:<purchaseOrder>' NAD+SU+<supplier>::92' CPS+1'
 *   LIN+<n>++<material>:BP' [PIA+1+<lot>:NB'] QTY+12:<quantity>:<unit>' RFF+ON:<purchaseOrder>:<poLine>'  (per line)
 *   UNT+<segments>+1' UNZ+1+<ref>'
 */

export interface EdifactDelimiters {
  component: string;
  element: string;
  decimal: string;
  release: string;
  /** Reserved in syntax 3 (space); repetition separator in syntax 4. */
  reserved: string;
  segment: string;
}

export const EDIFACT_DELIMITERS: EdifactDelimiters = { component: ":", element: "+", decimal: ".", release: "?", reserved: " ", segment: "'" };

/** A segment: tag and elements, each element a list of components. */
export interface EdifactSegment {
  tag: string;
  elements: string[][];
}

export interface EdifactParty {
  /** S002/S003 0004/0010. */
  id: string;
  /** 0007 partner identification code qualifier, e.g. ZZZ, 14 (GS1). */
  qualifier: string;
}

export interface EdifactMessage {
  /** UNH 0062 message reference number. */
  reference: string;
  /** S009: type, version, release, agency, association code. */
  type: string;
  version: string;
  release: string;
  agency: string;
  association: string;
  /** UNH … UNT, both included (UNH has position 1). */
  segments: EdifactSegment[];
  declaredSegmentCount: number;
}

export interface EdifactInterchange {
  delimiters: EdifactDelimiters;
  /** UNB S001: syntax identifier (UNOC) and version (3). */
  syntax: { id: string; version: string };
  sender: EdifactParty;
  recipient: EdifactParty;
  /** S004 YYMMDD and HHMM. */
  date: string;
  time: string;
  /** UNB 0020 interchange control reference. */
  controlReference: string;
  /** UNB 0026 application reference, 0035 test indicator. */
  applicationReference: string;
  testIndicator: string;
  messages: EdifactMessage[];
  declaredCount: number;
}

export interface EdifactReadResult {
  interchange: EdifactInterchange;
  problems: EdiProblem[];
}

const problem = (p: Omit<EdiProblem, "standard">): EdiProblem => ({ standard: "EDIFACT", ...p });

/** Splits an interchange into segments, honouring UNA and the release character. */
export function tokenizeEdifact(text: string): { delimiters: EdifactDelimiters; segments: EdifactSegment[] } {
  let rest = text.replace(/^\uFEFF/, "").replace(/^[\s]+/, "");
  let delimiters = EDIFACT_DELIMITERS;
  if (rest.startsWith("UNA")) {
    if (rest.length < 9) throw new EdiError(problem({ level: "interchange", code: "20", message: "UNA is shorter than 9 characters" }));
    delimiters = { component: rest[3]!, element: rest[4]!, decimal: rest[5]!, release: rest[6]!, reserved: rest[7]!, segment: rest[8]! };
    rest = rest.slice(9);
  }
  const segments: EdifactSegment[] = [];
  let elements: string[][] = [[""]];
  let atSegmentStart = true;
  const flush = () => {
    const tag = elements[0]?.[0] ?? "";
    if (tag !== "" || elements.length > 1) segments.push({ tag: tag.trim(), elements: elements.slice(1) });
    elements = [[""]];
    atSegmentStart = true;
  };
  for (let i = 0; i < rest.length; i += 1) {
    const ch = rest[i]!;
    if (atSegmentStart && (ch === "\r" || ch === "\n")) continue;
    atSegmentStart = false;
    const element = elements.at(-1)!;
    if (ch === delimiters.release) {
      i += 1;
      if (i >= rest.length) throw new EdiError(problem({ level: "interchange", code: "21", message: "The interchange ends with a release character" }));
      element[element.length - 1] = (element.at(-1) ?? "") + rest[i];
    } else if (ch === delimiters.segment) flush();
    else if (ch === delimiters.element) elements.push([""]);
    else if (ch === delimiters.component) element.push("");
    else element[element.length - 1] = (element.at(-1) ?? "") + ch;
  }
  if (elements.length > 1 || (elements[0]?.[0] ?? "").trim() !== "") {
    throw new EdiError(problem({ level: "interchange", code: "13", message: "The last segment has no segment terminator" }));
  }
  return { delimiters, segments };
}

const comp = (segment: EdifactSegment | undefined, element: number, component = 1): string => segment?.elements[element - 1]?.[component - 1] ?? "";
const int = (value: string): number => (/^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN);

/** Reads an interchange and checks UNT / UNZ counts and references. */
export function readEdifact(text: string): EdifactReadResult {
  const { delimiters, segments } = tokenizeEdifact(text);
  const problems: EdiProblem[] = [];
  const unb = segments[0];
  if (unb?.tag !== "UNB") throw new EdiError(problem({ level: "interchange", code: "13", segment: "UNB", message: "The interchange does not begin with UNB" }));
  const interchange: EdifactInterchange = {
    delimiters,
    syntax: { id: comp(unb, 1, 1), version: comp(unb, 1, 2) },
    sender: { id: comp(unb, 2, 1), qualifier: comp(unb, 2, 2) },
    recipient: { id: comp(unb, 3, 1), qualifier: comp(unb, 3, 2) },
    date: comp(unb, 4, 1),
    time: comp(unb, 4, 2),
    controlReference: comp(unb, 5),
    applicationReference: comp(unb, 7),
    testIndicator: comp(unb, 11),
    messages: [],
    declaredCount: Number.NaN,
  };
  if (!interchange.controlReference)
    throw new EdiError(problem({ level: "interchange", code: "13", segment: "UNB", element: 5, message: "UNB 0020 is missing" }));
  let message: EdifactMessage | undefined;
  let groups = 0;
  let unz: EdifactSegment | undefined;
  for (const segment of segments.slice(1)) {
    if (unz) {
      problems.push(problem({ level: "interchange", code: "15", segment: segment.tag, message: `Segment ${segment.tag} after UNZ` }));
      break;
    }
    if (message) {
      if (segment.tag === "UNH" || segment.tag === "UNZ" || segment.tag === "UNE") {
        problems.push(
          problem({
            level: "transaction",
            code: "13",
            transactionControlNumber: message.reference,
            segment: "UNT",
            message: `Message ${message.reference} has no UNT`,
          }),
        );
        message = undefined;
      } else {
        message.segments.push(segment);
        if (segment.tag === "UNT") {
          message.declaredSegmentCount = int(comp(segment, 1));
          const ctx = { transactionControlNumber: message.reference, segment: "UNT", position: message.segments.length };
          if (comp(segment, 2) !== message.reference) {
            problems.push(
              problem({
                level: "transaction",
                code: "28",
                element: 2,
                message: `UNT 0062 ${comp(segment, 2)} does not match UNH 0062 ${message.reference}`,
                ...ctx,
              }),
            );
          }
          if (message.declaredSegmentCount !== message.segments.length) {
            problems.push(
              problem({
                level: "transaction",
                code: "29",
                element: 1,
                message: `UNT says ${comp(segment, 1)} segments; the message has ${message.segments.length}`,
                ...ctx,
              }),
            );
          }
          message = undefined;
        }
        continue;
      }
    }
    switch (segment.tag) {
      case "UNH":
        message = {
          reference: comp(segment, 1),
          type: comp(segment, 2, 1),
          version: comp(segment, 2, 2),
          release: comp(segment, 2, 3),
          agency: comp(segment, 2, 4),
          association: comp(segment, 2, 5),
          segments: [segment],
          declaredSegmentCount: Number.NaN,
        };
        interchange.messages.push(message);
        break;
      case "UNG":
        groups += 1;
        break;
      case "UNE":
        break;
      case "UNZ":
        unz = segment;
        break;
      default:
        problems.push(problem({ level: "interchange", code: "15", segment: segment.tag, message: `Segment ${segment.tag} outside a message` }));
    }
  }
  if (message)
    problems.push(
      problem({
        level: "transaction",
        code: "13",
        transactionControlNumber: message.reference,
        segment: "UNT",
        message: `Message ${message.reference} has no UNT`,
      }),
    );
  if (!unz) {
    problems.push(problem({ level: "interchange", code: "13", segment: "UNZ", message: "The interchange has no UNZ" }));
  } else {
    interchange.declaredCount = int(comp(unz, 1));
    const expected = groups > 0 ? groups : interchange.messages.length;
    if (comp(unz, 2) !== interchange.controlReference) {
      problems.push(
        problem({
          level: "interchange",
          code: "28",
          segment: "UNZ",
          element: 2,
          message: `UNZ 0020 ${comp(unz, 2)} does not match UNB 0020 ${interchange.controlReference}`,
        }),
      );
    }
    if (interchange.declaredCount !== expected) {
      problems.push(
        problem({ level: "interchange", code: "29", segment: "UNZ", element: 1, message: `UNZ says ${comp(unz, 1)}; the interchange has ${expected}` }),
      );
    }
  }
  return { interchange, problems };
}

export function parseEdifact(text: string): EdifactInterchange {
  const { interchange, problems } = readEdifact(text);
  const first = problems[0];
  if (first) throw new EdiError(first);
  return interchange;
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

function escapeValue(value: string, d: EdifactDelimiters): string {
  const special = new Set([d.release, d.component, d.element, d.segment]);
  let out = "";
  for (const ch of value) out += special.has(ch) ? d.release + ch : ch;
  return out;
}

/** One segment as text: values escaped, trailing empty components and elements dropped. */
export function serializeEdifactSegment(segment: EdifactSegment, d: EdifactDelimiters = EDIFACT_DELIMITERS): string {
  const elements = segment.elements.map((components) => {
    const trimmed = [...components];
    while (trimmed.length > 0 && trimmed.at(-1) === "") trimmed.pop();
    return trimmed.map((c) => escapeValue(c, d)).join(d.component);
  });
  while (elements.length > 0 && elements.at(-1) === "") elements.pop();
  return [segment.tag, ...elements].join(d.element);
}

export interface EdifactEnvelopeOptions {
  sender: { id: string; qualifier?: string };
  recipient: { id: string; qualifier?: string };
  /** UNB 0020 / UNZ 0020: 1 … 99999999999999. */
  controlReference: number;
  /** UNH 0062 of the first message, default 1. */
  messageReference?: string;
  now?: Date;
  /** UNB 0035: test indicator 1. */
  test?: boolean;
  delimiters?: EdifactDelimiters;
}

export interface EdifactMessageDraft {
  /** S009, e.g. { type: "DESADV", version: "D", release: "96A", agency: "UN" }. */
  type: string;
  version: string;
  release: string;
  agency: string;
  association?: string;
  /** Segments between UNH and UNT. */
  body: EdifactSegment[];
}

const pad = (value: number, width: number) => String(value).padStart(width, "0");
const yymmdd = (d: Date) => `${pad(d.getUTCFullYear() % 100, 2)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
const ccyymmdd = (d: Date) => `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
const hhmm = (d: Date) => `${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}`;

/** Wraps messages into UNA / UNB / UNH … UNT / UNZ with counts and references. */
export function writeEdifact(messages: EdifactMessageDraft[], options: EdifactEnvelopeOptions): string {
  const d = options.delimiters ?? EDIFACT_DELIMITERS;
  const now = options.now ?? new Date();
  const ref = options.controlReference;
  if (!Number.isInteger(ref) || ref < 1 || ref > 99_999_999_999_999)
    throw new RangeError(`interchange control reference must be 1 … 99999999999999 (got ${ref})`);
  const una = `UNA${d.component}${d.element}${d.decimal}${d.release}${d.reserved}${d.segment}`;
  const out: string[] = [
    serializeEdifactSegment(
      {
        tag: "UNB",
        elements: [
          ["UNOC", "3"],
          [options.sender.id, options.sender.qualifier ?? "ZZZ"],
          [options.recipient.id, options.recipient.qualifier ?? "ZZZ"],
          [yymmdd(now), hhmm(now)],
          [String(ref)],
          ...(options.test ? [[""], [""], [""], [""], [""], ["1"]] : []),
        ],
      },
      d,
    ),
  ];
  messages.forEach((message, index) => {
    const reference = index === 0 && options.messageReference ? options.messageReference : String(index + 1);
    const segments: EdifactSegment[] = [
      {
        tag: "UNH",
        elements: [[reference], [message.type, message.version, message.release, message.agency, ...(message.association ? [message.association] : [])]],
      },
      ...message.body,
    ];
    for (const segment of segments) out.push(serializeEdifactSegment(segment, d));
    out.push(serializeEdifactSegment({ tag: "UNT", elements: [[String(segments.length + 1)], [reference]] }, d));
  });
  out.push(serializeEdifactSegment({ tag: "UNZ", elements: [[String(messages.length)], [String(ref)]] }, d));
  return `${una}${out.join(`${d.segment}\n`)}${d.segment}`;
}

// ---------------------------------------------------------------------------------------------
// DESADV ⇄ SUPPLIER_ASN JSON form
// ---------------------------------------------------------------------------------------------

const isoToEdifactDate = (iso: string) => iso.replaceAll("-", "");

function edifactDateToIso(value: string, format: string): string {
  if ((format === "102" || format === "203" || format === "204" || format === "") && /^\d{8}/.test(value)) {
    return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  }
  return "";
}

/** EDIFACT numbers use the decimal mark of UNA; ours is always ".". */
const decimal = (value: number) => String(Number(value.toFixed(3)));

/** The DESADV body (between UNH and UNT) of an ASN. */
export function desadvBody(asn: SupplierAsnPayload, now: Date = new Date()): EdifactSegment[] {
  const body: EdifactSegment[] = [
    { tag: "BGM", elements: [["351"], [asn.asnNumber], ["9"]] },
    { tag: "DTM", elements: [["137", ccyymmdd(now), "102"]] },
    { tag: "DTM", elements: [["11", isoToEdifactDate(asn.shipDate), "102"]] },
    { tag: "RFF", elements: [["ON", asn.purchaseOrder]] },
    { tag: "NAD", elements: [["SU"], [asn.supplier, "", "92"]] },
    { tag: "CPS", elements: [["1"]] },
  ];
  asn.lines.forEach((line, index) => {
    body.push({ tag: "LIN", elements: [[String(index + 1)], [""], [line.material, "BP"]] });
    if (line.lot) body.push({ tag: "PIA", elements: [["1"], [line.lot, "NB"]] });
    body.push({ tag: "QTY", elements: [["12", decimal(line.quantity), toEdifactUnit(line.unit)]] });
    body.push({ tag: "RFF", elements: [["ON", asn.purchaseOrder, line.poLine]] });
  });
  return body;
}

export const DESADV_D96A = { type: "DESADV", version: "D", release: "96A", agency: "UN" } as const;

/** SUPPLIER_ASN JSON form → EDIFACT DESADV interchange (UNA … UNZ). */
export function asnToEdifact(asn: SupplierAsnPayload, options: EdifactEnvelopeOptions): string {
  const valid = supplierAsnPayloadSchema.parse(asn);
  return writeEdifact([{ ...DESADV_D96A, body: desadvBody(valid, options.now) }], options);
}

export interface EdifactAsnEnvelope {
  sender: EdifactParty;
  recipient: EdifactParty;
  /** UNB 0020. */
  controlReference: string;
  /** UNH 0062. */
  messageReference: string;
  test: boolean;
}

export interface ParsedEdifactAsn {
  asn: SupplierAsnPayload;
  envelope: EdifactAsnEnvelope;
}

/** Reads the DESADV of one message into the JSON form (segments it does not use are skipped). */
export function asnFromDesadv(message: EdifactMessage, decimalMark = "."): SupplierAsnPayload {
  const fail = (details: Omit<EdiProblem, "standard" | "level" | "code"> & { code?: string }) =>
    new EdiError(problem({ level: "segment", code: details.code ?? "12", transactionControlNumber: message.reference, ...details }));
  if (message.type !== "DESADV") throw fail({ code: "14", segment: "UNH", position: 1, message: `Message type ${message.type} is not DESADV` });
  let asnNumber = "";
  let shipDate = "";
  let documentDate = "";
  let headerOrder = "";
  let supplier = "";
  const lineOrders = new Set<string>();
  const lines: AsnLine[] = [];
  let item: { position: number; material?: string; lot?: string; quantity?: number; unit?: string; poLine?: string } | undefined;

  const closeItem = () => {
    if (!item) return;
    if (!item.material)
      throw fail({
        code: "13",
        segment: "LIN",
        position: item.position,
        message: `Line at segment ${item.position} has no buyer's part number (LIN or PIA …:BP)`,
      });
    if (item.quantity === undefined || !item.unit)
      throw fail({ code: "13", segment: "QTY", position: item.position, message: `Line ${item.material} has no despatch quantity (QTY+12)` });
    if (!item.poLine)
      throw fail({ code: "13", segment: "RFF", position: item.position, message: `Line ${item.material} has no PO line (RFF+ON:<order>:<line>)` });
    lines.push({ poLine: item.poLine, material: item.material, quantity: item.quantity, unit: item.unit, ...(item.lot ? { lot: item.lot } : {}) });
    item = undefined;
  };

  message.segments.forEach((segment, index) => {
    const position = index + 1;
    const c = (e: number, k = 1) => comp(segment, e, k);
    switch (segment.tag) {
      case "BGM":
        if (c(1) !== "351")
          throw fail({ code: "14", segment: "BGM", position, element: 1, value: c(1), message: `BGM 1001 ${c(1)} is not 351 (despatch advice)` });
        if (c(3) === "1" || c(3) === "3")
          throw fail({ code: "14", segment: "BGM", position, element: 3, value: c(3), message: `BGM 1225 ${c(3)}: cancellations have no JSON form` });
        asnNumber = c(2);
        break;
      case "DTM":
        if (c(1, 1) === "11") shipDate = edifactDateToIso(c(1, 2), c(1, 3));
        if (c(1, 1) === "137") documentDate = edifactDateToIso(c(1, 2), c(1, 3));
        break;
      case "RFF":
        if (c(1, 1) === "ON") {
          if (item) {
            if (c(1, 2)) lineOrders.add(c(1, 2));
            if (c(1, 3)) item.poLine = c(1, 3);
          } else headerOrder = c(1, 2);
        }
        break;
      case "NAD":
        if (c(1) === "SU" || (c(1) === "SE" && !supplier)) supplier = c(2, 1) || c(4, 1);
        break;
      case "LIN":
        closeItem();
        item = { position };
        if (c(3, 2) === "BP") item.material = c(3, 1);
        break;
      case "PIA":
        if (!item) break;
        for (let e = 2; e <= segment.elements.length; e += 1) {
          if (c(e, 2) === "BP" && !item.material) item.material = c(e, 1);
          if (c(e, 2) === "NB") item.lot = c(e, 1);
        }
        break;
      case "GIN":
        if (item && c(1) === "BX") item.lot = c(2, 1);
        break;
      case "QTY":
        if (item && c(1, 1) === "12") {
          const raw = decimalMark === "." ? c(1, 2) : c(1, 2).replace(decimalMark, ".");
          const quantity = Number(raw);
          if (!/^-?\d*\.?\d+$/.test(raw) || !Number.isFinite(quantity))
            throw fail({ segment: "QTY", position, element: 1, value: c(1, 2), message: `QTY 6060 "${c(1, 2)}" is not a number` });
          item.quantity = quantity;
          item.unit = fromEdifactUnit(c(1, 3));
        }
        break;
      case "CPS":
      case "UNT":
        closeItem();
        break;
      default:
        break;
    }
  });
  closeItem();

  if (!asnNumber) throw fail({ code: "13", segment: "BGM", message: "BGM with the despatch advice number is missing" });
  const orders = new Set([...(headerOrder ? [headerOrder] : []), ...lineOrders]);
  if (orders.size === 0) throw fail({ code: "13", segment: "RFF", message: "RFF+ON with the purchase order number is missing" });
  if (orders.size > 1)
    throw fail({ segment: "RFF", message: `The despatch advice covers ${orders.size} purchase orders (${[...orders].join(", ")}); the JSON form holds one` });
  if (!supplier) throw fail({ code: "13", segment: "NAD", message: "NAD+SU naming the supplier is missing" });
  const result = supplierAsnPayloadSchema.safeParse({ asnNumber, supplier, shipDate: shipDate || documentDate, purchaseOrder: [...orders][0], lines });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw fail({ message: `DESADV does not give a valid ASN: ${issue?.path.join(".")}: ${issue?.message}` });
  }
  return result.data;
}

/** EDIFACT DESADV interchange → SUPPLIER_ASN JSON form and the references that identify it. */
export function parseEdifactAsn(text: string): ParsedEdifactAsn {
  const interchange = parseEdifact(text);
  const desadvs = interchange.messages.filter((m) => m.type === "DESADV");
  if (desadvs.length !== 1) throw new EdiError(problem({ level: "interchange", code: "15", message: `Expected one DESADV message; found ${desadvs.length}` }));
  const message = desadvs[0]!;
  return {
    asn: asnFromDesadv(message, interchange.delimiters.decimal),
    envelope: {
      sender: interchange.sender,
      recipient: interchange.recipient,
      controlReference: interchange.controlReference,
      messageReference: message.reference,
      test: interchange.testIndicator === "1",
    },
  };
}

// ---------------------------------------------------------------------------------------------
// CONTRL syntax and service report
// ---------------------------------------------------------------------------------------------

export interface EdifactSegmentError {
  /** UCS 0096: position of the segment in the message (UNH = 1). */
  position: number;
  /** UCS 0085. */
  code?: string;
  /** UCD: data element errors (0085, S011 position). */
  elements?: { code: string; position: number; component?: number }[];
}

export type ContrlVerdict =
  | { status: "accepted" }
  | {
      status: "rejected";
      /** UCM 0085, default 18 (unspecified error) when no segment errors are given, else 12 (invalid value). */
      code?: string;
      segmentErrors?: EdifactSegmentError[];
    };

export interface EdifactAckOptions {
  /** UNB 0020 of the answer itself. */
  controlReference: number;
  now?: Date;
}

/** Action codes (0083): 4 this level and all lower levels rejected, 7 acknowledged, 8 interchange received. */
export const CONTRL_ACTION = { rejected: "4", acknowledged: "7", received: "8" } as const;

/**
 * The CONTRL a receiver sends for an interchange: UCI for the interchange, one UCM per message. Without
 * a verdict the interchange is checked here (envelope problems, and for DESADV the content problems
 * `asnFromDesadv` finds), as a translator would.
 */
export function buildContrl(subject: string, verdict: ContrlVerdict | undefined, options: EdifactAckOptions): string {
  const { interchange, problems } = readEdifact(subject);
  const body: EdifactSegment[] = [];
  const interchangeProblem = verdict ? undefined : problems.find((p) => p.level === "interchange");
  const uciAction = interchangeProblem ? CONTRL_ACTION.rejected : CONTRL_ACTION.acknowledged;
  body.push({
    tag: "UCI",
    elements: [
      [interchange.controlReference],
      [interchange.sender.id, interchange.sender.qualifier],
      [interchange.recipient.id, interchange.recipient.qualifier],
      [uciAction],
      ...(interchangeProblem ? [[interchangeProblem.code], [interchangeProblem.segment ?? ""]] : []),
    ],
  });
  for (const message of interchange.messages) {
    let code: string | undefined;
    let segmentErrors: EdifactSegmentError[] = [];
    let segmentTag: string | undefined;
    if (verdict) {
      if (verdict.status === "rejected") {
        segmentErrors = verdict.segmentErrors ?? [];
        code = verdict.code ?? (segmentErrors.length ? "12" : "18");
      }
    } else if (interchangeProblem) {
      code = interchangeProblem.code;
    } else {
      const own = problems.find((p) => p.level === "transaction" && p.transactionControlNumber === message.reference);
      if (own) {
        code = own.code;
        segmentTag = own.segment;
      } else if (message.type === "DESADV") {
        try {
          asnFromDesadv(message, interchange.delimiters.decimal);
        } catch (error) {
          if (!(error instanceof EdiError)) throw error;
          code = error.problem.code;
          segmentErrors = [
            {
              position: error.problem.position ?? 0,
              code: error.problem.code,
              ...(error.problem.element ? { elements: [{ code: error.problem.code, position: error.problem.element }] } : {}),
            },
          ];
        }
      }
    }
    body.push({
      tag: "UCM",
      elements: [
        [message.reference],
        [message.type, message.version, message.release, message.agency, message.association],
        [code === undefined ? CONTRL_ACTION.acknowledged : CONTRL_ACTION.rejected],
        ...(code === undefined ? [] : [[code], ...(segmentTag ? [[segmentTag]] : [])]),
      ],
    });
    for (const se of segmentErrors) {
      body.push({ tag: "UCS", elements: [[String(se.position)], ...(se.code ? [[se.code]] : [])] });
      for (const de of se.elements ?? [])
        body.push({ tag: "UCD", elements: [[de.code], [String(de.position), de.component === undefined ? "" : String(de.component)]] });
    }
  }
  return writeEdifact([{ type: "CONTRL", version: "D", release: "3", agency: "UN", body }], {
    sender: { id: interchange.recipient.id, qualifier: interchange.recipient.qualifier },
    recipient: { id: interchange.sender.id, qualifier: interchange.sender.qualifier },
    controlReference: options.controlReference,
    now: options.now,
    test: interchange.testIndicator === "1",
  });
}

export interface ParsedContrl {
  interchange: EdifactInterchange;
  /** UCI: the subject interchange and what was done with it. */
  subject: { controlReference: string; sender: EdifactParty; recipient: EdifactParty; action: string; code?: string };
  messages: { reference: string; type: string; action: string; code?: string; segmentErrors: EdifactSegmentError[] }[];
}

/** Reads a CONTRL message. */
export function parseContrl(text: string): ParsedContrl {
  const interchange = parseEdifact(text);
  const message = interchange.messages.find((m) => m.type === "CONTRL");
  if (!message) throw new EdiError(problem({ level: "interchange", code: "15", message: "The interchange holds no CONTRL" }));
  let subject: ParsedContrl["subject"] | undefined;
  const messages: ParsedContrl["messages"] = [];
  for (const segment of message.segments) {
    const c = (e: number, k = 1) => comp(segment, e, k);
    if (segment.tag === "UCI") {
      subject = {
        controlReference: c(1),
        sender: { id: c(2, 1), qualifier: c(2, 2) },
        recipient: { id: c(3, 1), qualifier: c(3, 2) },
        action: c(4),
        ...(c(5) ? { code: c(5) } : {}),
      };
    } else if (segment.tag === "UCM") {
      messages.push({ reference: c(1), type: c(2, 1), action: c(3), ...(c(4) ? { code: c(4) } : {}), segmentErrors: [] });
    } else if (segment.tag === "UCS") {
      messages.at(-1)?.segmentErrors.push({ position: int(c(1)), ...(c(2) ? { code: c(2) } : {}) });
    } else if (segment.tag === "UCD") {
      const last = messages.at(-1)?.segmentErrors.at(-1);
      if (last) last.elements = [...(last.elements ?? []), { code: c(1), position: int(c(2, 1)), ...(c(2, 2) ? { component: int(c(2, 2)) } : {}) }];
    }
  }
  if (!subject) throw new EdiError(problem({ level: "segment", code: "13", segment: "UCI", message: "CONTRL without UCI" }));
  return { interchange, subject, messages };
}

// ---------------------------------------------------------------------------------------------
// APERAK application error and acknowledgement
// ---------------------------------------------------------------------------------------------

/**
 * Refusal code ⇄ ERC application error code (C901 9321, code list responsible agency ZZZ = mutually
 * defined: EDIFACT has no standard list of these business errors).
 */
export const EDIFACT_APPLICATION_ERROR: Readonly<Record<RefusalCode, string>> = {
  PO_UNKNOWN: "POUNKN",
  QTY_OVER_PO: "QTYOVER",
  DUPLICATE_ASN: "DUPASN",
  OTHER: "OTHER",
};
const REFUSAL_BY_ERC = new Map<string, RefusalCode>(Object.entries(EDIFACT_APPLICATION_ERROR).map(([k, v]) => [v, k as RefusalCode] as const));

/**
 * The APERAK with which the receiving system accepts (BGM 1225 = 6 confirmation) or refuses (27 not
 * accepted) a DESADV. BGM 1001 is 12E (application error and acknowledgement, EANCOM code, agency 9);
 * RFF+AAK carries the despatch advice number, RFF+ACW the subject interchange reference; per refusal an
 * ERC with FTX+AAO text and, for a line, RFF+ON:<order>:<line>.
 */
export function buildAperak(subject: string, verdict: ApplicationVerdict, options: EdifactAckOptions): string {
  const interchange = parseEdifact(subject);
  const message = interchange.messages.find((m) => m.type === "DESADV");
  if (!message) throw new EdiError(problem({ level: "interchange", code: "15", message: "The interchange holds no DESADV to answer" }));
  let asn: SupplierAsnPayload | undefined;
  try {
    asn = asnFromDesadv(message, interchange.delimiters.decimal);
  } catch {
    asn = undefined;
  }
  const asnNumber =
    asn?.asnNumber ??
    comp(
      message.segments.find((s) => s.tag === "BGM"),
      2,
    );
  const now = options.now ?? new Date();
  const body: EdifactSegment[] = [
    { tag: "BGM", elements: [["12E", "", "9"], [`AP${options.controlReference}`], [verdict.status === "accepted" ? "6" : "27"]] },
    { tag: "DTM", elements: [["137", ccyymmdd(now), "102"]] },
    { tag: "RFF", elements: [["AAK", asnNumber]] },
    { tag: "RFF", elements: [["ACW", interchange.controlReference, message.reference]] },
  ];
  if (verdict.status === "refused") {
    for (const refusal of verdict.refusals) {
      body.push({ tag: "ERC", elements: [[EDIFACT_APPLICATION_ERROR[refusal.code], "", "ZZZ"]] });
      const text = refusal.message.slice(0, 350);
      const chunks = text.match(/.{1,70}/gs) ?? [""];
      body.push({ tag: "FTX", elements: [["AAO"], [""], [""], chunks.slice(0, 5)] });
      if (refusal.poLine !== undefined) body.push({ tag: "RFF", elements: [["ON", asn?.purchaseOrder ?? "", refusal.poLine]] });
    }
  }
  return writeEdifact([{ type: "APERAK", version: "D", release: "96A", agency: "UN", body }], {
    sender: { id: interchange.recipient.id, qualifier: interchange.recipient.qualifier },
    recipient: { id: interchange.sender.id, qualifier: interchange.sender.qualifier },
    controlReference: options.controlReference,
    now,
    test: interchange.testIndicator === "1",
  });
}

export interface ParsedAperak {
  interchange: EdifactInterchange;
  /** BGM 1225: 6 confirmation / 27 not accepted. */
  function: string;
  status: "accepted" | "refused";
  asnNumber: string;
  /** RFF+ACW: the subject interchange reference and message reference. */
  subjectControlReference: string;
  subjectMessageReference: string;
  refusals: ParsedRefusal[];
}

/** Reads an APERAK message. */
export function parseAperak(text: string): ParsedAperak {
  const interchange = parseEdifact(text);
  const message = interchange.messages.find((m) => m.type === "APERAK");
  if (!message) throw new EdiError(problem({ level: "interchange", code: "15", message: "The interchange holds no APERAK" }));
  const result: ParsedAperak = {
    interchange,
    function: "",
    status: "accepted",
    asnNumber: "",
    subjectControlReference: "",
    subjectMessageReference: "",
    refusals: [],
  };
  let current: ParsedRefusal | undefined;
  for (const segment of message.segments) {
    const c = (e: number, k = 1) => comp(segment, e, k);
    if (segment.tag === "BGM") {
      result.function = c(3);
      result.status = c(3) === "27" ? "refused" : "accepted";
    } else if (segment.tag === "ERC") {
      current = { code: REFUSAL_BY_ERC.get(c(1, 1)) ?? "OTHER", nativeCode: c(1, 1), message: "" };
      result.refusals.push(current);
    } else if (segment.tag === "FTX" && current && c(1) === "AAO") {
      current.message = (segment.elements[3] ?? []).join("");
    } else if (segment.tag === "RFF") {
      if (current && c(1, 1) === "ON") {
        current.segment = "LIN";
        if (c(1, 3)) current.poLine = c(1, 3);
        current.value = c(1, 3) || c(1, 2);
      } else if (c(1, 1) === "AAK") result.asnNumber = c(1, 2);
      else if (c(1, 1) === "ACW") {
        result.subjectControlReference = c(1, 2);
        result.subjectMessageReference = c(1, 3);
      }
    }
  }
  if (result.refusals.length > 0) result.status = "refused";
  return result;
}

export type { ApplicationVerdict, Refusal, RefusalCode };
