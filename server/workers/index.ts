import PgBoss from "pg-boss";
import { record, verifyChain, SYSTEM_ACTOR } from "../audit";
import { ensureTelemetryPartitions, purgeIngestReceipts } from "../ingest/maintenance";
import { appDbRole, config } from "../config";
import { logger } from "../log";
import { BULK_QUEUE } from "../exceptions/bulk-rules";
import { AUTO_REPLAY_QUEUE } from "../dependencies/release";
import { autoReplayReleased } from "../dependencies/auto-replay";
import { runBulk } from "../exceptions/run-bulk";
import { deliverReplays } from "../replay/deliver-replay";
import { REPLAY_BATCH, REPLAY_QUEUE, deferredReplayJobs, replayRetry } from "../replay/queue";
import { sweepStuckReplays } from "../replay/sweep";
import { setBoss } from "./boss";
import { ALERT_EVALUATE_QUEUE, ALERT_WEBHOOK_QUEUE, evaluateAlerts } from "../alerts/evaluate";
import { WEBHOOK_RETRY, deliverNotification } from "../alerts/webhooks";
import { compactHourly, purgeSamples, sampleMinute } from "../dashboards/rollup";
import { applyRetention } from "../retention";
import { MONITOR_QUEUE, changed as monitorChanged, runMonitor } from "../monitor/run-monitor";
import { ESCALATION_QUEUE, runEscalation } from "../escalation/run-escalation";
import { HANDOVER_QUEUE, prepareHandovers } from "../handover/prepare-handovers";

/**
 * Background jobs on pg-boss (durable queues in PostgreSQL, no extra infrastructure). Instances with
 * ROLE=all or worker run the workers; pg-boss claims each job exactly once across instances (SKIP
 * LOCKED), cron schedules fire once, and singleton jobs (policy "stately") never run twice at once.
 */
const log = logger("workers");

export const QUEUES = {
  auditVerify: "audit.verify",
  partitions: "telemetry.partitions",
  receiptsPurge: "ingest.receipts.purge",
  samples: "dashboards.samples",
  hourly: "dashboards.rollup_hourly",
  alerts: ALERT_EVALUATE_QUEUE,
  retention: "retention.apply",
  replaySweep: "replay.sweep",
  monitor: MONITOR_QUEUE,
  escalation: ESCALATION_QUEUE,
} as const;

export type Workers = { boss: PgBoss; stop: () => Promise<void> };

/** Every queue and its options, created by whichever instance starts first (web or worker). */
function queueOptions(): Record<string, Omit<PgBoss.Queue, "name">> {
  const singleton = { expireInSeconds: 300, retryLimit: 0 } as const;
  return {
    [QUEUES.auditVerify]: {},
    [QUEUES.partitions]: {},
    [QUEUES.receiptsPurge]: {},
    [QUEUES.retention]: { retryLimit: 2, retryDelay: 300, expireInSeconds: 3600, policy: "stately" },
    [QUEUES.samples]: { ...singleton, policy: "stately" },
    [QUEUES.hourly]: { ...singleton, expireInSeconds: 3600, policy: "stately" },
    [QUEUES.alerts]: { ...singleton, policy: "stately" },
    [QUEUES.replaySweep]: { ...singleton, policy: "stately" },
    [QUEUES.monitor]: { ...singleton, policy: "stately" },
    [QUEUES.escalation]: { ...singleton, policy: "stately" },
    [ALERT_WEBHOOK_QUEUE]: WEBHOOK_RETRY,
    // A replay job held by an instance that died comes back after this (another instance retries it, same key).
    [REPLAY_QUEUE]: { ...replayRetry(), expireInSeconds: config().ANDON_REPLAY_JOB_EXPIRE_S },
    [BULK_QUEUE]: { retryLimit: 5, retryDelay: 5, retryBackoff: true, expireInSeconds: 60 },
    [HANDOVER_QUEUE]: { ...singleton, policy: "stately" },
    [AUTO_REPLAY_QUEUE]: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 120 },
  };
}

/**
 * pg-boss on this process. `work: false` (ROLE=web) only sends jobs: no supervision, no cron, no
 * workers. With workers, one instance at a time runs the maintenance (expiring jobs of instances that
 * died) every ANDON_QUEUE_MAINTENANCE_S.
 */
async function openBoss(connectionString: string, work: boolean): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString,
    schema: "pgboss",
    application_name: work ? "andon-workers" : "andon-web",
    ...(work ? { maintenanceIntervalSeconds: config().ANDON_QUEUE_MAINTENANCE_S } : { supervise: false, schedule: false }),
  });
  boss.on("error", (err) => log.error({ err }, "pg-boss error"));
  await boss.start();
  // Application transactions enqueue jobs in pg-boss's tables (enqueueInTx): the application role
  // (ANDON_DB_ROLE) gets the rights it needs there; pg-boss's own connection owns the schema.
  const role = appDbRole();
  if (role) {
    await boss.getDb().executeSql(
      `GRANT USAGE ON SCHEMA pgboss TO ${role};
       GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO ${role};
       GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA pgboss TO ${role};
       GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA pgboss TO ${role};
       ALTER DEFAULT PRIVILEGES IN SCHEMA pgboss GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role};`,
      [],
    );
  }
  for (const [name, options] of Object.entries(queueOptions())) {
    if (await boss.getQueue(name)) await boss.updateQueue(name, { name, ...options });
    else await boss.createQueue(name, { name, ...options });
  }
  return boss;
}

const stopper = (boss: PgBoss) => async () => {
  setBoss(undefined);
  await boss.stop({ graceful: true, timeout: 10_000 });
};

/** ROLE=web: this process enqueues (replays, bulk actions, alert evaluation) but other instances run the jobs. */
export async function startQueueClient(connectionString: string): Promise<Workers> {
  const boss = await openBoss(connectionString, false);
  setBoss(boss);
  return { boss, stop: stopper(boss) };
}

export async function startWorkers(connectionString: string): Promise<Workers> {
  const boss = await openBoss(connectionString, true);

  await boss.schedule(QUEUES.auditVerify, "17 * * * *"); // hourly, off the hour
  await boss.work(QUEUES.auditVerify, async () => {
    const result = await verifyChain();
    if (!result.ok) log.error(result, "audit chain verification FAILED: the trail was tampered with");
    else log.info(result, "audit chain verified");
    await record({ type: "audit.chain_verified", actor: SYSTEM_ACTOR, data: { ok: result.ok, checked: result.checked, brokenAtId: result.brokenAtId } });
  });

  // Telemetry day partitions a week ahead (also run now, so a server that was down for days catches up).
  await ensureTelemetryPartitions();
  await boss.schedule(QUEUES.partitions, "7 */6 * * *");
  await boss.work(QUEUES.partitions, async () => {
    log.info({ created: await ensureTelemetryPartitions() }, "telemetry partitions ensured");
  });
  await boss.schedule(QUEUES.receiptsPurge, "23 3 * * *");
  await boss.work(QUEUES.receiptsPurge, async () => {
    log.info({ purged: await purgeIngestReceipts(), samples: await purgeSamples() }, "old ingest receipts and chart samples purged");
  });

  // Retention: old telemetry partitions dropped, old payloads redacted (hashes stay), daily at night.
  await boss.schedule(QUEUES.retention, "41 2 * * *");
  await boss.work(QUEUES.retention, async () => {
    log.info(await applyRetention(), "retention applied");
  });

  // Dashboards: backlog and connector samples every minute, hourly rollups compacted every 5 minutes
  // (and now, so a fresh start over a long history reads hour rows at once).
  await boss.schedule(QUEUES.samples, "* * * * *");
  await boss.work(QUEUES.samples, async () => sampleMinute());
  await boss.schedule(QUEUES.hourly, "*/5 * * * *");
  await boss.work(QUEUES.hourly, async () => {
    const r = await compactHourly();
    if (r.rows) log.info(r, "hourly rollups compacted");
  });
  await boss.send(QUEUES.hourly, {});

  // Alerts: rules evaluated once a minute; webhook deliveries retried with backoff.
  await boss.schedule(QUEUES.alerts, "* * * * *");
  await boss.work(QUEUES.alerts, async () => {
    const r = await evaluateAlerts();
    if (r.fired || r.resolved) log.info(r, "alerts evaluated");
    // A fired alert notifies its first rung now, not at the ladder's next minute.
    if (r.fired) await boss.send(QUEUES.escalation, {});
  });
  // Escalation ladder: open alerts climb owner → plant lead → plant manager → business owner, every minute.
  await boss.schedule(QUEUES.escalation, "* * * * *");
  await boss.work(QUEUES.escalation, async () => {
    const r = await runEscalation();
    if (r.rungs || r.closed) log.info(r, "escalation ladder run");
  });
  await boss.work<{ notificationId: string }>(ALERT_WEBHOOK_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1, includeMetadata: true }, async ([job]) => {
    if (job) await deliverNotification(job.data.notificationId, job.retryCount >= WEBHOOK_RETRY.retryLimit);
  });

  // Flow monitor: late messages, stopped / flooded flows, missed batch runs, once a minute (server/monitor).
  await boss.schedule(QUEUES.monitor, "* * * * *");
  await boss.work(QUEUES.monitor, async () => {
    const r = await runMonitor(new Date());
    if (monitorChanged(r)) log.info(r, "flow monitor ran");
  });

  // Replays: durable jobs, retried with backoff by pg-boss (the replay keeps one idempotency key).
  // Batches: per-target limits and the circuit are applied inside; outcomes settle together. Several
  // loops overlap one batch's database work with another's deliveries.
  for (let i = 0; i < config().ANDON_REPLAY_WORKERS; i++) {
    let replayWorker = "";
    replayWorker = await boss.work<{ replayId: string; attemptsBefore?: number }>(
      REPLAY_QUEUE,
      { batchSize: REPLAY_BATCH, pollingIntervalSeconds: 1, includeMetadata: true },
      async (jobs) => {
        const { retry, held } = await deliverReplays(jobs);
        await Promise.all([...retry].map(([id, message]) => boss.fail(REPLAY_QUEUE, id, { message })));
        // Held by an open circuit: sent again for when it closes; this job then completes with the batch.
        if (held.length) await boss.insert(deferredReplayJobs(held));
        // A full batch means more are waiting: fetch again at once instead of after the polling interval.
        if (jobs.length === REPLAY_BATCH) boss.notifyWorker(replayWorker);
      },
    );
  }

  // Push replays whose job is gone (nothing else would ever look at them) get a new one, once a minute.
  await boss.schedule(QUEUES.replaySweep, "* * * * *");
  await boss.work(QUEUES.replaySweep, async () => {
    await sweepStuckReplays(Math.max(120_000, 2 * config().ANDON_REPLAY_JOB_EXPIRE_S * 1000));
  });

  // Shift handovers: each shift that ended gets its handover once (server/handover/prepare-handovers.ts).
  await boss.schedule(HANDOVER_QUEUE, "* * * * *");
  await boss.work(HANDOVER_QUEUE, async () => {
    await prepareHandovers();
  });

  // Bulk actions on exceptions: one job per operation, working through its items in chunks.
  await boss.work<{ bulkId: string }>(BULK_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    // A bulk action runs as a chain of short jobs (each ≤ ~20 s): one that dies is retried after its expiry.
    if (job && (await runBulk(job.data.bulkId)) === "more") await boss.send(BULK_QUEUE, { bulkId: job.data.bulkId });
  });
  // Released exceptions of interfaces that replay on release (server/dependencies/release.ts), in dependency order.
  await boss.work<{ exceptionIds: string[] }>(AUTO_REPLAY_QUEUE, { batchSize: 1, pollingIntervalSeconds: 1 }, async ([job]) => {
    if (job) await autoReplayReleased(job.data.exceptionIds);
  });
  setBoss(boss);
  return { boss, stop: stopper(boss) };
}
