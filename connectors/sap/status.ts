import { z } from "zod";
import type { SapMessage } from "./messages";
import { toSapDate, toSapTime } from "./sap-format";

/**
 * IDoc status records as SAP writes them. An inbound function module returns BDIDOCSTAT rows
 * (DOCNUM, STATUS, MSGTY, MSGID, MSGNO, MSGV1…4, SEGNUM, SEGFLD, …) which the IDoc interface stores
 * in EDIDS with a counter, log date/time and the rendered text; EDIDS names the message fields
 * STAMID, STAMNO, STAPA1…4 (see toEdids). Andon's records use the BDIDOCSTAT names plus EDIDS's
 * COUNTR, LOGDAT, LOGTIM and STATXT.
 */

export type IdocDirection = "outbound" | "inbound";
/** progress: on its way; success: final and good; error: needs attention. */
export type IdocStatusKind = "progress" | "success" | "error";

export interface IdocStatusDefinition {
  readonly text: string;
  readonly direction: IdocDirection;
  readonly kind: IdocStatusKind;
}

const status = (text: string, direction: IdocDirection, kind: IdocStatusKind): IdocStatusDefinition => ({ text, direction, kind });

/** The status values (table TEDS2) Andon meets. */
export const IDOC_STATUSES = {
  "01": status("IDoc generated", "outbound", "progress"),
  "02": status("Error passing data to port", "outbound", "error"),
  "03": status("Data passed to port OK", "outbound", "progress"),
  "12": status("Dispatch OK", "outbound", "success"),
  "26": status("Error during syntax check of IDoc (outbound)", "outbound", "error"),
  "29": status("Error in ALE service", "outbound", "error"),
  "30": status("IDoc ready for dispatch (ALE service)", "outbound", "progress"),
  "50": status("IDoc added", "inbound", "progress"),
  "51": status("Application document not posted", "inbound", "error"),
  "53": status("Application document posted", "inbound", "success"),
  "56": status("IDoc with errors added", "inbound", "error"),
  "60": status("Error during syntax check of IDoc (inbound)", "inbound", "error"),
  "62": status("IDoc passed to application", "inbound", "progress"),
  "63": status("Error passing IDoc to application", "inbound", "error"),
  "64": status("IDoc ready to be transferred to application", "inbound", "progress"),
  "65": status("Error in ALE service", "inbound", "error"),
  "68": status("Error - no further processing", "inbound", "error"),
} as const satisfies Record<string, IdocStatusDefinition>;

export type IdocStatusCode = keyof typeof IDOC_STATUSES;

export function describeIdocStatus(code: string): IdocStatusDefinition | undefined {
  return (IDOC_STATUSES as Readonly<Record<string, IdocStatusDefinition>>)[code];
}

const statusCode = z.string().regex(/^\d{2}$/, "must be a two-digit IDoc status");

export const idocStatusRecordSchema = z.object({
  DOCNUM: z.string().regex(/^\d{16}$/, "must be a 16-digit IDoc number"),
  /** Counter of the record within the IDoc (EDIDS-COUNTR). */
  COUNTR: z.string().regex(/^\d{6}$/),
  LOGDAT: z.string().regex(/^\d{8}$/),
  LOGTIM: z.string().regex(/^\d{6}$/),
  STATUS: statusCode,
  /** Message type: E error, W warning, S success, I information, A abort; empty without message. */
  MSGTY: z.enum(["", "E", "W", "S", "I", "A"]),
  MSGID: z.string(),
  MSGNO: z.string(),
  MSGV1: z.string(),
  MSGV2: z.string(),
  MSGV3: z.string(),
  MSGV4: z.string(),
  STATXT: z.string(),
  /** Number of the data segment the message refers to (EDIDD-SEGNUM), or empty. */
  SEGNUM: z.string(),
  SEGFLD: z.string(),
  UNAME: z.string(),
  REPID: z.string(),
});
export type IdocStatusRecord = z.infer<typeof idocStatusRecordSchema>;

export interface NewStatusRecord {
  docnum: string;
  status: string;
  counter: number;
  at: Date;
  /** The application message; without one, STATXT is `text` or the status description. */
  message?: SapMessage;
  text?: string;
  segnum?: string;
  segfld?: string;
  uname?: string;
  repid?: string;
}

export function createStatusRecord(input: NewStatusRecord): IdocStatusRecord {
  const message = input.message;
  return {
    DOCNUM: input.docnum,
    COUNTR: String(input.counter).padStart(6, "0"),
    LOGDAT: toSapDate(input.at),
    LOGTIM: toSapTime(input.at),
    STATUS: input.status,
    MSGTY: message?.type ?? "",
    MSGID: message?.id ?? "",
    MSGNO: message?.number ?? "",
    MSGV1: message?.v1 ?? "",
    MSGV2: message?.v2 ?? "",
    MSGV3: message?.v3 ?? "",
    MSGV4: message?.v4 ?? "",
    STATXT: message?.text ?? input.text ?? describeIdocStatus(input.status)?.text ?? "",
    SEGNUM: input.segnum ?? "",
    SEGFLD: input.segfld ?? "",
    UNAME: input.uname ?? "",
    REPID: input.repid ?? "",
  };
}

/** The same record with EDIDS's column names (STATYP, STAMID, STAMNO, STAPA1…4). */
export function toEdids(record: IdocStatusRecord) {
  return {
    DOCNUM: record.DOCNUM,
    LOGDAT: record.LOGDAT,
    LOGTIM: record.LOGTIM,
    COUNTR: record.COUNTR,
    STATUS: record.STATUS,
    UNAME: record.UNAME,
    REPID: record.REPID,
    STATXT: record.STATXT,
    SEGNUM: record.SEGNUM,
    SEGFLD: record.SEGFLD,
    STATYP: record.MSGTY,
    STAMID: record.MSGID,
    STAMNO: record.MSGNO,
    STAPA1: record.MSGV1,
    STAPA2: record.MSGV2,
    STAPA3: record.MSGV3,
    STAPA4: record.MSGV4,
  };
}

// ---------------------------------------------------------------------------------------------
// Classification into Andon's failure shape
// ---------------------------------------------------------------------------------------------

export interface AndonFailure {
  category: "technical" | "business";
  /** "M7-021" (MSGID-MSGNO) when SAP gave a message, else "IDOC-<status>". */
  code: string;
  message: string;
  details: { idocStatus: string; docnum: string; msgv: [string, string, string, string] };
}

/**
 * business: the data must change before a retry can succeed (replaying as is fails again).
 * technical: the transport or configuration failed; replaying as is succeeds once the cause is gone.
 *
 * - 51 application document not posted → business (stock short, period closed, master data…);
 * - 68 error, no further processing → business, and terminal: SAP will not touch the IDoc again
 *   (the emulator also answers 68 for an IDoc that was already posted);
 * - 60 / 26 syntax error → business (the message does not fit the IDoc type: a contract problem);
 * - 02 error passing data to port, 29 / 65 ALE service error, 56 IDoc with errors added (typically
 *   a missing partner profile), 63 error passing IDoc to application → technical;
 * - any other error status not listed here → technical.
 * Progress and success statuses (01, 03, 12, 30, 50, 53, 62, 64) are not failures (null).
 */
const BUSINESS_STATUSES: ReadonlySet<string> = new Set(["51", "68", "60", "26"]);

export function classifyStatusRecord(record: IdocStatusRecord): AndonFailure | null {
  const definition = describeIdocStatus(record.STATUS);
  if (definition && definition.kind !== "error") return null;
  const category = BUSINESS_STATUSES.has(record.STATUS) ? "business" : "technical";
  const code = category === "business" && record.MSGID ? `${record.MSGID}-${record.MSGNO}` : `IDOC-${record.STATUS}`;
  return {
    category,
    code,
    message: record.STATXT || definition?.text || `IDoc status ${record.STATUS}`,
    details: { idocStatus: record.STATUS, docnum: record.DOCNUM, msgv: [record.MSGV1, record.MSGV2, record.MSGV3, record.MSGV4] },
  };
}

/** Records in the order SAP wrote them (COUNTR ascending). */
function chronological(records: readonly IdocStatusRecord[]): IdocStatusRecord[] {
  return [...records].sort((a, b) => a.COUNTR.localeCompare(b.COUNTR));
}

/** The IDoc's current status: that of its latest record. */
export function currentStatus(records: readonly IdocStatusRecord[]): string | undefined {
  return chronological(records).at(-1)?.STATUS;
}

/**
 * Classifies an IDoc by its current status. When the application wrote several error records for
 * one attempt (one per BAPI message), the first of that final run is the root cause.
 */
export function classifyIdocStatus(records: readonly IdocStatusRecord[]): AndonFailure | null {
  const ordered = chronological(records);
  const last = ordered.at(-1);
  if (!last) return null;
  let first = ordered.length - 1;
  while (first > 0 && ordered[first - 1]?.STATUS === last.STATUS) first--;
  return classifyStatusRecord(ordered[first] ?? last);
}

/** Final statuses: SAP does not process the IDoc further (51 can still be reprocessed, BD87). */
export function isFinalStatus(code: string): boolean {
  return code === "53" || code === "68" || code === "12";
}
