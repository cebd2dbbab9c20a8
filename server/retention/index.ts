import { z } from "zod";
import { append, record, SYSTEM_ACTOR } from "../audit";
import { db, pool, withPgTransaction } from "../db";
import { forbidden } from "../http/errors";
import { type Principal, can } from "../policy";

/**
 * Retention: telemetry day partitions older than the policy are dropped whole (default 90 days; the
 * rollups and audit trail keep the figures and the history); payloads of transactions settled more
 * than payloadDays ago (default 365) are redacted — the transaction, its corrections and replays keep
 * their payload hashes, so the audit chain (which refers to hashes) stays verifiable. Audit events are
 * never deleted. Runs daily as a job; every run and every policy change is audited.
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
      type: "retention.updated", actor: { type: "user", id: user.id, label: user.email }, subject: { type: "retention_policy", id: "1" },
      data: { before: { telemetryDays: before.telemetryDays, payloadDays: before.payloadDays }, after },
    });
    return { ...after, updatedAt: p.updatedAt.toISOString() };
  });
}

const BATCH = 5000;

export async function applyRetention(now = new Date()): Promise<{ partitionsDropped: number; payloadsRedacted: number }> {
  const policy = await getRetentionPolicy();
  const telemetryBefore = new Date(now.getTime() - policy.telemetryDays * 86_400_000);
  const { rows } = await pool().query<{ dropped: number }>("SELECT andon_drop_telemetry_partitions(($1::timestamptz AT TIME ZONE 'UTC')::date) AS dropped", [telemetryBefore]);
  const partitionsDropped = rows[0]?.dropped ?? 0;

  const payloadBefore = new Date(now.getTime() - policy.payloadDays * 86_400_000);
  let payloadsRedacted = 0;
  for (;;) {
    const done = await withPgTransaction(async (c) => {
      // Settled long ago: last event and every exception's closing before the cutoff, nothing open.
      const { rows: batch } = await c.query<{ id: string }>(
        `SELECT t.id FROM business_transaction t
         WHERE t.payload IS NOT NULL AND t.payload_redacted_at IS NULL AND t.last_event_at < $1
           AND NOT EXISTS (SELECT 1 FROM exception e WHERE e.transaction_id = t.id AND (e.status NOT IN ('RESOLVED', 'DISCARDED') OR e.resolved_at >= $1))
         LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [payloadBefore],
      );
      if (batch.length === 0) return true;
      const ids = batch.map((b) => b.id);
      await c.query("UPDATE business_transaction SET payload = NULL, payload_redacted_at = $2 WHERE id = ANY($1::uuid[])", [ids, now]);
      await c.query("UPDATE correction c SET payload = 'null'::jsonb FROM exception e WHERE e.id = c.exception_id AND e.transaction_id = ANY($1::uuid[])", [ids]);
      await c.query("UPDATE replay r SET payload = 'null'::jsonb FROM exception e WHERE e.id = r.exception_id AND e.transaction_id = ANY($1::uuid[])", [ids]);
      payloadsRedacted += ids.length;
      return false;
    });
    if (done) break;
  }
  await record({
    type: "retention.applied", actor: SYSTEM_ACTOR,
    data: { telemetryDays: policy.telemetryDays, payloadDays: policy.payloadDays, partitionsDropped, payloadsRedacted },
  });
  return { partitionsDropped, payloadsRedacted };
}
