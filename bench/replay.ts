/**
 * Replay throughput to a local SAP emulator, idempotency on. Not a test: prints its figures.
 *
 *   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:replay -- [replays=10000] [concurrency=16] [target=sap|ack]
 *
 * A fresh database; N technical GOODS_MOVEMENT failures across the three SAP plants; an approver
 * requests every replay (queued as pg-boss jobs in the same transaction as the replay row); then the
 * real replay worker (server/workers) starts and delivers them as signed pushes to the SDK's push
 * endpoint, which posts each IDoc to the SAP emulator with the replay's idempotency key. The push
 * endpoint and the emulator run in their own process (bench/support/sap-target.ts), as at a plant.
 * target=ack replaces the SAP emulator by a minimal idempotent target, to measure Andon's side alone
 * (on a 2-core machine the SAP emulator's process takes a whole core). Measured:
 * requests/s, delivered/s (workers started → last exception resolved), duplicate effects at SAP.
 * The targets' limits are raised for the run (rate 10,000/s, given concurrency) and printed.
 */
import { fork } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import PgBoss from "pg-boss";
import { goodsMovement, sampleItem } from "../connectors/sap/test-support";
import { createFreshDatabase } from "../tests/support/database";
import { against, report } from "./support/results";

const N = Number(process.argv[2] ?? 10_000);
const CONCURRENCY = Number(process.argv[3] ?? 16);
const TARGET = process.argv[4] === "ack" ? "ack" : "sap";
const PLANTS = ["DE-HAM", "US-CLT", "PL-WRO"];

async function main() {
  const base = process.env.DATABASE_URL;
  if (!base) throw new Error("set DATABASE_URL to a PostgreSQL server (a fresh database is created on it and dropped after)");
  const fresh = await createFreshDatabase(base, "andon_bench");
  process.env.DATABASE_URL = fresh.url;
  process.env.LOG_LEVEL ??= "error";
  const { seedDemoUsers, seedReference } = await import("../prisma/seed");
  const { db, closeDb } = await import("../server/db");
  const { ingestEvents } = await import("../server/ingest/ingest-events");
  const { loadPrincipal } = await import("../server/auth/principal");
  const { requestReplay } = await import("../server/replay/request-replay");
  const { REPLAY_QUEUE, replayRetry } = await import("../server/replay/queue");
  const { setBoss } = await import("../server/workers/boss");
  const { startWorkers } = await import("../server/workers");

  const secret = randomBytes(24).toString("hex");
  const target = fork("bench/support/sap-target.ts", [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, REPLAY_SECRET: secret, STOCK: String(10 * N), TARGET },
  });
  const ask = <T>(msg?: object) =>
    new Promise<T>((resolve) => {
      target.once("message", (m) => resolve(m as T));
      if (msg) target.send(msg);
    });
  const push = await ask<{ url: string }>();
  try {
    await seedReference(db());
    await seedDemoUsers(db());
    // Measures delivery, not approval: GOODS_MOVEMENT's replays go without a second person here (seeded true).
    await db().interface.updateMany({ where: { code: "GOODS_MOVEMENT" }, data: { requiresApproval: false } });
    await db().connector.updateMany({
      where: { plant: { code: { in: PLANTS } }, system: { kind: "SAP_ERP" } },
      data: { replayUrl: push.url, replaySecret: secret, replayAllowPrivate: true, replayRatePerSec: 10_000, replayConcurrency: CONCURRENCY },
    });
    const connectors = await db().connector.findMany({ where: { plant: { code: { in: PLANTS } }, system: { kind: "SAP_ERP" } }, include: { plant: true } });

    // N technical failures (SAP was unavailable), spread over the plants.
    const tag = randomUUID().slice(0, 8);
    for (let start = 0; start < N; start += 1000) {
      const byConnector = new Map<string, unknown[]>();
      for (let i = start; i < Math.min(N, start + 1000); i++) {
        const c = connectors[i % connectors.length]!;
        byConnector.set(c.id, [
          ...(byConnector.get(c.id) ?? []),
          {
            ok: true,
            value: {
              eventId: randomUUID(),
              correlationId: randomUUID(),
              messageId: `RB-${tag}-${i}`,
              businessKey: `RB-${i}`,
              interface: "GOODS_MOVEMENT",
              hop: { source: "ODOO", target: "SAP_ERP" },
              occurredAt: new Date().toISOString(),
              outcome: "failed",
              latencyMs: 30_000,
              attempt: 3,
              error: { category: "technical", code: "HTTP-503", message: "SAP inbound unavailable" },
              payload: goodsMovement([sampleItem({ ENTRY_QNT: "1" })]),
            },
          },
        ]);
      }
      for (const c of connectors) {
        const batch = byConnector.get(c.id);
        if (batch) await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: c.plant.code }, batch as never);
      }
    }
    const ids = (await db().exception.findMany({ where: { transaction: { messageId: { startsWith: `RB-${tag}-` } } }, select: { id: true } })).map((e) => e.id);
    if (ids.length !== N) throw new Error(`expected ${N} exceptions, found ${ids.length}`);

    // Phase 1: request every replay (jobs pile up; no worker runs yet).
    const boss = new PgBoss({ connectionString: fresh.url, schema: "pgboss" });
    await boss.start();
    await boss.createQueue(REPLAY_QUEUE, { name: REPLAY_QUEUE, ...replayRetry() });
    setBoss(boss);
    const approver = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "approver@andon.local" } })).id))!;
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < ids.length) await requestReplay(approver, ids[next++]!, {});
      }),
    );
    const requestS = (performance.now() - t0) / 1000;
    setBoss(undefined);
    await boss.stop({ graceful: false });

    // Phase 2: the real workers deliver them.
    const t1 = performance.now();
    const workers = await startWorkers(fresh.url);
    let resolved = 0;
    while (resolved < N) {
      await new Promise((r) => setTimeout(r, 100));
      resolved = await db().exception.count({ where: { id: { in: ids }, status: "RESOLVED" } });
      if (performance.now() - t1 > 600_000) throw new Error(`only ${resolved}/${N} resolved after 10 min`);
    }
    const deliverS = (performance.now() - t1) / 1000;
    await workers.stop();

    const replays = await db().replay.findMany({ where: { exceptionId: { in: ids } }, select: { idempotencyKey: true, status: true } });
    const tally = await ask<{ applications: number[]; stock: number }>({ report: replays.map((r) => r.idempotencyKey) });
    const duplicates = tally.applications.filter((n) => n > 1).length;
    const missing = tally.applications.filter((n) => n === 0).length;
    const stockDelta = TARGET === "sap" ? 10 * N - tally.stock : N;
    const attempts = await db().replayAttempt.count();
    console.log(
      `replay benchmark: ${N} replays over ${connectors.length} targets (${TARGET === "sap" ? "SAP emulator behind the SDK push endpoint" : "minimal idempotent target behind the SDK push endpoint"}, one process) (rate limit 10,000/s, concurrency ${CONCURRENCY} each), PostgreSQL at ${new URL(base).host}`,
    );
    console.log(`  requested (approver, 8 parallel): ${requestS.toFixed(1)} s → ${Math.round(N / requestS)} requests/s`);
    console.log(`  delivered (workers started → all resolved): ${deliverS.toFixed(1)} s → ${Math.round(N / deliverS)} replays/s (target ≥ 500)`);
    console.log(
      `  attempts ${attempts}; applications at the target: duplicates ${duplicates}, missing ${missing}${TARGET === "sap" ? `; SAP stock moved by ${stockDelta} (expected ${N})` : ""}`,
    );
    if (duplicates || missing || stockDelta !== N) process.exitCode = 1;
    report({
      bench: `replay (${TARGET})`,
      params: `${N.toLocaleString("en")} replays, ${connectors.length} targets, concurrency ${CONCURRENCY} each, target ${TARGET === "sap" ? "SAP emulator" : "minimal idempotent ack"}`,
      figures: [
        { name: "requested (approver, 8 parallel)", value: Math.round(N / requestS), unit: "requests/s" },
        against("delivered (workers started → all resolved)", Math.round(N / deliverS), "replays/s", "≥", 500),
        against("idempotency keys applied twice", duplicates, "keys", "=", 0),
        against("idempotency keys never applied", missing, "keys", "=", 0),
      ],
    });
  } finally {
    target.disconnect();
    await closeDb();
    await fresh.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
