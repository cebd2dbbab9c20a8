import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { sapReplayHandler, startSapEmulator, type SapEmulator } from "../../connectors/sap";
import { goodsMovement, sampleItem } from "../../connectors/sap/test-support";
import { startReplayPushServer } from "../../connectors/sdk";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import { getBulk } from "../../server/exceptions/bulk-views";
import { startBulk } from "../../server/exceptions/start-bulk";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { type Workers, startWorkers } from "../../server/workers";
import { setReplayApproval } from "../support/replay-approval";

/**
 * Issue #4: "bulk replay of 200 technical failures after the target recovers". SAP was down, 200
 * goods movements failed technically (one failure group); SAP is back but still shaky (the first
 * answers are 503). An approver replays the whole group in one bulk action through the real pg-boss
 * workers, the signed push endpoint of the SDK and the SAP emulator, with the target's rate limit and
 * concurrency set low enough to observe.
 */
process.env.ANDON_REPLAY_CIRCUIT_THRESHOLD = "20";
process.env.ANDON_REPLAY_CIRCUIT_COOLDOWN_MS = "1000";

const N = 200;
const RATE = 40; // deliveries per second to this target
const CONCURRENCY = 3;

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let workers: Workers;
let sap: SapEmulator;
let push: { url: string; close: () => Promise<void> };
let approver: Actor;
let inFlight = 0;
let maxInFlight = 0;
const arrivals: number[] = [];
const secret = randomBytes(24).toString("hex");
const key = `BULKRP-${randomUUID().slice(0, 8)}`;
const STOCK = { material: "RM-4711", plant: "1000", storageLocation: "0001" };

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  await setReplayApproval(false); // about delivery, not approval: GOODS_MOVEMENT's replays go without a second person here
  sap = await startSapEmulator({ port: 0 });
  const inner = sapReplayHandler(sap.url);
  push = await startReplayPushServer({
    secret,
    handler: {
      deliver: async (job) => {
        arrivals.push(Date.now());
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          return await inner.deliver(job);
        } finally {
          inFlight--;
        }
      },
    },
  });
  await db().connector.updateMany({
    where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } },
    data: {
      replayUrl: push.url,
      replaySecret: secret,
      replayAllowPrivate: true,
      replayRatePerSec: RATE,
      replayConcurrency: CONCURRENCY,
      replayFailures: 0,
      replayPausedUntil: null,
    },
  });
  workers = await startWorkers(inject("databaseUrl"));
  approver = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "approver@andon.local" } })).id))!;
});

afterAll(async () => {
  await setReplayApproval(true);
  await workers?.stop();
  await push?.close();
  await sap?.close();
});

describe("bulk replay", () => {
  it(`replays ${N} technical failures of one group after the target recovers: each applied exactly once, within the target's rate and concurrency`, async () => {
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } } });
    await ingestEvents(
      { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" },
      Array.from({ length: N }, (_, i) => ({
        ok: true as const,
        value: {
          eventId: randomUUID(),
          correlationId: randomUUID(),
          messageId: `${key}-${i}`,
          businessKey: `${key}-${i}`,
          interface: "GOODS_MOVEMENT",
          hop: { source: "ODOO", target: "SAP_ERP" },
          occurredAt: new Date().toISOString(),
          outcome: "failed" as const,
          latencyMs: 30_000,
          attempt: 3,
          payload: goodsMovement([sampleItem({ ENTRY_QNT: "1" })]),
          error: { category: "technical" as const, code: "HTTP-503", message: "SAP inbound unavailable (no free work process)" },
        },
      })),
    );
    const rows = await db().exception.findMany({ where: { transaction: { messageId: { startsWith: `${key}-` } } } });
    expect(rows).toHaveLength(N);
    const fingerprints = new Set(rows.map((r) => r.fingerprint));
    expect(fingerprints.size).toBe(1); // one failure group

    sap.setStock(STOCK, 10_000);
    sap.faults.unavailable(5); // back, but the first answers are still 503: those replays retry with their key
    const started = Date.now();
    const op = await startBulk(approver, { kind: "REPLAY", selection: { filter: `fingerprint=${[...fingerprints][0]}&q=${key}` } });
    expect(op.total).toBe(N);

    // The bulk action queues the replays; the replay workers deliver them.
    const until = Date.now() + 90_000;
    let resolved = 0;
    while (Date.now() < until) {
      resolved = await db().exception.count({ where: { id: { in: rows.map((r) => r.id) }, status: "RESOLVED" } });
      if (resolved === N) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const elapsed = (Date.now() - started) / 1000;
    expect(await getBulk(approver, op.id)).toMatchObject({ status: "COMPLETED", done: N, skipped: 0, failed: 0 });
    expect(resolved).toBe(N);

    // Exactly once at the target: every replay's key applied once, the stock moved by exactly N.
    const replays = await db().replay.findMany({ where: { exceptionId: { in: rows.map((r) => r.id) } } });
    expect(replays).toHaveLength(N);
    expect(replays.every((r) => r.status === "SUCCEEDED")).toBe(true);
    expect(replays.map((r) => sap.applications(r.idempotencyKey))).toEqual(Array(N).fill(1));
    expect(sap.stock(STOCK)).toBe(10_000 - N);
    const attempts = await db().replayAttempt.groupBy({ by: ["outcome"], where: { replayId: { in: replays.map((r) => r.id) } }, _count: { _all: true } });
    expect(Object.fromEntries(attempts.map((a) => [a.outcome, a._count._all]))).toEqual({ delivered: N, failed: 5 });

    // Per-target limits held: never more than CONCURRENCY in flight, never more than RATE in any second.
    expect(maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
    arrivals.sort((a, b) => a - b);
    let worstSecond = 0;
    for (let i = 0, j = 0; i < arrivals.length; i++) {
      while (arrivals[i]! - arrivals[j]! >= 1000) j++;
      worstSecond = Math.max(worstSecond, i - j + 1);
    }
    // Slots are reserved at exactly RATE per second; what arrives can bunch when timers fire late on a
    // loaded machine (measured once: 44 in a second at RATE 40, with the whole suite running on 2 cores).
    // Without the limiter all N would arrive within a second or two.
    expect(worstSecond).toBeLessThanOrEqual(Math.ceil(RATE * 1.1) + 2);
    console.log(`bulk replay: ${N} resolved in ${elapsed.toFixed(1)} s; max in flight ${maxInFlight}/${CONCURRENCY}; busiest second ${worstSecond}/${RATE}`);

    // Each replay is attributed to the approver and to the bulk action.
    expect(await db().auditEvent.count({ where: { type: "replay.requested", actorId: approver.id, data: { path: ["bulkId"], equals: op.id } } })).toBe(N);
    expect((await verifyChain()).ok).toBe(true);
  }, 120_000);
});
