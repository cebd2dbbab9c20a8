import { createHash, hash as digest } from "node:crypto";
import canonicalize from "canonicalize";
import type { Pool, PoolClient } from "pg";
import { type DbClient, type Prisma, db, pool } from "../db";
import { type Actor, type AuditEventData, type AuditEventType, actorSchema, auditEventSchemas } from "./events";

export * from "./events";

/**
 * Append-only, hash-chained audit trail.
 *
 * `append` runs inside the caller's transaction (the audited change and its audit row commit or
 * roll back together). A transaction-scoped advisory lock serialises appenders from the lock until
 * commit, so every row's prevHash is the hash of the row committed just before it: one chain, even
 * under concurrent writers. hash = sha256(prevHash ‖ canonical JSON (RFC 8785) of the event).
 * UPDATE/DELETE/TRUNCATE on audit_event are refused by database triggers.
 */
export const GENESIS_HASH = "0".repeat(64);
export const CHAIN_LOCK_KEY = 72_616_102; // arbitrary, constant: "andon audit chain"

export type AppendInput<T extends AuditEventType> = {
  type: T;
  actor: Actor;
  data: AuditEventData<T>;
  plantId?: string | null;
  subject?: { type: string; id: string } | null;
  occurredAt?: Date;
};

type HashedFields = {
  occurredAt: string;
  type: string;
  actor: Actor;
  plantId: string | null;
  subject: { type: string; id: string } | null;
  data: unknown;
};

export function eventHash(prevHash: string, fields: HashedFields): string {
  const canonical = canonicalize(fields);
  if (canonical === undefined) throw new Error("audit event cannot be canonicalised");
  return createHash("sha256").update(prevHash).update(canonical).digest("hex");
}

/** Validates and canonicalises one event (no database access). */
function prepare<T extends AuditEventType>(input: AppendInput<T>) {
  const data = auditEventSchemas[input.type].parse(input.data) as AuditEventData<T>;
  const actor = actorSchema.parse(input.actor);
  // Millisecond precision: what the timestamptz(3) column stores, so verification recomputes the same hash.
  const occurredAt = new Date(Math.floor((input.occurredAt ?? new Date()).getTime()));
  const fields: HashedFields = {
    occurredAt: occurredAt.toISOString(),
    type: input.type,
    actor,
    plantId: input.plantId ?? null,
    subject: input.subject ?? null,
    data,
  };
  return { occurredAt, actor, data, fields };
}

function row(prepared: ReturnType<typeof prepare>, prevHash: string) {
  const { occurredAt, actor, data, fields } = prepared;
  return {
    occurredAt,
    type: fields.type,
    actorType: actor.type,
    actorId: "id" in actor ? actor.id : null,
    actorLabel: actor.label,
    plantId: fields.plantId,
    subjectType: fields.subject?.type ?? null,
    subjectId: fields.subject?.id ?? null,
    data: data as Prisma.InputJsonValue,
    prevHash,
    hash: eventHash(prevHash, fields),
  };
}

/** Takes the chain lock (held until the caller's transaction ends) and returns the current head. */
async function chainHead(tx: Prisma.TransactionClient): Promise<string> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK_KEY}::bigint)`;
  const last = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  return last?.hash ?? GENESIS_HASH;
}

export async function append<T extends AuditEventType>(tx: Prisma.TransactionClient, input: AppendInput<T>) {
  const prepared = prepare(input);
  return tx.auditEvent.create({ data: row(prepared, await chainHead(tx)) });
}

/**
 * Appends several events in order with one lock and one insert (system actions on many objects at
 * once, e.g. exceptions resolved at source by one ingest batch). Call it last in the transaction:
 * the chain lock is held from here until commit.
 */
export async function appendMany(tx: Prisma.TransactionClient, inputs: AppendInput<AuditEventType>[]): Promise<number> {
  if (inputs.length === 0) return 0;
  const prepared = inputs.map(prepare);
  let prevHash = await chainHead(tx);
  const rows = prepared.map((p) => {
    const r = row(p, prevHash);
    prevHash = r.hash;
    return r;
  });
  const { count } = await tx.auditEvent.createMany({ data: rows });
  return count;
}

/** appendMany for code that holds a raw pg client in an open transaction (the ingest hot path). */
export async function appendManyWithPg(client: PoolClient, inputs: AppendInput<AuditEventType>[]): Promise<number> {
  if (inputs.length === 0) return 0;
  const prepared = inputs.map(prepare);
  await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [CHAIN_LOCK_KEY]);
  const head = await client.query<{ hash: string }>("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1");
  let prevHash = head.rows[0]?.hash ?? GENESIS_HASH;
  const rows = prepared.map((p, n) => {
    const r = row(p, prevHash);
    prevHash = r.hash;
    return { ...r, occurredAt: r.occurredAt.toISOString(), n };
  });
  const res = await client.query(
    `INSERT INTO audit_event (occurred_at, type, actor_type, actor_id, actor_label, plant_id, subject_type, subject_id, data, prev_hash, hash)
     SELECT r."occurredAt", r.type, r."actorType", r."actorId", r."actorLabel", r."plantId", r."subjectType", r."subjectId", r.data, r."prevHash", r.hash
     FROM jsonb_to_recordset($1::jsonb) AS r("occurredAt" timestamptz, type text, "actorType" text, "actorId" text, "actorLabel" text,
          "plantId" uuid, "subjectType" text, "subjectId" text, data jsonb, "prevHash" text, hash text, n bigint)
     ORDER BY r.n`,
    [JSON.stringify(rows)],
  );
  return res.rowCount ?? 0;
}

/** For events that are the whole change (sign-in, sign-out): its own short transaction. */
export async function record<T extends AuditEventType>(input: AppendInput<T>, client = db()) {
  return client.$transaction((tx) => append(tx, input));
}

type Row = Awaited<ReturnType<typeof append>>;

/** The stored columns an event's hash covers (a Prisma row, or a raw row converted by verifyChain). */
type StoredFields = Pick<Row, "occurredAt" | "type" | "actorType" | "actorId" | "actorLabel" | "plantId" | "subjectType" | "subjectId" | "data">;

function rowFields(row: StoredFields): HashedFields {
  const actor: Actor =
    row.actorType === "user" || row.actorType === "connector"
      ? ({ type: row.actorType, id: row.actorId ?? "", label: row.actorLabel } as Actor)
      : ({ type: row.actorType, label: row.actorLabel } as Actor);
  return {
    occurredAt: row.occurredAt.toISOString(),
    type: row.type,
    actor,
    plantId: row.plantId,
    subject: row.subjectType && row.subjectId ? { type: row.subjectType, id: row.subjectId } : null,
    data: row.data,
  };
}

export type VerifyResult = {
  ok: boolean;
  /** Events verified (before the broken one, when broken). */
  checked: number;
  brokenAtId: string | null;
  /** "link": the row's prev_hash is not the previous row's hash; "hash": its hash does not match its content. */
  reason?: "link" | "hash";
  /** On a broken link: for "link" the previous row's hash (what prev_hash should be), for "hash" the recomputed hash. */
  expectedHash?: string;
  /** On a broken link: what the row holds (its prev_hash for "link", its hash for "hash"). */
  foundHash?: string;
  /** Id and hash of the last verified event (the chain head when intact); null when none was verified. */
  lastId?: string | null;
  headHash?: string;
};

export type VerifyProgress = { checked: number; lastId: string };
export type VerifyOptions = {
  /** Rows per keyset batch (default 10,000: about 5 MB of rows in memory at a time). */
  batchSize?: number;
  /** Called after each batch. */
  onProgress?: (progress: VerifyProgress) => void;
};

/** A raw pg handle (pg.Pool, pg.Client or a pool client, e.g. inside an open transaction). */
type PgQueryable = { query: Pool["query"] };

/** One audit_event row as verifyChain reads it: every column as text, in this order. */
export type RawRow = [
  id: string,
  occurredAtMs: string,
  type: string,
  actorType: string,
  actorId: string | null,
  actorLabel: string,
  plantId: string | null,
  subjectType: string | null,
  subjectId: string | null,
  data: string,
  prevHash: string,
  hash: string,
];

// Only the hashed columns, as text: occurred_at as epoch milliseconds (exact for timestamptz(3); turned
// into the same Date Prisma returns), data as the stored jsonb text (JSON.parse, as Prisma does).
// ORDER BY names audit_event.id: a bare "id" would sort by the text alias ("10" < "9").
const VERIFY_COLUMNS = `id::text, (extract(epoch FROM occurred_at) * 1000)::bigint::text AS ms, type, actor_type, actor_id, actor_label,
  plant_id::text, subject_type, subject_id, data::text, prev_hash, hash`;

function batchQuery(after: string | null, limit: number): { text: string; values: string[] } {
  return after === null
    ? { text: `SELECT ${VERIFY_COLUMNS} FROM audit_event ORDER BY audit_event.id LIMIT ${limit}`, values: [] }
    : { text: `SELECT ${VERIFY_COLUMNS} FROM audit_event WHERE audit_event.id > $1::bigint ORDER BY audit_event.id LIMIT ${limit}`, values: [after] };
}

type FetchBatch = (after: string | null, limit: number) => Promise<RawRow[]>;

function batchFetcher(client: DbClient | PgQueryable): FetchBatch {
  if (!("$queryRawUnsafe" in client)) {
    return async (after, limit) => (await client.query<RawRow>({ ...batchQuery(after, limit), rowMode: "array" })).rows;
  }
  // A Prisma client or transaction (e.g. a check inside the caller's transaction): same SQL, raw rows.
  return async (after, limit) => {
    const q = batchQuery(after, limit);
    const rows = await client.$queryRawUnsafe<Record<string, string | null>[]>(q.text, ...q.values);
    return rows.map(
      (r) => [r.id, r.ms, r.type, r.actor_type, r.actor_id, r.actor_label, r.plant_id, r.subject_type, r.subject_id, r.data, r.prev_hash, r.hash] as RawRow,
    );
  };
}

/**
 * RFC 8785 canonical JSON of a value as JSON.parse returns it (null, booleans, finite numbers,
 * strings, arrays, plain objects): the same text `canonicalize` produces, several times faster (no
 * per-character surrogate scan, no cycle tracking). Anything else goes to `canonicalize` itself.
 * Verification only: hashes are written with `canonicalize` (eventHash), and any row whose fast
 * hash does not match is recomputed with eventHash before it is reported.
 * @internal exported for the equivalence tests
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (Number.isFinite(value)) return JSON.stringify(value);
      break;
    case "object": {
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          out += (i === 0 ? "" : ",") + (item === undefined || typeof item === "symbol" ? "null" : canonicalJson(item));
        }
        return `${out}]`;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) break; // Date, toJSON, null prototype...
      const object = value as Record<string, unknown>;
      let out = "{";
      for (const key of Object.keys(object).sort()) {
        const item = object[key];
        if (item === undefined || typeof item === "symbol") continue;
        out += `${out.length === 1 ? "" : ","}${JSON.stringify(key)}:${canonicalJson(item)}`;
      }
      return `${out}}`;
    }
  }
  const text = canonicalize(value);
  if (text === undefined) throw new Error("audit event cannot be canonicalised");
  return text;
}

const DAY_MS = 86_400_000;
let isoDay = Number.NaN;
let isoDayPrefix = "";
const pad = (n: number, width: number) => String(n).padStart(width, "0");

/**
 * `new Date(ms).toISOString()`, with the date part cached per day (rows come in time order).
 * @internal exported for the equivalence tests
 */
export function isoFromEpochMs(ms: number): string {
  if (!(Math.abs(ms) <= 8.64e15)) throw new RangeError("Invalid time value"); // Date's range (and NaN)
  const day = Math.floor(ms / DAY_MS);
  if (day !== isoDay) {
    const iso = new Date(day * DAY_MS).toISOString();
    isoDayPrefix = iso.slice(0, iso.indexOf("T") + 1);
    isoDay = day;
  }
  let t = ms - day * DAY_MS;
  const h = Math.floor(t / 3_600_000);
  t -= h * 3_600_000;
  const m = Math.floor(t / 60_000);
  t -= m * 60_000;
  const sec = Math.floor(t / 1000);
  return `${isoDayPrefix}${pad(h, 2)}:${pad(m, 2)}:${pad(sec, 2)}.${pad(t - sec * 1000, 3)}Z`;
}

/**
 * The canonical text eventHash hashes for a stored row, written out directly: canonicalize(rowFields(row))
 * with its keys already in RFC 8785 order (actor{id,label,type}, data, occurredAt, plantId,
 * subject{id,type}, type).
 * @internal exported for the equivalence tests
 */
export function storedCanonical(row: RawRow, data: unknown): string {
  const [, ms, type, actorType, actorId, actorLabel, plantId, subjectType, subjectId] = row;
  const actor =
    actorType === "user" || actorType === "connector"
      ? `{"id":${JSON.stringify(actorId ?? "")},"label":${JSON.stringify(actorLabel)},"type":${JSON.stringify(actorType)}}`
      : `{"label":${JSON.stringify(actorLabel)},"type":${JSON.stringify(actorType)}}`;
  const subject = subjectType && subjectId ? `{"id":${JSON.stringify(subjectId)},"type":${JSON.stringify(subjectType)}}` : "null";
  return `{"actor":${actor},"data":${canonicalJson(data)},"occurredAt":"${isoFromEpochMs(Number(ms))}","plantId":${plantId === null ? "null" : JSON.stringify(plantId)},"subject":${subject},"type":${JSON.stringify(type)}}`;
}

/** eventHash of a stored row, by the definition itself (the write path's rowFields + canonicalize). */
function referenceHash(prevHash: string, row: RawRow, data: unknown): string {
  const [, ms, type, actorType, actorId, actorLabel, plantId, subjectType, subjectId] = row;
  return eventHash(
    prevHash,
    rowFields({ occurredAt: new Date(Number(ms)), type, actorType, actorId, actorLabel, plantId, subjectType, subjectId, data: data as Row["data"] }),
  );
}

const ROWS_BETWEEN_YIELDS = 2_000;

/**
 * Walks the whole chain in id order, recomputing every link and hash: "N events verified, chain
 * intact", or the first broken link with the expected and the found hash.
 *
 * Reads plain SQL in keyset batches by id (only the hashed columns, as text) and fetches the next
 * batch while hashing the current one; every few thousand rows it yields to the event loop, so the
 * next batch's rows are received meanwhile and a long verification does not stall the server.
 * With the default client it reads through the app's pg pool; pass a Prisma transaction or a pg
 * client to verify what that transaction sees. Rows appended while it runs are verified too
 * (appends are serialised by the chain lock, so id order is chain order).
 */
export async function verifyChain(client: DbClient | PgQueryable = db(), options: number | VerifyOptions = {}): Promise<VerifyResult> {
  const { batchSize = 10_000, onProgress } = typeof options === "number" ? { batchSize: options } : options;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error(`verifyChain: bad batch size ${batchSize}`);
  const fetchBatch = batchFetcher(client === db() ? pool() : client);
  let prevHash = GENESIS_HASH;
  let lastId: string | null = null;
  let checked = 0;
  // A prefetch may fail while no one awaits it yet: mark it handled at once (awaiting it still throws).
  const fetchAhead = (after: string | null) => {
    const p = fetchBatch(after, batchSize);
    p.catch(() => undefined);
    return p;
  };
  let next: Promise<RawRow[]> | null = fetchAhead(null);
  const head = () => ({ lastId, headHash: lastId === null ? undefined : prevHash });
  try {
    while (next) {
      const rows: RawRow[] = await next;
      // Prefetch the following batch while this one is hashed.
      next = rows.length === batchSize ? fetchAhead(rows[rows.length - 1]![0]) : null;
      for (let i = 0; i < rows.length; i++) {
        if (next && i > 0 && i % ROWS_BETWEEN_YIELDS === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        const row = rows[i]!;
        const [id, , , , , , , , , dataText, rowPrevHash, hash] = row;
        if (rowPrevHash !== prevHash) {
          return { ok: false, checked, brokenAtId: id, reason: "link", expectedHash: prevHash, foundHash: rowPrevHash, ...head() };
        }
        const data: unknown = JSON.parse(dataText);
        // sha256(prevHash ‖ canonical) in one call; a mismatch is decided by the reference computation.
        if (digest("sha256", prevHash + storedCanonical(row, data), "hex") !== hash) {
          const expected = referenceHash(prevHash, row, data);
          if (expected !== hash) return { ok: false, checked, brokenAtId: id, reason: "hash", expectedHash: expected, foundHash: hash, ...head() };
        }
        prevHash = hash;
        lastId = id;
        checked++;
      }
      if (rows.length > 0) onProgress?.({ checked, lastId: lastId! });
    }
    return { ok: true, checked, brokenAtId: null, ...head() };
  } finally {
    // Stopped early (broken link or error): let a prefetch in flight settle, it may run in the caller's transaction.
    await next?.catch(() => undefined);
  }
}

/** Reads typed: the row's data parsed by its event schema (unknown types are returned raw). */
export function parseEvent(row: Row) {
  const schema = (auditEventSchemas as Record<string, { safeParse: (v: unknown) => { success: boolean; data?: unknown } }>)[row.type];
  const parsed = schema?.safeParse(row.data);
  return { ...row, id: row.id.toString(), data: parsed?.success ? parsed.data : row.data, valid: parsed?.success ?? false };
}
