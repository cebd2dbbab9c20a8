import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { sapReplayHandler, startSapEmulator, type SapEmulator } from "../../connectors/sap";
import { startReplayPushServer } from "../../connectors/sdk";
import { loadPrincipal } from "../../server/auth/principal";
import { approveCorrection } from "../../server/corrections/decide-correction";
import { saveCorrection } from "../../server/corrections/save-correction";
import { submitCorrection } from "../../server/corrections/submit-correction";
import { db } from "../../server/db";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { requestReplay as requestReplayOrApproval } from "../../server/replay/request-replay";
import { queued, setReplayApproval } from "../support/replay-approval";
import { type Workers, startWorkers } from "../../server/workers";

// A short-fused breaker for this file (read by server/config at first use).
process.env.ANDON_REPLAY_CIRCUIT_THRESHOLD = "3";
process.env.ANDON_REPLAY_CIRCUIT_COOLDOWN_MS = "1500";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
// About delivery, not approval: GOODS_MOVEMENT's replays go without a second person in this file (beforeAll).
const requestReplay = (...args: Parameters<typeof requestReplayOrApproval>) => queued(requestReplayOrApproval(...args));
let workers: Workers;
let sap: SapEmulator;
let push: { url: string; close: () => Promise<void> };
let operator: Actor;
let approver: Actor;
const secret = randomBytes(24).toString("hex");

const idoc = (qty: string) => ({
  idocType: "MBGMCR03",
  control: { DOCNUM: String(Date.now()).slice(-12), MESTYP: "MBGMCR", SNDPRN: "ODOO_HAM", RCVPRN: "ERPCLNT100" },
  E1BP2017_GM_CODE: { GM_CODE: "03" },
  E1BP2017_GM_HEAD_01: {
    PSTNG_DATE: new Date().toISOString().slice(0, 10).replace(/-/g, ""),
    DOC_DATE: new Date().toISOString().slice(0, 10).replace(/-/g, ""),
  },
  E1BP2017_GM_ITEM_CREATE: [
    { MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: qty, ENTRY_UOM: "PC", ORDERID: "000001004711" },
  ],
});

async function failure(category: "business" | "technical", payload: unknown) {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } } });
  const messageId = `RP-${randomUUID()}`;
  await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" }, [
    {
      ok: true,
      value: {
        eventId: randomUUID(),
        correlationId: randomUUID(),
        messageId,
        interface: "GOODS_MOVEMENT",
        hop: { source: "ODOO", target: "SAP_ERP" },
        occurredAt: new Date().toISOString(),
        outcome: "failed",
        latencyMs: 500,
        attempt: 1,
        payload,
        error:
          category === "business"
            ? { category, code: "M7-021", message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" }
            : { category, code: "HTTP-503", message: "SAP inbound unavailable" },
      },
    },
  ]);
  return (await db().exception.findFirstOrThrow({ where: { transaction: { messageId } } })).id;
}

async function settled(id: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const e = await db().exception.findUniqueOrThrow({ where: { id } });
    if (["RESOLVED", "REPLAY_FAILED"].includes(e.status) || Date.now() > until) return e;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  await setReplayApproval(false);
  sap = await startSapEmulator({ port: 0 });
  push = await startReplayPushServer({ secret, handler: sapReplayHandler(sap.url) });
  await db().connector.updateMany({
    where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } },
    data: { replayUrl: push.url, replaySecret: secret, replayAllowPrivate: true },
  });
  workers = await startWorkers(inject("databaseUrl"));
  const load = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  operator = await load("operator@andon.local");
  approver = await load("approver@andon.local");
});

afterAll(async () => {
  await setReplayApproval(true);
  await workers?.stop();
  await push?.close();
  await sap?.close();
});

describe("replay (push) through pg-boss to the SAP emulator", () => {
  it("replays an approved correction once; a lost answer is retried with the same key and SAP posts exactly once", async () => {
    const id = await failure("business", idoc("512"));
    const { correction } = await saveCorrection(operator, id, { payload: idoc("20") });
    await submitCorrection(operator, correction.id, { reason: "Issue only 20 PC now; the rest after the receipt." });
    await approveCorrection(approver, correction.id, { payloadHash: correction.payloadHash });
    const stockBefore = sap.stock({ material: "RM-4711", plant: "1000", storageLocation: "0001" });
    sap.faults.dropConnection({ count: 1, phase: "after" }); // SAP posts, but the answer never arrives
    const replay = await requestReplay(operator, id, {});
    expect((await settled(id)).status).toBe("RESOLVED");
    expect(sap.applications(replay.idempotencyKey)).toBe(1);
    expect(sap.stock({ material: "RM-4711", plant: "1000", storageLocation: "0001" })).toBe(stockBefore - 20);
    const attempts = await db().replayAttempt.findMany({ where: { replayId: replay.id }, orderBy: { attempt: "asc" } });
    expect(attempts.map((a) => a.outcome)).toEqual(["failed", "delivered"]);
    const audit = (await db().auditEvent.findMany({ where: { subjectId: id }, orderBy: { id: "asc" } })).map((a) => a.type);
    expect(audit).toEqual([
      "exception.opened",
      "correction.saved",
      "correction.submitted",
      "correction.approved",
      "replay.requested",
      "replay.delivering",
      "replay.succeeded",
    ]);
  }, 40_000);

  it("a second replay of a resolved transaction needs a reason, gets a new key, and is audited with it", async () => {
    const id = await failure("technical", idoc("2"));
    const first = await requestReplay(operator, id, {});
    expect((await settled(id)).status).toBe("RESOLVED");
    await expect(requestReplay(operator, id, {})).rejects.toMatchObject({ status: 400, code: "reason_required" });
    await expect(requestReplay(operator, id, { reason: "again" })).rejects.toThrow(/10 characters/);
    sap.reset(); // SAP restored from a backup: the first posting is gone (otherwise SAP refuses the DOCNUM again, status 68)
    const second = await requestReplay(operator, id, { reason: "SAP restored from backup: the posting was lost" });
    expect(second.idempotencyKey).not.toBe(first.idempotencyKey);
    expect((await settled(id)).status).toBe("RESOLVED");
    const requested = await db().auditEvent.findMany({ where: { subjectId: id, type: "replay.requested" }, orderBy: { id: "asc" } });
    expect(requested.map((r) => (r.data as { secondReplayReason?: string }).secondReplayReason ?? null)).toEqual([
      null,
      "SAP restored from backup: the posting was lost",
    ]);
  }, 40_000);

  it("a business refusal on replay sends the exception back as REPLAY_FAILED", async () => {
    const id = await failure("business", idoc("512"));
    const { correction } = await saveCorrection(operator, id, { payload: idoc("99999") });
    await submitCorrection(operator, correction.id, { reason: "Wrong on purpose: more than any stock." });
    await approveCorrection(approver, correction.id, { payloadHash: correction.payloadHash });
    await requestReplay(operator, id, {});
    const e = await settled(id);
    expect(e.status).toBe("REPLAY_FAILED");
    expect(await db().auditEvent.count({ where: { subjectId: id, type: "replay.failed" } })).toBe(1);
  }, 40_000);

  it("refuses what must not be replayed: business failures without approved correction, pending corrections, second replays in flight", async () => {
    const business = await failure("business", idoc("512"));
    await expect(requestReplay(operator, business, {})).rejects.toMatchObject({ status: 409, code: "correction_required" });
    const { correction } = await saveCorrection(operator, business, { payload: idoc("10") });
    await expect(requestReplay(operator, business, {})).rejects.toMatchObject({ status: 409, code: "approval_required" });
    await submitCorrection(operator, correction.id, { reason: "Ten pieces only for now, please." });
    await expect(requestReplay(operator, business, {})).rejects.toMatchObject({ status: 409 });

    const technical = await failure("technical", idoc("1"));
    const manager = (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email: "manager@andon.local" } })).id))!;
    await expect(requestReplay(manager, technical, {})).rejects.toMatchObject({ status: 403 });
    await requestReplay(operator, technical, {}); // technical: as is, no approval needed
    await expect(requestReplay(operator, technical, {})).rejects.toMatchObject({ status: 409 });
    expect((await settled(technical)).status).toBe("RESOLVED");
  }, 40_000);

  it("the circuit breaker pauses a failing target, waits, and recovers when it is back", async () => {
    const connector = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } } });
    await db().connector.update({ where: { id: connector.id }, data: { replayFailures: 0, replayPausedUntil: null } });
    sap.faults.unavailable(1000, 1); // SAP answers 503 until cleared
    const ids = [await failure("technical", idoc("1")), await failure("technical", idoc("1")), await failure("technical", idoc("1"))];
    for (const id of ids) await requestReplay(operator, id, {});
    // Three technical failures in a row open the circuit.
    const until = Date.now() + 20_000;
    let c = await db().connector.findUniqueOrThrow({ where: { id: connector.id } });
    while (!c.replayPausedUntil && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      c = await db().connector.findUniqueOrThrow({ where: { id: connector.id } });
    }
    expect(c.replayFailures).toBeGreaterThanOrEqual(3);
    expect(c.replayPausedUntil!.getTime()).toBeGreaterThan(Date.now() - 1500);
    // While it is open, a new replay is not delivered at all (pause held for 4 s to observe it).
    await db().connector.update({ where: { id: connector.id }, data: { replayPausedUntil: new Date(Date.now() + 4000) } });
    const late = await failure("technical", idoc("1"));
    const replay = await requestReplay(operator, late, {});
    await new Promise((r) => setTimeout(r, 2500));
    expect(await db().replayAttempt.count({ where: { replayId: replay.id } })).toBe(0);
    expect((await db().exception.findUniqueOrThrow({ where: { id: late } })).status).toBe("REPLAYING");
    // SAP comes back: the retries go through after the cool-down, and the circuit closes.
    sap.faults.clear();
    for (const id of [...ids, late]) expect((await settled(id, 60_000)).status).toBe("RESOLVED");
    expect((await db().connector.findUniqueOrThrow({ where: { id: connector.id } })).replayFailures).toBe(0);
    // Being held was no attempt: the replay's one delivery is its attempt 1, its retry budget untouched.
    expect((await db().replayAttempt.findMany({ where: { replayId: replay.id } })).map((a) => [a.attempt, a.outcome])).toEqual([[1, "delivered"]]);
  }, 90_000);
});

describe("replay and the source racing", () => {
  it("a message recovered at source while its replay is in flight cancels the replay: its late refusal changes nothing and nothing is retried", async () => {
    // As is, this goods movement is refused by SAP (stock deficit: a business refusal at replay).
    const id = await failure("technical", idoc("99999"));
    const e = await db().exception.findUniqueOrThrow({ where: { id }, include: { transaction: true } });
    sap.faults.hang(2000, { count: 1, phase: "before" }); // SAP answers only after the source's delivery below
    const replay = await requestReplay(operator, id, {});
    // Wait until the delivery is under way (the worker claimed it), then the source delivers the message.
    for (let until = Date.now() + 20_000; (await db().replay.findUniqueOrThrow({ where: { id: replay.id } })).status !== "DELIVERING" && Date.now() < until; )
      await new Promise((r) => setTimeout(r, 50));
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } } });
    await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" }, [
      {
        ok: true,
        value: {
          eventId: randomUUID(),
          correlationId: e.transaction.correlationId,
          messageId: e.transaction.messageId,
          interface: "GOODS_MOVEMENT",
          hop: { source: "ODOO", target: "SAP_ERP" },
          occurredAt: new Date().toISOString(),
          outcome: "delivered",
          latencyMs: 100,
          attempt: 2,
        },
      },
    ]);
    expect((await db().exception.findUniqueOrThrow({ where: { id } })).status).toBe("RESOLVED");
    expect((await db().replay.findUniqueOrThrow({ where: { id: replay.id } })).status).toBe("CANCELLED"); // in the same transaction as the resolution
    // SAP's late answer is recorded as an attempt, and changes nothing else.
    for (let until = Date.now() + 20_000; (await db().replayAttempt.count({ where: { replayId: replay.id } })) === 0 && Date.now() < until; )
      await new Promise((r) => setTimeout(r, 100));
    expect(await db().replayAttempt.count({ where: { replayId: replay.id } })).toBe(1);
    expect((await db().replay.findUniqueOrThrow({ where: { id: replay.id } })).status).toBe("CANCELLED");
    expect(await db().exception.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "RESOLVED", resolution: "recovered_at_source" }); // the source's delivery stands
    const types = (await db().auditEvent.findMany({ where: { subjectId: id }, orderBy: { id: "asc" } })).map((a) => a.type);
    expect(types).toEqual(["exception.opened", "replay.requested", "replay.delivering", "exception.resolved", "replay.cancelled"]);
  }, 40_000);
});
