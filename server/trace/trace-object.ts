import { z } from "zod";
import { presentAuditEvents, transactionHref } from "../audit/list-events";
import type { RefKind } from "../db/generated/enums";
import { db, pool } from "../db";
import { forbidden } from "../http/errors";
import { type Principal, can, visiblePlantIds } from "../policy";
import { type TimelineEntry, transactionsTimeline } from "../transactions/timeline";
import { isTraceKind, TRACE_KINDS, type TraceKind } from "./kinds";

/**
 * Traceability of one business object (a lot, a production order, a PO, … — a typed reference, business_ref):
 * every message (transaction) that named it, in the user's plants, across interfaces and systems; every hop of
 * those messages (server/transactions/timeline.ts), and every audit event of their exceptions (opened,
 * assigned, corrected, approved, replayed, resolved — read as the audit trail reads them, with names:
 * server/audit), in one time-ordered chain. The page, the CSV and the NDJSON export are the same rows.
 */
export const MAX_TRACE_TRANSACTIONS = 500;
export const MAX_TRACE_HOPS = 5000;
export const MAX_TRACE_AUDIT = 5000;

const valueSchema = z
  .string()
  .min(1)
  .max(120)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  .regex(/^[^\u0000-\u001f\u007f]*$/);

export type TraceMessage = {
  transactionId: string;
  plantCode: string;
  timezone: string;
  interfaceCode: string;
  messageId: string;
  correlationId: string;
  businessKey: string | null;
  /** As the message stands (a delivered replay counts, as on /transactions). */
  status: string;
  firstSeenAt: string;
  lastEventAt: string;
  /** The object's qualifiers this message named (a BOM's revision, an order's operation, a PO's line). */
  qualifiers: string[];
  exceptions: { id: string; status: string; errorCode: string; severity: string }[];
  href: string;
};

/** One row of the chain: a hop of a message, or an audit event of one of its exceptions. */
export type TraceRow = {
  occurredAtUtc: string;
  source: "hop" | "audit";
  plantCode: string;
  interfaceCode: string;
  messageId: string;
  correlationId: string;
  transactionId: string;
  exceptionId: string | null;
  /** A hop's outcome (received, delivered, failed, retrying) or the audit event's type (correction.approved). */
  event: string;
  /** The hop ("QMS>SAP_ERP"), for hops. */
  hop: string | null;
  attempt: number | null;
  /** Who: the person's name, Andon, or the connector; for hops, the reporting system's hop. */
  actor: string | null;
  /** What: the error code of a failed hop; the audit event's details as the audit trail words them. */
  detail: string;
  /** Where to read more: the exception (audit) or the message's page (hops). */
  href: string;
};

export type Trace = {
  kind: TraceKind;
  refKind: RefKind;
  value: string;
  messages: TraceMessage[];
  rows: TraceRow[];
  /** More messages, hops or audit events than listed (the oldest are listed). */
  truncated: boolean;
};

/** null: no message in the user's plants names this object (or the kind/value cannot name one): a 404, never an empty page. */
export async function traceObject(user: Principal, kind: string, value: string): Promise<Trace | null> {
  if (!can(user, "trace.read")) throw forbidden("Your role cannot read traceability");
  if (!isTraceKind(kind) || !valueSchema.safeParse(value).success) return null;
  const refKind = TRACE_KINDS[kind];
  const scope = visiblePlantIds(user);
  const params: unknown[] = [refKind, value];
  const plantFilter = scope === "all" ? "" : `AND plant_id = ANY($${params.push([...scope])}::uuid[])`;
  const { rows: txs } = await pool().query<{
    id: string;
    plant_id: string;
    plant_code: string;
    timezone: string;
    interface_id: string;
    interface_code: string;
    correlation_id: string;
    message_id: string;
    business_key: string | null;
    status: string;
    first_seen_at: Date;
    last_event_at: Date;
    hops: unknown;
    qualifiers: string[];
  }>(
    `SELECT t.id, t.plant_id, pl.code AS plant_code, pl.timezone, t.interface_id, i.code AS interface_code, t.correlation_id, t.message_id,
            t.business_key, (CASE WHEN t.status <> 'DELIVERED' AND rp.at IS NOT NULL AND rp.at >= t.last_event_at THEN 'DELIVERED' ELSE t.status::text END) AS status,
            t.first_seen_at, t.last_event_at, t.hops, r.qualifiers
     FROM (SELECT transaction_id, min(first_seen_at) AS first_seen_at, array_agg(DISTINCT qualifier ORDER BY qualifier) AS qualifiers
           FROM business_ref WHERE kind = $1::ref_kind AND value = $2 ${plantFilter}
           GROUP BY transaction_id ORDER BY min(first_seen_at), transaction_id LIMIT ${MAX_TRACE_TRANSACTIONS + 1}) r
     JOIN business_transaction t ON t.id = r.transaction_id
     JOIN plant pl ON pl.id = t.plant_id JOIN interface i ON i.id = t.interface_id
     LEFT JOIN LATERAL (
       SELECT max(rr.finished_at) AS at FROM replay rr JOIN exception e ON e.id = rr.exception_id WHERE e.transaction_id = t.id AND rr.status = 'SUCCEEDED'
     ) rp ON true
     ORDER BY t.first_seen_at, t.id`,
    params,
  );
  if (txs.length === 0) return null;
  let truncated = txs.length > MAX_TRACE_TRANSACTIONS;
  const listed = txs.slice(0, MAX_TRACE_TRANSACTIONS);
  const txById = new Map(listed.map((t) => [t.id, t]));
  const [hops, exceptions] = await Promise.all([
    transactionsTimeline(
      listed.map((t) => ({
        id: t.id,
        plantId: t.plant_id,
        plantCode: t.plant_code,
        interfaceId: t.interface_id,
        interfaceCode: t.interface_code,
        correlationId: t.correlation_id,
        messageId: t.message_id,
        businessKey: t.business_key,
        firstSeenAt: t.first_seen_at,
        lastEventAt: t.last_event_at,
        hops: t.hops,
      })),
      MAX_TRACE_HOPS + 1,
    ),
    db().exception.findMany({
      where: { transactionId: { in: listed.map((t) => t.id) } },
      select: { id: true, transactionId: true, status: true, errorCode: true, severity: true },
      orderBy: [{ firstSeenAt: "asc" }, { id: "asc" }],
    }),
  ]);
  const stored = await db().auditEvent.findMany({
    where: { subjectType: "exception", subjectId: { in: exceptions.map((e) => e.id) } },
    orderBy: { id: "asc" },
    take: MAX_TRACE_AUDIT + 1,
  });
  truncated ||= hops.length > MAX_TRACE_HOPS || stored.length > MAX_TRACE_AUDIT;
  const audit = await presentAuditEvents(stored.slice(0, MAX_TRACE_AUDIT));
  const exceptionTx = new Map(exceptions.map((e) => [e.id, e.transactionId]));
  const href = (t: { correlation_id: string; plant_code: string }) => transactionHref(t.correlation_id, t.plant_code);
  const rows: TraceRow[] = [
    ...hops.slice(0, MAX_TRACE_HOPS).map((h) => hopRow(h, txById.get(h.transactionId)!, href)),
    ...audit.flatMap((a) => {
      const exceptionId = a.subject?.startsWith("exception:") ? a.subject.slice("exception:".length) : null;
      const t = exceptionId ? txById.get(exceptionTx.get(exceptionId) ?? "") : undefined;
      if (!t || !exceptionId) return [];
      return [
        {
          occurredAtUtc: a.occurredAt,
          source: "audit" as const,
          plantCode: t.plant_code,
          interfaceCode: t.interface_code,
          messageId: t.message_id,
          correlationId: t.correlation_id,
          transactionId: t.id,
          exceptionId,
          event: a.type,
          hop: null,
          attempt: null,
          actor: a.actorName,
          detail: a.details.map((d) => (d.text ? `${d.label}: ${d.text}` : d.at ? `${d.label}: ${d.at}` : d.label)).join("; "),
          href: `/exceptions/${exceptionId}`,
        },
      ];
    }),
  ];
  // Time order; at the same instant a hop before what people did about it, then as recorded.
  rows.sort((a, b) =>
    a.occurredAtUtc < b.occurredAtUtc ? -1 : a.occurredAtUtc > b.occurredAtUtc ? 1 : a.source === b.source ? 0 : a.source === "hop" ? -1 : 1,
  );
  const exceptionsOf = new Map<string, TraceMessage["exceptions"]>();
  for (const e of exceptions)
    exceptionsOf.set(e.transactionId, [
      ...(exceptionsOf.get(e.transactionId) ?? []),
      { id: e.id, status: e.status, errorCode: e.errorCode, severity: e.severity },
    ]);
  return {
    kind,
    refKind,
    value,
    messages: listed.map((t) => ({
      transactionId: t.id,
      plantCode: t.plant_code,
      timezone: t.timezone,
      interfaceCode: t.interface_code,
      messageId: t.message_id,
      correlationId: t.correlation_id,
      businessKey: t.business_key,
      status: t.status,
      firstSeenAt: t.first_seen_at.toISOString(),
      lastEventAt: t.last_event_at.toISOString(),
      qualifiers: t.qualifiers.filter((q) => q !== ""),
      exceptions: exceptionsOf.get(t.id) ?? [],
      href: href(t),
    })),
    rows,
    truncated,
  };
}

function hopRow(
  h: TimelineEntry,
  t: { id: string; plant_code: string; interface_code: string; message_id: string; correlation_id: string },
  href: (t: { correlation_id: string; plant_code: string }) => string,
): TraceRow {
  return {
    occurredAtUtc: h.at,
    source: "hop",
    plantCode: t.plant_code,
    interfaceCode: t.interface_code,
    messageId: t.message_id,
    correlationId: t.correlation_id,
    transactionId: t.id,
    exceptionId: null,
    event: h.outcome,
    hop: h.hop,
    attempt: h.attempt,
    actor: null,
    detail: h.errorCode ?? "",
    href: href(t),
  };
}

/** CSV columns of the export, in order: the row's fields (times UTC, ISO 8601 with "Z": the header says occurredAtUtc). */
export const TRACE_CSV_COLUMNS = [
  "occurredAtUtc",
  "source",
  "plantCode",
  "interfaceCode",
  "messageId",
  "correlationId",
  "transactionId",
  "exceptionId",
  "event",
  "hop",
  "attempt",
  "actor",
  "detail",
  "href",
] as const satisfies readonly (keyof TraceRow)[];
