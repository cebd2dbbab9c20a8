import { createHash } from "node:crypto";
import { z } from "zod";
import { append, appendManyWithPg, record, SYSTEM_ACTOR } from "../audit";
import { db, withPgTransaction } from "../db";
import { forbidden } from "../http/errors";
import { type Principal, can } from "../policy";

/**
 * Retention: telemetry day partitions older than the policy are dropped whole (default 90 days; the
 * rollups and audit trail keep the figures and the history); payloads of transactions settled more
 * than payloadDays ago (default 365) are redacted — the transaction, its corrections and replays keep
 * their payload hashes, so the audit chain (which refers to hashes) stays verifiable. Audit events are
 * never deleted. Runs daily as a job; every change it makes, every run and every policy change is audited.
 */
export const retentionInputSchema = z
  .object({
    telemetryDays: z.number().int().min(31, "Keep telemetry at least 31 days (ingest accepts events up to 30 days old)").max(3650),
    payloadDays: z.number().int().min(30).max(36500),
  })
  .partial()
  .strict();

export type RetentionPolicyView = { telemetryDays: number; payloadDays: number; updatedAt: string };

export async function getRetentionPolicy(user?: Principal): Promise<RetentionPolicyView> {
  if (user && !can(user, "retention.manage")) throw forbidden("Only administrators manage retention");
  const p = await db().retentionPolicy.upsert({ where: { id: 1 }, create: { id: 1 }, update: {} });
  return { telemetryDays: p.telemetryDays, payloadDays: p.payloadDays, updatedAt: p.updatedAt.toISOString() };
}

export async function updateRetentionPolicy(user: Principal & { email: string }, input: unknown): Promise<RetentionPolicyView> {
  if (!can(user, "retention.manage")) throw forbidden("Only administrators manage retention");
  const change = retentionInputSchema.parse(input);
  const before = await getRetentionPolicy();
  return db().$transaction(async (tx) => {
    const p = await tx.retentionPolicy.update({ where: { id: 1 }, data: { ...change, updatedAt: new Date() } });
    const after = { telemetryDays: p.telemetryDays, payloadDays: p.payloadDays };
    await append(tx, {
      type: "retention.updated",
      actor: { type: "user", id: user.id, label: user.email },
      subject: { type: "retention_policy", id: "1" },
      data: { before: { telemetryDays: before.telemetryDays, payloadDays: before.payloadDays }, after },
    });
    return { ...after, updatedAt: p.updatedAt.toISOString() };
  });
}

const BATCH = 5000;
const ACTOR = { type: "system" as const, label: "andon retention" };

/**
 * One run: every change commits with its own audit event (partitions dropped; each batch of payload
 * redactions), so a run stopped halfway leaves no change without a trail; retention.applied sums the run.
 */
export async function applyRetention(now = new Date()): Promise<{ partitionsDropped: number; payloadsRedacted: number }> {
  const policy = await getRetentionPolicy();
  const partitionsDropped = await dropTelemetryPartitions(policy.telemetryDays, now);
  const payloadBefore = new Date(now.getTime() - policy.payloadDays * 86_400_000);
  let payloadsRedacted = 0;
  for (;;) {
    const redacted = await redactPayloadBatch(policy.payloadDays, payloadBefore, now);
    if (redacted === 0) break;
    payloadsRedacted += redacted;
  }
  await record({
    type: "retention.applied",
    actor: SYSTEM_ACTOR,
    data: { telemetryDays: policy.telemetryDays, payloadDays: policy.payloadDays, partitionsDropped, payloadsRedacted },
  });
  return { partitionsDropped, payloadsRedacted };
}

/** Telemetry day partitions older than the policy, dropped whole, and named in one event (same transaction). */
async function dropTelemetryPartitions(telemetryDays: number, now: Date): Promise<number> {
  const beforeDay = new Date(now.getTime() - telemetryDays * 86_400_000).toISOString().slice(0, 10);
  return withPgTransaction(async (c) => {
    // The partitions the function drops (same rule), named for the audit.
    const { rows: parts } = await c.query<{ relname: string }>(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'telemetry_event'::regclass AND c.relname ~ '^telemetry_event_p[0-9]{8}$'
         AND to_date(substring(c.relname FROM 18 FOR 8), 'YYYYMMDD') < $1::date ORDER BY c.relname`,
      [beforeDay],
    );
    if (parts.length === 0) return 0;
    const { rows } = await c.query<{ dropped: number }>("SELECT andon_drop_telemetry_partitions($1::date) AS dropped", [beforeDay]);
    await appendManyWithPg(c, [
      { type: "retention.partitions_dropped", actor: ACTOR, data: { telemetryDays, beforeDay, partitions: parts.map((p) => p.relname) } },
    ]);
    return rows[0]?.dropped ?? 0;
  });
}

/** One batch of payloads of transactions settled before the cutoff, redacted and audited in one transaction; 0 when none is left. */
async function redactPayloadBatch(payloadDays: number, settledBefore: Date, now: Date): Promise<number> {
  return withPgTransaction(async (c) => {
    // Settled long ago: last event and every exception's closing before the cutoff, nothing open.
    const { rows: batch } = await c.query<{ id: string }>(
      `SELECT t.id FROM business_transaction t
       WHERE t.payload IS NOT NULL AND t.payload_redacted_at IS NULL AND t.last_event_at < $1
         AND NOT EXISTS (SELECT 1 FROM exception e WHERE e.transaction_id = t.id AND (e.status NOT IN ('RESOLVED', 'DISCARDED') OR e.resolved_at >= $1))
       LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
      [settledBefore],
    );
    if (batch.length === 0) return 0;
    const ids = batch.map((b) => b.id).sort();
    await c.query("UPDATE business_transaction SET payload = NULL, payload_redacted_at = $2 WHERE id = ANY($1::uuid[])", [ids, now]);
    await c.query("UPDATE correction c SET payload = 'null'::jsonb FROM exception e WHERE e.id = c.exception_id AND e.transaction_id = ANY($1::uuid[])", [ids]);
    await c.query("UPDATE replay r SET payload = 'null'::jsonb FROM exception e WHERE e.id = r.exception_id AND e.transaction_id = ANY($1::uuid[])", [ids]);
    await appendManyWithPg(c, [
      {
        type: "retention.payloads_redacted",
        actor: ACTOR,
        data: {
          payloadDays,
          settledBefore: settledBefore.toISOString(),
          count: ids.length,
          firstTransactionId: ids[0]!,
          lastTransactionId: ids[ids.length - 1]!,
          transactionIdsHash: createHash("sha256").update(ids.join("\n")).digest("hex"),
        },
      },
    ]);
    return ids.length;
  });
}
