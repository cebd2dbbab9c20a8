import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
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

export async function append<T extends AuditEventType>(tx: Prisma.TransactionClient, input: AppendInput<T>) {
  const data = auditEventSchemas[input.type].parse(input.data) as AuditEventData<T>;
  const actor = actorSchema.parse(input.actor);
  // Millisecond precision: what the timestamptz(3) column stores, so verification recomputes the same hash.
  const occurredAt = new Date(Math.floor((input.occurredAt ?? new Date()).getTime()));
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK_KEY}::bigint)`;
  const last = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS_HASH;
  const fields: HashedFields = {
    occurredAt: occurredAt.toISOString(),
    type: input.type,
    actor,
    plantId: input.plantId ?? null,
    subject: input.subject ?? null,
    data,
  };
  return tx.auditEvent.create({
    data: {
      occurredAt,
      type: input.type,
      actorType: actor.type,
      actorId: "id" in actor ? actor.id : null,
      actorLabel: actor.label,
      plantId: fields.plantId,
      subjectType: fields.subject?.type ?? null,
      subjectId: fields.subject?.id ?? null,
      data: data as Prisma.InputJsonValue,
      prevHash,
      hash: eventHash(prevHash, fields),
    },
  });
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
