import PgBoss from "pg-boss";
import { record, verifyChain, SYSTEM_ACTOR } from "../audit";
import { ensureTelemetryPartitions, purgeIngestReceipts } from "../ingest/maintenance";
import { logger } from "../log";
import { deliverReplay } from "../replay/deliver-replay";
import { REPLAY_QUEUE, REPLAY_RETRY, setBoss } from "../replay/queue";

/**
 * Background jobs on pg-boss (durable queues in PostgreSQL, no extra infrastructure). Every
 * instance runs the workers; pg-boss claims each job exactly once across instances.
 */
const log = logger("workers");

export const QUEUES = { auditVerify: "audit.verify", partitions: "telemetry.partitions", receiptsPurge: "ingest.receipts.purge" } as const;

export type Workers = { boss: PgBoss; stop: () => Promise<void> };

export async function startWorkers(connectionString: string): Promise<Workers> {
  const boss = new PgBoss({ connectionString, schema: "pgboss", application_name: "andon-workers" });
  boss.on("error", (err) => log.error({ err }, "pg-boss error"));
  await boss.start();

  await boss.createQueue(QUEUES.auditVerify);
  await boss.schedule(QUEUES.auditVerify, "17 * * * *"); // hourly, off the hour
  await boss.work(QUEUES.auditVerify, async () => {
    const result = await verifyChain();
    if (!result.ok) log.error(result, "audit chain verification FAILED: the trail was tampered with");
    else log.info(result, "audit chain verified");
    await record({ type: "audit.chain_verified", actor: SYSTEM_ACTOR, data: { ok: result.ok, checked: result.checked, brokenAtId: result.brokenAtId } });
  });

  // Telemetry day partitions a week ahead (also run now, so a server that was down for days catches up).
  await ensureTelemetryPartitions();
  await boss.createQueue(QUEUES.partitions);
  await boss.schedule(QUEUES.partitions, "7 */6 * * *");
  await boss.work(QUEUES.partitions, async () => {
    log.info({ created: await ensureTelemetryPartitions() }, "telemetry partitions ensured");
  });
  await boss.createQueue(QUEUES.receiptsPurge);
  await boss.schedule(QUEUES.receiptsPurge, "23 3 * * *");
  await boss.work(QUEUES.receiptsPurge, async () => {
    log.info({ purged: await purgeIngestReceipts() }, "old ingest receipts purged");
  });

  // Replays: durable jobs, retried with backoff by pg-boss (the replay keeps one idempotency key).
  await boss.createQueue(REPLAY_QUEUE, { name: REPLAY_QUEUE, ...REPLAY_RETRY });
  await boss.work<{ replayId: string }>(REPLAY_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true }, async ([job]) => {
    if (!job) return;
    await deliverReplay(job.data.replayId, job.retryCount + 1, job.retryCount >= job.retryLimit);
  });
  setBoss(boss);

  return {
    boss,
    stop: async () => {
      setBoss(undefined);
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}
