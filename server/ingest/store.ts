import { createHash } from "node:crypto";
import type { PoolClient } from "pg";
import { type AppendInput, type AuditEventType, appendManyWithPg } from "../audit";
import { pool } from "../db";
import type { ExceptionChange } from "../realtime/events";
import type { ErrorCategory, EventOutcome, Severity } from "../db/generated/enums";
import { fingerprint } from "../exceptions/fingerprint";
import { CLOSED_STATUSES, INITIAL_STATUS, OPEN_STATUSES, SLA_MS } from "../exceptions/lifecycle";
import { severityOf } from "../exceptions/severity";
import { type MovedException, transitionExceptionsWithPg } from "../exceptions/transition";
import { bucketOf, BUCKETS, toPgArray } from "../metrics/histogram";
import { lateHours } from "../dashboards/rollup";
import { cancelOpenReplaysWithPg, cancelledEvents } from "../replay/cancel-replays";
import { assignToOwners } from "./assign-owner";
import { releaseDependentsWithPg } from "../dependencies/release";
import type { InterfaceInfo } from "./catalog";
import { type RefRow, refRows } from "./refs";
import type { IngestEvent } from "./schema";

/**
 * The ingest hot path, on pg directly (Prisma's createMany is ~10× too slow here, see TOOLING.md).
 * One database transaction per batch: an event is stored with all its effects (receipt, telemetry,
 * rollup, transaction, exception) and their audit events or not at all. Rows are written in a fixed
 * key order so concurrent batches cannot deadlock each other; a deadlock or serialization failure retries.
 */
export type ValidEvent = { event: IngestEvent; iface: InterfaceInfo; occurredAt: Date };

/** The live event payload of an exception change lives with the event map (no import cycle). */
export type { ExceptionChange } from "../realtime/events";

/** A failure reported for a message already delivered: said so in the answer, never silently reopened. */
export type LateFailure = { eventIds: string[]; interfaceCode: string; messageId: string; deliveredAt: string; exceptionOpened: boolean };

export type StoreResult = {
  storedIds: Set<string>;
  lateFailures: LateFailure[];
  opened: ExceptionChange[];
  updated: ExceptionChange[];
  resolved: ExceptionChange[];
  outcomes: Record<EventOutcome, number>;
};

const OUTCOME: Record<IngestEvent["outcome"], EventOutcome> = { received: "RECEIVED", delivered: "DELIVERED", failed: "FAILED", retrying: "RETRYING" };
const CATEGORY: Record<"technical" | "business", ErrorCategory> = { technical: "TECHNICAL", business: "BUSINESS" };
const TX_STATUS: Record<IngestEvent["outcome"], string> = { received: "IN_FLIGHT", delivered: "DELIVERED", failed: "FAILED", retrying: "RETRYING" };
export const ROLLUP_SHARDS = 8;
const CLOSED_SQL = CLOSED_STATUSES.map((s) => `'${s}'`).join(", ");

export async function storeBatch(connector: Connector, items: ValidEvent[]): Promise<StoreResult> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool().connect();
    try {
      await client.query("BEGIN");
      const result = await write(client, connector, items);
      await client.query("COMMIT");
      return result;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      const code = (err as { code?: string }).code;
      if ((code === "40P01" || code === "40001") && attempt < 4) continue; // deadlock / serialization: retry whole batch
      throw err;
    } finally {
      client.release();
    }
  }
}

type Connector = { connectorId: string; connectorName: string; plantId: string };

/** One batch, in the caller's transaction, step by step (each step's rows in a fixed key order). */
async function write(client: PoolClient, connector: Connector, items: ValidEvent[]): Promise<StoreResult> {
  const storedIds = await claimReceipts(client, connector, items);
  const fresh = items.filter((i) => storedIds.has(i.event.eventId));
  if (fresh.length === 0) return { storedIds, lateFailures: [], opened: [], updated: [], resolved: [], outcomes: countOutcomes([]) };
  await insertTelemetry(client, connector, fresh);
  const folds = foldTransactions(fresh);
  const txByKey = await upsertTransactions(client, connector, folds);
  await insertRefs(client, connector, folds, txByKey);
  const { toOpen, toResolve, lateFailures } = planExceptions(folds, txByKey);
  const describe = describer(connector.plantId, folds, txByKey);
  const { opened, updated, reoccurred } = await openExceptions(client, connector, toOpen, describe);
  const resolutions = await resolveRecovered(client, connector, toResolve, describe);
  await addRollups(client, connector, fresh);
  await markLateHours(client, connector, fresh);
  const assigned = await assignToOwners(client, connector.plantId, opened);
  await audit(client, connector, { opened, reoccurred, events: [...assigned, ...resolutions.events] as AppendInput<AuditEventType>[] });
  return { storedIds, lateFailures, opened, updated, resolved: resolutions.resolved, outcomes: countOutcomes(fresh) };
}

/** 1. Idempotency: claim each (connector, eventId); concurrent resends wait on the unique index and lose. */
async function claimReceipts(client: PoolClient, connector: Connector, items: ValidEvent[]): Promise<Set<string>> {
  const ids = items.map((i) => i.event.eventId).sort();
  const claimed = await client.query<{ event_id: string }>(
    `INSERT INTO ingest_receipt (connector_id, event_id)
     SELECT $1, e FROM unnest($2::text[]) AS e ORDER BY e
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [connector.connectorId, ids],
  );
  return new Set(claimed.rows.map((r) => r.event_id));
}

function countOutcomes(fresh: ValidEvent[]): Record<EventOutcome, number> {
  const outcomes: Record<EventOutcome, number> = { RECEIVED: 0, DELIVERED: 0, FAILED: 0, RETRYING: 0 };
  for (const { event: e } of fresh) outcomes[OUTCOME[e.outcome]]++;
  return outcomes;
}

/** 2. Raw telemetry (partitioned by day). */
async function insertTelemetry(client: PoolClient, connector: Connector, fresh: ValidEvent[]): Promise<void> {
  const cols = {
    occurredAt: [] as string[],
    interfaceId: [] as string[],
    eventId: [] as string[],
    correlationId: [] as string[],
    messageId: [] as string[],
    businessKey: [] as (string | null)[],
    hopSource: [] as string[],
    hopTarget: [] as string[],
    outcome: [] as string[],
    latency: [] as number[],
    attempt: [] as number[],
    errorCategory: [] as (string | null)[],
    errorCode: [] as (string | null)[],
  };
  for (const { event: e, iface, occurredAt } of fresh) {
    cols.occurredAt.push(occurredAt.toISOString());
    cols.interfaceId.push(iface.id);
    cols.eventId.push(e.eventId);
    cols.correlationId.push(e.correlationId);
    cols.messageId.push(e.messageId);
    cols.businessKey.push(e.businessKey ?? null);
    cols.hopSource.push(e.hop.source);
    cols.hopTarget.push(e.hop.target);
    cols.outcome.push(OUTCOME[e.outcome]);
    cols.latency.push(e.latencyMs);
    cols.attempt.push(e.attempt);
    cols.errorCategory.push(e.error ? CATEGORY[e.error.category] : null);
    cols.errorCode.push(e.error?.code ?? null);
  }
  await client.query(
    `INSERT INTO telemetry_event (occurred_at, connector_id, plant_id, interface_id, event_id, correlation_id, message_id, business_key,
                                  hop_source, hop_target, outcome, latency_ms, attempt, error_category, error_code)
     SELECT t.o, $1, $2, t.i, t.e, t.c, t.m, t.b, t.hs, t.ht, t.out, t.l, t.a, t.ec, t.code
     FROM unnest($3::timestamptz[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::system_kind[], $10::system_kind[],
                 $11::event_outcome[], $12::int[], $13::int[], $14::error_category[], $15::text[])
          AS t(o, i, e, c, m, b, hs, ht, out, l, a, ec, code)`,
    [
      connector.connectorId,
      connector.plantId,
      cols.occurredAt,
      cols.interfaceId,
      cols.eventId,
      cols.correlationId,
      cols.messageId,
      cols.businessKey,
      cols.hopSource,
      cols.hopTarget,
      cols.outcome,
      cols.latency,
      cols.attempt,
      cols.errorCategory,
      cols.errorCode,
    ],
  );
}

/** This batch's events folded per business message (interface × message id), in time order. */
type Fold = {
  interfaceId: string;
  iface: InterfaceInfo;
  messageId: string;
  correlationId: string;
  businessKey: string | null;
  status: string;
  firstSeenAt: string;
  lastEventAt: string;
  deliveredAt: string | null;
  failedAt: string | null;
  latencyMs: number;
  attempts: number;
  payload: unknown;
  payloadAt: string | null;
  lastError: (IngestEvent["error"] & { at: string; hopSource: string; hopTarget: string }) | null;
  hops: Record<string, unknown>;
  failures: number;
  maxFailedAttempt: number;
  failedEventIds: string[];
  /** Typed references of the batch's events of this message, once each (key: kind|value|qualifier), with when first carried. */
  refs: Map<string, RefRow & { at: string }>;
};

type TxRow = { id: string; interface_id: string; message_id: string; status: string; delivered_at: Date | null; inserted: boolean; failed_at: Date | null };
const foldKey = (interfaceId: string, messageId: string) => `${interfaceId}|${messageId}`;

/** 3. Fold the batch per business message; sorted by key (the order transactions are written in). */
function foldTransactions(fresh: ValidEvent[]): Fold[] {
  const folds = new Map<string, Fold>();
  for (const { event: e, iface, occurredAt } of [...fresh].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime())) {
    const at = occurredAt.toISOString();
    const key = foldKey(iface.id, e.messageId);
    let f = folds.get(key);
    if (!f) {
      f = {
        interfaceId: iface.id,
        iface,
        messageId: e.messageId,
        correlationId: e.correlationId,
        businessKey: null,
        status: "",
        firstSeenAt: at,
        lastEventAt: at,
        deliveredAt: null,
        failedAt: null,
        latencyMs: 0,
        attempts: 0,
        payload: undefined,
        payloadAt: null,
        lastError: null,
        hops: {},
        failures: 0,
        maxFailedAttempt: 0,
        failedEventIds: [],
        refs: new Map(),
      };
      folds.set(key, f);
    }
    f.correlationId = e.correlationId;
    f.businessKey = e.businessKey ?? f.businessKey;
    f.status = TX_STATUS[e.outcome];
    f.lastEventAt = at;
    f.latencyMs = e.latencyMs;
    f.attempts = Math.max(f.attempts, e.attempt);
    if (e.outcome === "delivered") f.deliveredAt = at;
    if (e.payload !== undefined) {
      f.payload = e.payload;
      f.payloadAt = at;
    }
    if (e.outcome === "failed" && e.error) {
      f.failedAt = at;
      f.lastError = { ...e.error, at, hopSource: e.hop.source, hopTarget: e.hop.target };
      f.failures++;
      f.failedEventIds.push(e.eventId);
      f.maxFailedAttempt = Math.max(f.maxFailedAttempt, e.attempt);
    }
    for (const r of refRows(e.refs)) {
      const k = `${r.kind}|${r.value}|${r.qualifier}`;
      if (!f.refs.has(k)) f.refs.set(k, { ...r, at });
    }
    f.hops[`${e.hop.source}>${e.hop.target}`] = {
      outcome: e.outcome,
      at,
      latencyMs: e.latencyMs,
      attempt: e.attempt,
      ...(e.error ? { errorCode: e.error.code } : {}),
    };
  }
  return [...folds.values()].sort((a, b) => (a.interfaceId + a.messageId < b.interfaceId + b.messageId ? -1 : 1));
}

/** 4. Transactions: merge the folds with what is stored (the latest event wins), one upsert. */
async function upsertTransactions(client: PoolClient, connector: Connector, folds: Fold[]): Promise<Map<string, TxRow>> {
  const txRows = folds.map((f) => {
    const payloadJson = f.payload === undefined ? null : JSON.stringify(f.payload);
    return {
      interface_id: f.interfaceId,
      message_id: f.messageId,
      correlation_id: f.correlationId,
      business_key: f.businessKey,
      status: f.status,
      hops: f.hops,
      first_seen_at: f.firstSeenAt,
      last_event_at: f.lastEventAt,
      delivered_at: f.deliveredAt,
      failed_at: f.failedAt,
      latency_ms: f.latencyMs,
      attempts: f.attempts,
      payload: f.payload === undefined ? null : f.payload,
      payload_hash: payloadJson === null ? null : createHash("sha256").update(payloadJson).digest("hex"),
      payload_at: f.payloadAt,
      last_error: f.lastError,
    };
  });
  const txResult = await client.query<TxRow>(
    `INSERT INTO business_transaction AS t (plant_id, interface_id, message_id, correlation_id, business_key, status, hops, first_seen_at,
                                            last_event_at, delivered_at, failed_at, latency_ms, attempts, payload, payload_hash, last_error)
     SELECT $1, x.interface_id, x.message_id, x.correlation_id, x.business_key, x.status::transaction_status, x.hops, x.first_seen_at,
            x.last_event_at, x.delivered_at, x.failed_at, x.latency_ms, x.attempts, x.payload, x.payload_hash, x.last_error
     FROM jsonb_to_recordset($2::jsonb) AS x(interface_id uuid, message_id text, correlation_id text, business_key text, status text,
          hops jsonb, first_seen_at timestamptz, last_event_at timestamptz, delivered_at timestamptz, failed_at timestamptz, latency_ms int,
          attempts int, payload jsonb, payload_hash text, last_error jsonb, n bigint)
     ORDER BY x.n
     ON CONFLICT (plant_id, interface_id, message_id) DO UPDATE SET
       status = CASE WHEN EXCLUDED.last_event_at >= t.last_event_at THEN EXCLUDED.status ELSE t.status END,
       correlation_id = CASE WHEN EXCLUDED.last_event_at >= t.last_event_at THEN EXCLUDED.correlation_id ELSE t.correlation_id END,
       latency_ms = CASE WHEN EXCLUDED.last_event_at >= t.last_event_at THEN EXCLUDED.latency_ms ELSE t.latency_ms END,
       business_key = COALESCE(EXCLUDED.business_key, t.business_key),
       hops = andon_merge_hops(t.hops, EXCLUDED.hops),
       first_seen_at = LEAST(t.first_seen_at, EXCLUDED.first_seen_at),
       last_event_at = GREATEST(t.last_event_at, EXCLUDED.last_event_at),
       delivered_at = GREATEST(t.delivered_at, EXCLUDED.delivered_at),
       failed_at = GREATEST(t.failed_at, EXCLUDED.failed_at),
       attempts = GREATEST(t.attempts, EXCLUDED.attempts),
       payload = CASE WHEN EXCLUDED.payload IS NOT NULL AND (t.payload IS NULL OR EXCLUDED.last_event_at >= t.last_event_at) THEN EXCLUDED.payload ELSE t.payload END,
       payload_hash = CASE WHEN EXCLUDED.payload IS NOT NULL AND (t.payload IS NULL OR EXCLUDED.last_event_at >= t.last_event_at) THEN EXCLUDED.payload_hash ELSE t.payload_hash END,
       last_error = CASE WHEN EXCLUDED.last_error IS NOT NULL AND (t.failed_at IS NULL OR EXCLUDED.failed_at >= t.failed_at) THEN EXCLUDED.last_error ELSE t.last_error END
     RETURNING t.id, t.interface_id, t.message_id, t.status, t.delivered_at, t.failed_at, (t.xmax = 0) AS inserted`,
    [connector.plantId, JSON.stringify(txRows.map((r, n) => ({ ...r, n })))],
  );
  return new Map(txResult.rows.map((r) => [foldKey(r.interface_id, r.message_id), r]));
}

/**
 * 4b. Typed references (business_ref), once per transaction × kind × value × qualifier: one set-based insert,
 * rows in primary-key order (concurrent batches cannot deadlock on them), a reference already stored is kept
 * as it was (its first sighting). Nothing to do, and no query, for a batch without references.
 */
async function insertRefs(client: PoolClient, connector: Connector, folds: Fold[], txByKey: Map<string, TxRow>): Promise<void> {
  const rows: { t: string; k: string; v: string; q: string; i: string; at: string }[] = [];
  for (const f of folds) {
    if (f.refs.size === 0) continue;
    const t = txByKey.get(foldKey(f.interfaceId, f.messageId))!.id;
    for (const r of f.refs.values()) rows.push({ t, k: r.kind, v: r.value, q: r.qualifier, i: f.interfaceId, at: r.at });
  }
  if (rows.length === 0) return;
  rows.sort((a, b) =>
    a.t !== b.t ? (a.t < b.t ? -1 : 1) : a.k !== b.k ? (a.k < b.k ? -1 : 1) : a.v !== b.v ? (a.v < b.v ? -1 : 1) : a.q < b.q ? -1 : a.q > b.q ? 1 : 0,
  );
  await client.query(
    `INSERT INTO business_ref (transaction_id, kind, value, qualifier, plant_id, interface_id, first_seen_at)
     SELECT r.t, r.k, r.v, r.q, $1, r.i, r.at
     FROM unnest($2::uuid[], $3::ref_kind[], $4::text[], $5::text[], $6::uuid[], $7::timestamptz[]) WITH ORDINALITY AS r(t, k, v, q, i, at, n)
     ORDER BY r.n
     ON CONFLICT DO NOTHING`,
    [connector.plantId, rows.map((r) => r.t), rows.map((r) => r.k), rows.map((r) => r.v), rows.map((r) => r.q), rows.map((r) => r.i), rows.map((r) => r.at)],
  );
}

type ToOpen = {
  interface_id: string;
  transaction_id: string;
  fingerprint: string;
  category: ErrorCategory;
  severity: Severity;
  error_code: string;
  error_message: string;
  error_details: unknown;
  occurrences: number;
  first_seen_at: string;
  last_seen_at: string;
  sla_due_at: string;
  /** The hop that failed: a replay goes to its target system. */
  hop_source: string;
  hop_target: string;
  /** The transaction was stored before this batch (only then can it have an open exception already). */
  known: boolean;
};
type ToResolve = { transactionId: string; deliveredAt: Date };

/**
 * 5a. What the batch does to exceptions: a transaction whose latest state is FAILED opens (or updates)
 * its one open exception; one whose latest state is DELIVERED after its failure is resolved
 * "recovered at source". Sorted by transaction (the order exceptions are written in).
 */
function planExceptions(folds: Fold[], txByKey: Map<string, TxRow>): { toOpen: ToOpen[]; toResolve: ToResolve[]; lateFailures: LateFailure[] } {
  const now = Date.now();
  const toOpen: ToOpen[] = [];
  const toResolve: ToResolve[] = [];
  const lateFailures: LateFailure[] = [];
  for (const f of folds) {
    const tx = txByKey.get(foldKey(f.interfaceId, f.messageId))!;
    // A failure of a message that was delivered before this batch (by the source or by a replay): a
    // stale or duplicate report older than the delivery changes nothing; a newer one is a new failure,
    // and opens an exception. Either way the answer says so.
    // (No delivery in this batch, so the stored delivered_at is the one from before it.)
    if (f.failures > 0 && !tx.inserted && tx.delivered_at && !f.deliveredAt) {
      lateFailures.push({
        eventIds: f.failedEventIds,
        interfaceCode: f.iface.code,
        messageId: f.messageId,
        deliveredAt: tx.delivered_at.toISOString(),
        exceptionOpened: tx.status === "FAILED",
      });
    }
    if (tx.status === "FAILED" && f.lastError) {
      const category = CATEGORY[f.lastError.category];
      const severity = severityOf({ interfaceCode: f.iface.code, criticality: f.iface.criticality, category, attempt: f.maxFailedAttempt });
      toOpen.push({
        interface_id: f.interfaceId,
        transaction_id: tx.id,
        fingerprint: fingerprint(f.iface.code, f.lastError.code, f.lastError.message),
        category,
        severity,
        error_code: f.lastError.code,
        error_message: f.lastError.message,
        error_details: f.lastError.details ?? null,
        occurrences: f.failures,
        first_seen_at: f.lastError.at,
        last_seen_at: f.lastError.at,
        sla_due_at: new Date(now + SLA_MS[severity]).toISOString(),
        hop_source: f.lastError.hopSource,
        hop_target: f.lastError.hopTarget,
        known: !tx.inserted,
      });
    } else if (tx.status === "DELIVERED" && f.deliveredAt && !tx.inserted && tx.failed_at) {
      // Only a transaction stored before this batch, with a failure on record, can have an open exception.
      toResolve.push({ transactionId: tx.id, deliveredAt: new Date(f.deliveredAt) });
    }
  }
  toOpen.sort((a, b) => (a.transaction_id < b.transaction_id ? -1 : 1));
  return { toOpen, toResolve, lateFailures };
}

type ExRow = Omit<MovedException, "statusFrom" | "plantId">;
type Describe = (r: ExRow) => ExceptionChange;

/** An exception row as the live update and the audit name it (its interface's code, its message id). */
function describer(plantId: string, folds: Fold[], txByKey: Map<string, TxRow>): Describe {
  const codeOf = new Map(folds.map((f) => [f.interfaceId, f.iface.code]));
  const messageOf = new Map(folds.map((f) => [txByKey.get(foldKey(f.interfaceId, f.messageId))!.id, f.messageId]));
  return (r) => ({
    id: r.id,
    plantId,
    interfaceCode: codeOf.get(r.interfaceId) ?? "",
    transactionId: r.transactionId,
    messageId: messageOf.get(r.transactionId) ?? "",
    status: r.status,
    severity: r.severity,
    category: r.category,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage.slice(0, 300),
    occurrences: r.occurrences,
    lastSeenAt: r.lastSeenAt.toISOString(),
  });
}

/** What a failure reported again may change on an open exception, and people act on: its error (and so its group) and severity. */
type Facts = { errorCode: string; fingerprint: string; severity: Severity };
type Reoccurrence = { change: ExceptionChange; added: number; before: Facts; after: Facts };

/**
 * 5b. Open an exception per failed transaction, or update its open one (more occurrences, the latest
 * error). The update of an open one changes no status; it is returned as a reoccurrence (for the audit)
 * only when its error or severity changed: the same failure reported again is already on record in
 * telemetry and the transaction's hops, and auditing each repeat would grow the chain with a retry storm.
 */
async function openExceptions(client: PoolClient, connector: Connector, toOpen: ToOpen[], describe: Describe) {
  const opened: ExceptionChange[] = [];
  const updated: ExceptionChange[] = [];
  const reoccurred: Reoccurrence[] = [];
  if (toOpen.length === 0) return { opened, updated, reoccurred };
  // Their facts before this batch (the transactions' rows are locked by this batch's upsert: no other batch moves them meanwhile).
  const known = toOpen.filter((r) => r.known).map((r) => r.transaction_id);
  const before = new Map<string, Facts>();
  if (known.length) {
    const { rows } = await client.query<Facts & { transactionId: string }>(
      `SELECT transaction_id AS "transactionId", error_code AS "errorCode", fingerprint, severity FROM exception
       WHERE transaction_id = ANY($1::uuid[]) AND status NOT IN (${CLOSED_SQL})`,
      [known],
    );
    for (const { transactionId, ...facts } of rows) before.set(transactionId, facts);
  }
  const res = await client.query<ExRow & { fingerprint: string; inserted: boolean }>(
    `INSERT INTO exception AS x (plant_id, interface_id, transaction_id, status, fingerprint, category, severity, error_code, error_message, error_details,
                                occurrences, first_seen_at, last_seen_at, sla_due_at, hop_source, hop_target)
     SELECT $1, y.interface_id, y.transaction_id, $3::exception_status, y.fingerprint, y.category::error_category, y.severity::severity, y.error_code, y.error_message,
            y.error_details, y.occurrences, y.first_seen_at, y.last_seen_at, y.sla_due_at, y.hop_source::system_kind, y.hop_target::system_kind
     FROM jsonb_to_recordset($2::jsonb) AS y(interface_id uuid, transaction_id uuid, fingerprint text, category text, severity text,
          error_code text, error_message text, error_details jsonb, occurrences int, first_seen_at timestamptz, last_seen_at timestamptz,
          sla_due_at timestamptz, hop_source text, hop_target text, n bigint)
     ORDER BY y.n
     ON CONFLICT (transaction_id) WHERE status NOT IN (${CLOSED_SQL}) DO UPDATE SET
       occurrences = x.occurrences + EXCLUDED.occurrences,
       last_seen_at = GREATEST(x.last_seen_at, EXCLUDED.last_seen_at),
       fingerprint = EXCLUDED.fingerprint, category = EXCLUDED.category, error_code = EXCLUDED.error_code,
       error_message = EXCLUDED.error_message, error_details = EXCLUDED.error_details,
       hop_source = EXCLUDED.hop_source, hop_target = EXCLUDED.hop_target,
       severity = CASE WHEN EXCLUDED.severity < x.severity THEN EXCLUDED.severity ELSE x.severity END,
       updated_at = now()
     RETURNING x.id, x.interface_id AS "interfaceId", x.transaction_id AS "transactionId", x.status, x.severity, x.category, x.error_code AS "errorCode",
               x.error_message AS "errorMessage", x.occurrences, x.last_seen_at AS "lastSeenAt", x.fingerprint, (x.xmax = 0) AS inserted`,
    [connector.plantId, JSON.stringify(toOpen.map(({ known: _, ...r }, n) => ({ ...r, n }))), INITIAL_STATUS],
  );
  const added = new Map(toOpen.map((r) => [r.transaction_id, r.occurrences]));
  for (const r of res.rows) {
    const change = describe(r);
    if (r.inserted) {
      opened.push(change);
      continue;
    }
    updated.push(change);
    const was = before.get(r.transactionId);
    const now: Facts = { errorCode: r.errorCode, fingerprint: r.fingerprint, severity: r.severity };
    if (was && (was.fingerprint !== now.fingerprint || was.severity !== now.severity || was.errorCode !== now.errorCode)) {
      reoccurred.push({ change, added: added.get(r.transactionId) ?? 0, before: was, after: now });
    }
  }
  return { opened, updated, reoccurred };
}

/**
 * 5c. Resolve "recovered at source" the exceptions of transactions the source delivered after their
 * last failure, through the lifecycle's set-based writer; their queued replays will not be sent
 * (cancelled in the same transaction). Returns the audit events, for the batch's one append.
 */
async function resolveRecovered(client: PoolClient, connector: Connector, toResolve: ToResolve[], describe: Describe) {
  if (toResolve.length === 0) return { resolved: [] as ExceptionChange[], events: [] as AppendInput<AuditEventType>[] };
  // The transactions' rows are locked by this batch's upsert, so last_seen_at cannot move before the write.
  const { rows } = await client.query<{ id: string }>(
    `SELECT x.id FROM exception x JOIN unnest($1::uuid[], $2::timestamptz[]) AS d(transaction_id, delivered_at) ON x.transaction_id = d.transaction_id
     WHERE x.status NOT IN (${CLOSED_SQL}) AND d.delivered_at >= x.last_seen_at`,
    [toResolve.map((r) => r.transactionId), toResolve.map((r) => r.deliveredAt.toISOString())],
  );
  const deliveredAt = new Map(toResolve.map((r) => [r.transactionId, r.deliveredAt.toISOString()]));
  const actor = connectorActor(connector);
  const { moved, events } = await transitionExceptionsWithPg(client, {
    moves: rows.map((r) => ({ id: r.id, to: "RESOLVED", resolution: "recovered_at_source" })),
    from: OPEN_STATUSES,
    audit: (m) => {
      const c = describe(m);
      return {
        type: "exception.resolved",
        actor,
        plantId: connector.plantId,
        subject: { type: "exception", id: m.id },
        data: {
          resolution: "recovered_at_source",
          transactionId: m.transactionId,
          interfaceCode: c.interfaceCode,
          messageId: c.messageId,
          deliveredAt: deliveredAt.get(m.transactionId)!,
          statusFrom: m.statusFrom,
          statusTo: m.status,
        },
      };
    },
  });
  const cancelled = await cancelOpenReplaysWithPg(
    client,
    moved.map((m) => m.id),
  );
  // Their waiting dependents that wait on nothing else now are released (server/dependencies/release.ts).
  const release = await releaseDependentsWithPg(
    client,
    moved.map((m) => m.id),
  );
  return {
    resolved: moved.map(describe),
    events: [...events, ...cancelledEvents(cancelled, "recovered_at_source", actor), ...release.events] as AppendInput<AuditEventType>[],
  };
}

/**
 * 6. Per-minute rollups with mergeable latency histograms. Written late (row locks on the hot
 * current-minute rows are held only until commit) and sharded: each transaction adds into one of
 * ROLLUP_SHARDS rows per minute × interface × outcome, so concurrent batches rarely wait on each
 * other; readers sum the shards (histograms merge element-wise).
 */
async function addRollups(client: PoolClient, connector: Connector, fresh: ValidEvent[]): Promise<void> {
  const rollups = new Map<string, { bucket: string; interfaceId: string; outcome: EventOutcome; count: number; sum: number; max: number; hist: number[] }>();
  for (const { event: e, iface, occurredAt } of fresh) {
    const bucket = new Date(Math.floor(occurredAt.getTime() / 60_000) * 60_000).toISOString();
    const key = `${bucket}|${iface.id}|${OUTCOME[e.outcome]}`;
    let r = rollups.get(key);
    if (!r) {
      r = { bucket, interfaceId: iface.id, outcome: OUTCOME[e.outcome], count: 0, sum: 0, max: 0, hist: new Array<number>(BUCKETS).fill(0) };
      rollups.set(key, r);
    }
    r.count++;
    r.sum += e.latencyMs;
    r.max = Math.max(r.max, e.latencyMs);
    const b = bucketOf(e.latencyMs);
    r.hist[b] = (r.hist[b] ?? 0) + 1;
  }
  const rollupRows = [...rollups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, r]) => r);
  await client.query(
    `INSERT INTO telemetry_rollup_minute AS r (bucket, plant_id, interface_id, outcome, shard, count, latency_sum, latency_max, histogram)
     SELECT t.b, $1, t.i, t.o, $9, t.c, t.s, t.m, t.h::int[]
     FROM unnest($2::timestamptz[], $3::uuid[], $4::event_outcome[], $5::bigint[], $6::bigint[], $7::int[], $8::text[]) WITH ORDINALITY AS t(b, i, o, c, s, m, h, n)
     ORDER BY t.n
     ON CONFLICT (bucket, plant_id, interface_id, outcome, shard) DO UPDATE SET
       count = r.count + EXCLUDED.count,
       latency_sum = r.latency_sum + EXCLUDED.latency_sum,
       latency_max = GREATEST(r.latency_max, EXCLUDED.latency_max),
       histogram = andon_histogram_add(r.histogram, EXCLUDED.histogram)`,
    [
      connector.plantId,
      rollupRows.map((r) => r.bucket),
      rollupRows.map((r) => r.interfaceId),
      rollupRows.map((r) => r.outcome),
      rollupRows.map((r) => r.count),
      rollupRows.map((r) => r.sum),
      rollupRows.map((r) => r.max),
      rollupRows.map((r) => toPgArray(r.hist)),
      Math.floor(Math.random() * ROLLUP_SHARDS),
    ],
  );
}

/**
 * Telemetry of an hour that has ended may land after that hour was compacted into the hourly
 * rollups: mark the hour so the next compaction redoes it (one conflict-free insert per hour).
 */
async function markLateHours(client: PoolClient, connector: Connector, fresh: ValidEvent[]): Promise<void> {
  const late = lateHours(fresh.map((f) => f.occurredAt));
  if (late.length === 0) return;
  await client.query("INSERT INTO telemetry_rollup_dirty (hour, plant_id) SELECT h, $1 FROM unnest($2::timestamptz[]) AS h ON CONFLICT DO NOTHING", [
    connector.plantId,
    late.map((h) => new Date(h).toISOString()),
  ]);
}

const connectorActor = (connector: Connector) => ({ type: "connector" as const, id: connector.connectorId, label: connector.connectorName });

/**
 * 7. Audit the batch's changes to exceptions, attributed to the connector, with one append (one chain
 * lock, one insert) and last: the chain lock is held from here until commit. Every exception opened
 * (its status NEW), every open one whose error or severity a new failure changed (no status change),
 * every resolution at source and cancelled replay.
 */
async function audit(
  client: PoolClient,
  connector: Connector,
  changes: { opened: ExceptionChange[]; reoccurred: Reoccurrence[]; events: AppendInput<AuditEventType>[] },
): Promise<void> {
  const actor = connectorActor(connector);
  const subject = (c: ExceptionChange) => ({ type: "exception", id: c.id });
  await appendManyWithPg(client, [
    ...changes.opened.map(
      (c): AppendInput<"exception.opened"> => ({
        type: "exception.opened",
        actor,
        plantId: connector.plantId,
        subject: subject(c),
        data: {
          transactionId: c.transactionId,
          interfaceCode: c.interfaceCode,
          messageId: c.messageId,
          errorCode: c.errorCode,
          category: c.category,
          severity: c.severity,
          occurrences: c.occurrences,
          statusTo: c.status,
        },
      }),
    ),
    ...changes.reoccurred.map(
      ({ change: c, added, before, after }): AppendInput<"exception.reoccurred"> => ({
        type: "exception.reoccurred",
        actor,
        plantId: connector.plantId,
        subject: subject(c),
        data: {
          transactionId: c.transactionId,
          interfaceCode: c.interfaceCode,
          messageId: c.messageId,
          status: c.status,
          occurrences: c.occurrences,
          added,
          before,
          after,
        },
      }),
    ),
    ...changes.events,
  ] as AppendInput<AuditEventType>[]);
}
