import { z } from "zod";
import { MAX_JSON_DEPTH, exceedsJsonDepth, tooDeepMessage } from "../http/json-depth";

/**
 * The ingest API contract (/api/ingest/v1): one schema per message gives validation, the TypeScript
 * types (shared with connectors/sdk) and the OpenAPI document. Only zod here: importable anywhere.
 */
export const INGEST_LIMITS = {
  maxEventsPerRequest: 1000,
  maxRequestBytes: 5 * 1024 * 1024, // decoded body, and the raw body as received
  maxPayloadBytes: 256 * 1024, // serialized JSON of one event's payload
  maxErrorDetailsBytes: 32 * 1024, // serialized JSON of error.details
  maxPastMs: 30 * 24 * 60 * 60 * 1000, // telemetry older than 30 days is refused (retention)
  maxFutureMs: 5 * 60 * 1000, // clock skew tolerated
} as const;

export const OUTCOMES = ["received", "delivered", "failed", "retrying"] as const;
export const ERROR_CATEGORIES = ["technical", "business"] as const;
export const SYSTEMS = ["SAP_ERP", "ODOO", "MES", "QMS", "WMS", "CMMS", "PLM", "SUPPLIER_PORTAL", "PLANNING", "LIMS"] as const;

const id = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .max(200, `${what} is limited to 200 characters`)
    .regex(/\S/, `${what} must not be empty or blank`);

export const ingestErrorSchema = z
  .object({
    category: z.enum(ERROR_CATEGORIES),
    code: z.string().min(1).max(100),
    message: z.string().min(1).max(4000),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** A business object's number as the systems write it: 1–120 printable characters, no control characters. */
const refValue = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(120, `${what} is limited to 120 characters`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
    .regex(/^[^\u0000-\u001f\u007f]*$/, `${what} must not contain control characters`)
    .regex(/\S/, `${what} must not be blank`);
const qualifier = (what: string) =>
  z
    .string({ error: `${what} must be a string` })
    .min(1, `${what} must not be empty`)
    .max(40, `${what} is limited to 40 characters`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
    .regex(/^[^\u0000-\u001f\u007f]*$/, `${what} must not contain control characters`)
    .regex(/\S/, `${what} must not be blank`);

/**
 * Typed references to the business objects a message concerns (issue 20), beside businessKey (which stays:
 * a free label). The same number flows through every system of a plant (the order SAP releases is the one the
 * MES confirms and the WMS stages for), so Andon joins messages, exceptions, replays and audit events on them:
 * the traceability pages (/trace/lot/<lot>) and dependency checks. Stored once per transaction and reference.
 */
export const ingestRefsSchema = z
  .object({
    material: refValue("refs.material").optional().describe("Material / product number (SAP MATNR, Odoo default_code)"),
    bom: z
      .object({
        id: refValue("refs.bom.id").describe("BOM id or the product it builds"),
        revision: qualifier("refs.bom.revision").optional().describe("BOM revision / change number"),
      })
      .strict()
      .optional()
      .describe("Bill of materials, with its revision"),
    productionOrder: z
      .object({
        id: refValue("refs.productionOrder.id").describe("Production order number (SAP AUFNR, Odoo MO name)"),
        operation: qualifier("refs.productionOrder.operation").optional().describe("Operation / activity number (e.g. 0010)"),
      })
      .strict()
      .optional()
      .describe("Production order, with the operation when the message is about one"),
    lot: refValue("refs.lot").optional().describe("Lot / batch number (SAP CHARG)"),
    purchaseOrder: z
      .object({
        id: refValue("refs.purchaseOrder.id").describe("Purchase order number (SAP EBELN)"),
        line: qualifier("refs.purchaseOrder.line").optional().describe("PO line / item (SAP EBELP)"),
      })
      .strict()
      .optional()
      .describe("Purchase order, with the line when the message is about one"),
    asn: refValue("refs.asn").optional().describe("Advance shipping notice number (EDI DESADV / 856)"),
    workOrder: refValue("refs.workOrder").optional().describe("Maintenance work order number (CMMS)"),
    inspectionLot: refValue("refs.inspectionLot").optional().describe("Inspection lot number (QMS / SAP QM)"),
    invoice: refValue("refs.invoice").optional().describe("Invoice number (EDI INVOIC / 810, supplier bill)"),
    forecastVersion: refValue("refs.forecastVersion").optional().describe("Demand forecast version (planning)"),
  })
  .strict();
export type IngestRefs = z.infer<typeof ingestRefsSchema>;

export const ingestEventSchema = z
  .object({
    eventId: id("eventId").describe("Idempotency key of this event, unique per connector"),
    correlationId: id("correlationId").describe("Shared by every hop of one business message across systems"),
    messageId: id("messageId").describe("The business message (one transaction per plant × interface × messageId)"),
    interface: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/, "interface must be an interface code such as GOODS_MOVEMENT"),
    hop: z.object({ source: z.enum(SYSTEMS), target: z.enum(SYSTEMS) }).strict(),
    businessKey: z.string().max(200).optional().describe("Order, lot or PO number: a free label, shown and searched as sent"),
    refs: ingestRefsSchema
      .optional()
      .describe(
        "Typed references to the business objects this message concerns (material, BOM + revision, production order + operation, lot, " +
          "PO + line, ASN, work order, inspection lot, invoice, forecast version). Optional; the same number across systems of a plant " +
          "lets Andon trace an object (/trace/lot/<lot>). An unknown key or an over-long value rejects the item.",
      ),
    occurredAt: z.iso.datetime({ offset: true, error: "occurredAt must be an ISO 8601 date-time with offset" }),
    outcome: z.enum(OUTCOMES),
    latencyMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 3600 * 1000),
    attempt: z.number().int().min(1).max(1000).default(1),
    error: ingestErrorSchema.optional(),
    payload: z.unknown().optional().describe("The message as sent (JSON); required when outcome is failed"),
  })
  .strict()
  .superRefine((e, ctx) => {
    // Counted from the event, as for any JSON document received: payload and error.details are where it can nest.
    if (exceedsJsonDepth(e)) {
      const path = exceedsJsonDepth(e.payload, MAX_JSON_DEPTH - 1)
        ? ["payload"]
        : exceedsJsonDepth(e.error?.details, MAX_JSON_DEPTH - 2)
          ? ["error", "details"]
          : [];
      ctx.addIssue({ code: "custom", path, message: tooDeepMessage("The event") });
    }
    if (e.outcome === "failed") {
      if (!e.error) ctx.addIssue({ code: "custom", path: ["error"], message: "error is required when outcome is failed" });
      if (e.payload === undefined) ctx.addIssue({ code: "custom", path: ["payload"], message: "payload is required when outcome is failed" });
    } else if (e.error) {
      ctx.addIssue({ code: "custom", path: ["error"], message: `error is only allowed when outcome is failed (got ${e.outcome})` });
    }
  });

export type IngestEvent = z.infer<typeof ingestEventSchema>;
export type IngestEventInput = z.input<typeof ingestEventSchema>;

export const itemErrorSchema = z.object({ path: z.string(), message: z.string() });
export const ingestResultSchema = z.object({
  accepted: z.number().int().describe("Events stored by this request"),
  duplicates: z.number().int().describe("Events already stored earlier (same connector + eventId): absorbed"),
  rejected: z.array(z.object({ index: z.number().int(), eventId: z.string().nullable(), errors: z.array(itemErrorSchema) })),
  notices: z
    .array(
      z.object({
        eventId: z.string(),
        code: z.enum(["failure_after_delivery"]),
        message: z.string(),
        exceptionOpened: z.boolean().describe("false: the failure is older than the delivery and changed nothing; true: a newer failure opened an exception"),
      }),
    )
    .optional()
    .describe("Stored items that need a word: e.g. a failure reported for a message that was already delivered (by the source or by a replay)"),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;

export const heartbeatSchema = z
  .object({
    version: z.string().min(1).max(50),
    state: z.enum(["online", "degraded", "offline"]),
    backlog: z.number().int().min(0).describe("Events waiting in the connector's journal"),
    oldestPendingAgeS: z.number().min(0).nullable().describe("Age of the oldest waiting event, seconds"),
  })
  .strict();
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export const errorBodySchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
