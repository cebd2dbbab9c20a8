import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import type { PoolClient } from "pg";
import { type DbClient, Prisma, db } from "../db";
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
const CHAIN_LOCK_KEY = 72_616_102; // arbitrary, constant: "andon audit chain"

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

function rowFields(row: Row): HashedFields {
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

export type VerifyResult = { ok: boolean; checked: number; brokenAtId: string | null; reason?: string };

/** Walks the whole chain in id order, recomputing every hash and link. */
export async function verifyChain(client: DbClient = db(), batchSize = 1000): Promise<VerifyResult> {
  let prevHash = GENESIS_HASH;
  let cursor: bigint | undefined;
  let checked = 0;
  for (;;) {
    const rows: Row[] = await client.auditEvent.findMany({
      where: cursor === undefined ? {} : { id: { gt: cursor } },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    for (const row of rows) {
      if (row.prevHash !== prevHash) return { ok: false, checked, brokenAtId: row.id.toString(), reason: "link" };
      if (eventHash(prevHash, rowFields(row)) !== row.hash) {
        return { ok: false, checked, brokenAtId: row.id.toString(), reason: "hash" };
      }
      prevHash = row.hash;
      checked++;
    }
    if (rows.length < batchSize) return { ok: true, checked, brokenAtId: null };
    cursor = rows[rows.length - 1]!.id;
  }
}

/** Reads typed: the row's data parsed by its event schema (unknown types are returned raw). */
export function parseEvent(row: Row) {
  const schema = (auditEventSchemas as Record<string, { safeParse: (v: unknown) => { success: boolean; data?: unknown } }>)[row.type];
  const parsed = schema?.safeParse(row.data);
  return { ...row, id: row.id.toString(), data: parsed?.success ? parsed.data : row.data, valid: parsed?.success ?? false };
}
