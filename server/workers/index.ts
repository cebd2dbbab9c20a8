import PgBoss from "pg-boss";
import { record, verifyChain, SYSTEM_ACTOR } from "../audit";
import { logger } from "../log";

/**
 * Background jobs on pg-boss (durable queues in PostgreSQL, no extra infrastructure). Every
 * instance runs the workers; pg-boss claims each job exactly once across instances.
 */
const log = logger("workers");

export const QUEUES = { auditVerify: "audit.verify" } as const;

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

  return {
    boss,
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}
