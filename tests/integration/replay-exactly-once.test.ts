import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { sapReplayHandler, startSapEmulator, type SapEmulator } from "../../connectors/sap";
import { goodsMovement, sampleItem } from "../../connectors/sap/test-support";
import { startReplayPushServer } from "../../connectors/sdk";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import { discardException } from "../../server/exceptions/discard-exception";
import { startBulk } from "../../server/exceptions/start-bulk";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { requestReplay } from "../../server/replay/request-replay";
import { setReplayApproval } from "../support/replay-approval";
import { type Workers, startWorkers } from "../../server/workers";

/**
 * The exactly-once property under everything at once (issue 15): bulk replay, direct replays, bulk
 * assign, discards and recoveries at the source race each other on the same exceptions while the real
 * workers deliver to the SAP emulator (rate-limited, so deliveries spread over seconds). Afterwards:
 * every idempotency key was applied at most once, every business message at most once, SAP's stock
 * moved by exactly what was applied, nothing sent after its exception stopped expecting it, nothing
 * stuck, and the audit chain is intact.
 */
process.env.ANDON_REPLAY_RETRY_DELAY_S = "1";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let workers: Workers;
let sap: SapEmulator;
let push: { url: string; close: () => Promise<void> };
let operator: Actor;
let approver: Actor;
const secret = randomBytes(24).toString("hex");
const STOCK = { material: "RM-4711", plant: "1000", storageLocation: "0001" };
const N = 60;

const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, "");
/** One IDoc per message, each its own DOCNUM (SAP posts an IDoc of a sender and DOCNUM once; connectors/sap/test-support numbers them). */
const idoc = () =>
  goodsMovement(
    [sampleItem({ MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: "1", ENTRY_UOM: "PC", ORDERID: "000001004711" })],
    { PSTNG_DATE: today(), DOC_DATE: today() },
  );

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  await setReplayApproval(false); // about delivery, not approval: GOODS_MOVEMENT's replays go without a second person here
  sap = await startSapEmulator({ port: 0 });
  push = await startReplayPushServer({ secret, handler: sapReplayHandler(sap.url) });
  await db().connector.updateMany({
    where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } },
    data: {
      replayUrl: push.url,
      replaySecret: secret,
      replayAllowPrivate: true,
      replayRatePerSec: 15,
      replayConcurrency: 4,
      replayFailures: 0,
      replayPausedUntil: null,
    },
  });
  workers = await startWorkers(inject("databaseUrl"));
  const load = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  [operator, approver] = [await load("operator@andon.local"), await load("approver@andon.local")];
});

afterAll(async () => {
  await setReplayApproval(true);
  await workers?.stop();
  await db().connector.updateMany({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } }, data: { replayRatePerSec: 20, replayConcurrency: 4 } });
  await push?.close();
  await sap?.close();
});

describe("exactly once, with everything racing", () => {
  it("bulk replay, direct replays, bulk assign, discards and recoveries at source: each key and each message applied at most once, nothing stuck", async () => {
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } } });
    const as = { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" };
    sap.setStock(STOCK, 10_000);
    const stockBefore = sap.stock(STOCK);
    const messages = Array.from({ length: N }, () => ({ messageId: `EO-${randomUUID()}`, correlationId: randomUUID() }));
    const at = Date.now() - 10_000;
    await ingestEvents(
      as,
      messages.map((m) => ({
        ok: true as const,
        value: {
          eventId: randomUUID(),
          ...m,
          interface: "GOODS_MOVEMENT",
          hop: { source: "ODOO", target: "SAP_ERP" },
          occurredAt: new Date(at).toISOString(),
          outcome: "failed",
          latencyMs: 200,
          attempt: 1,
          payload: idoc(),
          error: { category: "technical" as const, code: "HTTP-503", message: "SAP inbound unavailable" },
        },
      })),
    );
    const exceptions = await db().exception.findMany({
      where: { transaction: { messageId: { in: messages.map((m) => m.messageId) } } },
      include: { transaction: true },
    });
    expect(exceptions).toHaveLength(N);
    const ids = exceptions.map((e) => e.id);
    const toDiscard = new Set(ids.filter((_, i) => i % 3 === 0));
    const toRecover = exceptions.filter((_, i) => i % 3 === 1);

    const discardLoop = async (id: string) => {
      await sleep(Math.random() * 2500);
      for (let i = 0; i < 40; i++) {
        const ok = await discardException(operator, id, { reason: "Posted by hand in SAP during the outage." }).then(
          () => true,
          () => false,
        );
        if (ok) return;
        const s = (await db().exception.findUniqueOrThrow({ where: { id } })).status;
        if (s === "RESOLVED" || s === "DISCARDED") return;
        await sleep(50);
      }
    };
    const recover = async (e: (typeof exceptions)[number]) => {
      await sleep(Math.random() * 3000);
      await ingestEvents(as, [
        {
          ok: true,
          value: {
            eventId: randomUUID(),
            messageId: e.transaction.messageId,
            correlationId: e.transaction.correlationId,
            interface: "GOODS_MOVEMENT",
            hop: { source: "ODOO", target: "SAP_ERP" },
            occurredAt: new Date(at + 5000).toISOString(),
            outcome: "delivered",
            latencyMs: 100,
            attempt: 2,
          },
        },
      ]);
    };
    const direct = async (id: string) => {
      await sleep(Math.random() * 1500);
      await requestReplay(operator, id, {}).catch(() => undefined); // 409s are expected: another path got there first
    };

    const [replayBulk, assignBulk] = await Promise.all([
      startBulk(approver, { kind: "REPLAY", selection: { ids }, params: {} }),
      startBulk(operator, { kind: "ASSIGN", selection: { ids }, params: { assigneeId: operator.id } }),
      ...[...toDiscard].map(discardLoop),
      ...toRecover.map(recover),
      ...ids.map(direct),
    ]);

    // Everything settles: both bulk actions finished, no replay queued or being delivered.
    for (let until = Date.now() + 120_000; ; ) {
      const open = await db().replay.count({ where: { exceptionId: { in: ids }, status: { in: ["QUEUED", "DELIVERING"] } } });
      const bulks = await db().bulkOperation.count({ where: { id: { in: [replayBulk.id, assignBulk.id] }, status: { in: ["QUEUED", "RUNNING"] } } });
      if (open === 0 && bulks === 0) break;
      if (Date.now() > until) throw new Error(`not settled: ${open} replays open, ${bulks} bulk actions running`);
      await sleep(250);
    }

    const replays = await db().replay.findMany({ where: { exceptionId: { in: ids } }, include: { attempts: true } });
    const final = new Map((await db().exception.findMany({ where: { id: { in: ids } } })).map((e) => [e.id, e]));
    let applied = 0;
    const perException = new Map<string, number>();
    for (const r of replays) {
      const n = sap.applications(r.idempotencyKey);
      expect(n, `key ${r.idempotencyKey}`).toBeLessThanOrEqual(1);
      if (r.status === "SUCCEEDED") expect(n).toBe(1);
      if (r.attempts.length === 0) expect(n, `replay ${r.id} (${r.status}) was never attempted but applied`).toBe(0);
      // A cancelled replay (its exception discarded or recovered at the source) is not sent again: at most the
      // one attempt that was already on the wire when the cancellation committed.
      if (r.status === "CANCELLED") expect(r.attempts.length, `cancelled replay ${r.id}`).toBeLessThanOrEqual(1);
      applied += n;
      perException.set(r.exceptionId, (perException.get(r.exceptionId) ?? 0) + n);
    }
    // Each business message at most once, and SAP's stock moved by exactly what was applied.
    for (const [id, n] of perException) expect(n, `exception ${id}`).toBeLessThanOrEqual(1);
    expect(stockBefore - sap.stock(STOCK)).toBe(applied);
    // Discard is possible only before a replay is claimed (claim and discard lock the same row): a discarded
    // exception's replay was never sent.
    const discarded = [...toDiscard].filter((id) => final.get(id)!.status === "DISCARDED");
    for (const id of discarded) expect(perException.get(id) ?? 0, `discarded exception ${id}`).toBe(0);
    expect(discarded.length).toBeGreaterThan(0);
    // Nothing stuck, and a delivered replay resolved its exception (no stale status written over it).
    for (const e of final.values()) {
      expect(["REPLAY_QUEUED", "REPLAYING"]).not.toContain(e.status);
      if (replays.some((r) => r.exceptionId === e.id && r.status === "SUCCEEDED")) expect(e.status).toBe("RESOLVED");
    }
    expect(replays.filter((r) => r.status === "SUCCEEDED").length).toBeGreaterThan(0);
    await expect(verifyChain()).resolves.toMatchObject({ ok: true });
  }, 180_000);
});
