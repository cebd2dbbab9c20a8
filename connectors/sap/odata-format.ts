import { randomBytes } from "node:crypto";
import type { ApplicationMessage } from "./application";
import type { SapMessage } from "./messages";
import { isSapDate, QUANTITY_PATTERN } from "./sap-format";

/**
 * OData v2 wire formats as SAP Gateway writes them in JSON: Edm.DateTime as "/Date(ms)/",
 * Edm.Time as an ISO 8601 duration ("PT10H15M30S"), Edm.Decimal as a string, the `d` wrapper, the
 * error body, and the `sap-message` header.
 */

/** "/Date(1763942400000)/" (also with an offset, "/Date(…+0000)/"). */
const ODATA_DATE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;
/** ISO forms SAP Gateway also accepts for Edm.DateTime: "2026-11-24", "2026-11-24T00:00:00(.000)(Z)". */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?Z?)?$/;

/** An Edm.DateTime value (JSON) to DATS, or undefined when it is not a date. */
export function odataDateToDats(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const odata = ODATA_DATE.exec(value);
  if (odata) {
    const date = new Date(Number(odata[1]));
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString().slice(0, 10).replaceAll("-", "");
  }
  const iso = ISO_DATE.exec(value);
  if (iso) {
    const dats = `${iso[1]}${iso[2]}${iso[3]}`;
    return isSapDate(dats) ? dats : undefined;
  }
  if (/^\d{8}$/.test(value) && isSapDate(value)) return value;
  return undefined;
}

/** DATS to Edm.DateTime JSON ("/Date(ms)/", UTC midnight); empty or initial dates to null. */
export function datsToOData(dats: string | undefined): string | null {
  if (!dats || dats === "00000000") return null;
  return `/Date(${Date.UTC(Number(dats.slice(0, 4)), Number(dats.slice(4, 6)) - 1, Number(dats.slice(6, 8)))})/`;
}

/** Edm.Time of a moment (UTC): "PT10H15M30S". */
export function timeToOData(at: Date): string {
  return `PT${String(at.getUTCHours()).padStart(2, "0")}H${String(at.getUTCMinutes()).padStart(2, "0")}M${String(at.getUTCSeconds()).padStart(2, "0")}S`;
}

/** Edm.Decimal as SAP writes it: a string with the property's scale ("12.000"). */
export function decimalToOData(milli: number, scale = 3): string {
  return (milli / 1000).toFixed(scale);
}

/** Amounts are kept in hundredths: Edm.Decimal(14,3) as SAP writes currency amounts ("3600.00"). */
export function amountToOData(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** An Edm.Decimal request value (string or number) in thousandths, or undefined. */
export function decimalFromOData(value: unknown): number | undefined {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !QUANTITY_PATTERN.test(text)) return undefined;
  const [whole = "0", fraction = ""] = text.trim().split(".");
  return Number(whole) * 1000 + Number(fraction.padEnd(3, "0"));
}

/** A currency amount (string or number, up to 3 decimals as Edm.Decimal(14,3)) in hundredths. */
export function amountFromOData(value: unknown): number | undefined {
  const milli = decimalFromOData(value);
  return milli === undefined ? undefined : Math.round(milli / 10);
}

/** The T100 message as OData writes it: "M7/021". */
export const messageCode = (message: Pick<SapMessage, "id" | "number">) => `${message.id}/${message.number}`;

const SEVERITY: Readonly<Record<string, string>> = { E: "error", A: "error", W: "warning", I: "info", S: "success" };

export interface ODataApplication {
  readonly componentId: string;
  readonly serviceId: string;
}

/** An OData error answer: status, the leading message, and all messages as errordetails. */
export class ODataError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly { code: string; message: string; propertyref: string; severity: string; target: string }[] = [],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** A business refusal (HTTP 400) from the application's messages (BAPIRET2 → errordetails). */
  static fromMessages(messages: readonly ApplicationMessage[], entity: string, status = 400): ODataError {
    const [first] = messages;
    const details = messages.map((m) => ({
      code: messageCode(m.message),
      message: m.message.text,
      propertyref: m.field ? `${entity}/${m.field}` : "",
      severity: SEVERITY[m.message.type] ?? "error",
      target: m.segmentPath ?? "",
    }));
    return new ODataError(status, first ? messageCode(first.message) : "SY/530", first?.message.text ?? "Error", details);
  }
}

/** YYYYMMDDhhmmss.fffffff, as SAP Gateway writes innererror.timestamp. */
function gatewayTimestamp(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 19).replace(/[-:T]/g, "")}.${iso.slice(20, 23)}0000`;
}

/** The JSON error body of SAP Gateway (OData v2). */
export function errorBody(error: ODataError, application: ODataApplication, at: Date): unknown {
  return {
    error: {
      code: error.code,
      message: { lang: "en", value: error.message },
      innererror: {
        application: { component_id: application.componentId, service_namespace: "/SAP/", service_id: application.serviceId, service_version: "0001" },
        transactionid: randomBytes(16).toString("hex").toUpperCase(),
        timestamp: gatewayTimestamp(at),
        Error_Resolution: {
          SAP_Transaction:
            'For backend administrators: use ADT feed reader "SAP Gateway Error Log" or run transaction /IWFND/ERROR_LOG on SAP Gateway hub system and search for entries with the timestamp above for more details',
          SAP_Note: "See SAP Note 1797736 for error analysis (https://service.sap.com/sap/support/notes/1797736)",
        },
        errordetails: (error.details.length > 0
          ? error.details
          : [{ code: error.code, message: error.message, propertyref: "", severity: "error", target: "" }]
        ).map((detail) => ({ ...detail, transition: false })),
      },
    },
  };
}

/** The `sap-message` header (JSON) for messages of a successful request: the first, the rest as details. */
export function sapMessageHeader(messages: readonly SapMessage[]): string | undefined {
  const [first, ...rest] = messages;
  if (!first) return undefined;
  const entry = (m: SapMessage) => ({
    code: messageCode(m),
    message: m.text,
    longtext_url: "",
    target: "",
    severity: SEVERITY[m.type] ?? "info",
    transition: false,
  });
  return JSON.stringify({ ...entry(first), details: rest.map(entry) });
}
