import { pool } from "../db";
import { logger } from "../log";
import { insertJobs } from "../workers/boss";
import { REPLAY_QUEUE, replayRetry } from "./queue";

const log = logger("replay.sweep");

/**
 * Push replays left without a delivery job — QUEUED or DELIVERING while no pg-boss job for them is
 * waiting, retrying or running (a batch that threw, a job that failed for a reason that was not the
 * delivery's) — would block their exception for ever: nothing else looks at them. Each gets a new job
 * (same replay, same idempotency key) with the retries it has left. Only replays untouched for
 * `graceMs` are taken, so a job being handed over is never doubled. Runs once a minute on one instance.
 */
export async function sweepStuckReplays(graceMs: number): Promise<{ requeued: string[] }> {
  const retry = replayRetry();
  const { rows } = await pool().query<{ id: string; attempts: number }>(
    `SELECT r.id, (SELECT count(*)::int FROM replay_attempt a WHERE a.replay_id = r.id) AS attempts
     FROM replay r
     WHERE r.mode = 'push' AND r.status IN ('QUEUED', 'DELIVERING')
       AND r.created_at < now() - make_interval(secs => $2::float8 / 1000)
       AND COALESCE((SELECT max(a.started_at + make_interval(secs => a.duration_ms::float8 / 1000)) FROM replay_attempt a WHERE a.replay_id = r.id), r.created_at)
           < now() - make_interval(secs => $2::float8 / 1000)
       AND NOT EXISTS (SELECT 1 FROM pgboss.job j WHERE j.name = $1 AND j.data->>'replayId' = r.id::text AND j.state IN ('created', 'retry', 'active'))
     ORDER BY r.created_at LIMIT 500`,
    [REPLAY_QUEUE, graceMs],
  );
  if (rows.length === 0) return { requeued: [] };
  await insertJobs(
    rows.map((r) => ({
      name: REPLAY_QUEUE,
      data: { replayId: r.id, attemptsBefore: r.attempts },
      ...retry,
      retryLimit: Math.max(0, retry.retryLimit - r.attempts),
      retryDelay: Math.min(3600, retry.retryDelay * 2 ** r.attempts),
    })),
  );
  log.warn({ replays: rows.map((r) => r.id) }, "replays without a delivery job were queued again (same key)");
  return { requeued: rows.map((r) => r.id) };
}
