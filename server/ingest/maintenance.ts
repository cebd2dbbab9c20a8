import { pool } from "../db";
import { INGEST_LIMITS } from "./schema";

/** Day partitions of telemetry_event from the retention horizon to a week ahead (idempotent). */
export async function ensureTelemetryPartitions(daysAhead = 7): Promise<number> {
  const pastDays = Math.ceil(INGEST_LIMITS.maxPastMs / 86_400_000);
  const { rows } = await pool().query<{ created: number }>(
    `SELECT andon_ensure_telemetry_partitions((now() AT TIME ZONE 'UTC')::date - $1::int, (now() AT TIME ZONE 'UTC')::date + $2::int) AS created`,
    [pastDays, daysAhead],
  );
  return rows[0]?.created ?? 0;
}

/**
 * Receipts only matter while a resend could still be accepted: events older than the ingest window
 * are refused anyway, so receipts a few days beyond it can go.
 */
export async function purgeIngestReceipts(): Promise<number> {
  const keepMs = INGEST_LIMITS.maxPastMs + 5 * 86_400_000;
  const { rowCount } = await pool().query(`DELETE FROM ingest_receipt WHERE received_at < now() - ($1::bigint * interval '1 millisecond')`, [keepMs]);
  return rowCount ?? 0;
}
