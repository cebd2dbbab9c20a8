import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { sapReplayHandler, startSapEmulator, type SapEmulator } from "../../connectors/sap";
import { goodsMovement, sampleItem } from "../../connectors/sap/test-support";
import { startReplayPushServer } from "../../connectors/sdk";
import { createUser, updateUser } from "../../server/admin/users";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import { approveCorrection, rejectCorrection } from "../../server/corrections/decide-correction";
import { pendingApprovals } from "../../server/corrections/pending-approvals";
import { saveCorrection } from "../../server/corrections/save-correction";
import { submitCorrection } from "../../server/corrections/submit-correction";
import { db, pool } from "../../server/db";
import { assignException } from "../../server/exceptions/assign-exception";
import { discardException } from "../../server/exceptions/discard-exception";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { type ReplayJob, deliverReplays, settleReplays } from "../../server/replay/deliver-replay";
import { leaseReplays } from "../../server/replay/pull";
import { requestReplay as requestReplayOrApproval } from "../../server/replay/request-replay";
import { queued, setReplayApproval } from "../support/replay-approval";
import { sweepStuckReplays } from "../../server/replay/sweep";
import { type Workers, startQueueClient } from "../../server/workers";

/**
 * Issue 15's guarantees, each proven against what used to break it. No replay worker runs here: jobs
 * are queued in pg-boss by the real request path, and this file hands them to deliverReplays itself,
 * so every step happens when the test says. Races use a real row lock held by a second connection
 * (the action reads, then waits on the lock while the other side moves the exception).
 */
// A short job expiry: the batch's time budget is derived from it (half to start deliveries, a quarter per request).
process.env.ANDON_REPLAY_JOB_EXPIRE_S = "8";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
// About delivery, not approval: GOODS_MOVEMENT's replays go without a second person in this file (beforeAll).
const requestReplay = (...args: Parameters<typeof requestReplayOrApproval>) => queued(requestReplayOrApproval(...args));
let queue: Workers;
let sap: SapEmulator;
let push: { url: string; close: () => Promise<void> };
let operator: Actor;
let approver: Actor;
let admin: Actor;
let sapConnector: { id: string; name: string; plantId: string };
const secret = randomBytes(24).toString("hex");
const startedAt = new Date();

const ITEM = { MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: "1", ENTRY_UOM: "PC", ORDERID: "000001004711" };
const today = () => new Date().toISOString().slice(0, 10).replace(/-/g, "");
/** A goods issue of RM-4711 from 1000/0001, each its own DOCNUM (connectors/sap/test-support builds it). */
const idoc = (qty: string) => goodsMovement([sampleItem({ ...ITEM, ENTRY_QNT: qty })], { PSTNG_DATE: today(), DOC_DATE: today() });

const as = () => ({ connectorId: sapConnector.id, connectorName: sapConnector.name, plantId: sapConnector.plantId, plantCode: "DE-HAM" });
function event(
  messageId: string,
  correlationId: string,
  outcome: "failed" | "delivered",
  occurredAt: Date,
  category: "business" | "technical" = "technical",
  payload?: unknown,
) {
  return {
    ok: true as const,
    value: {
      eventId: randomUUID(),
      correlationId,
      messageId,
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO", target: "SAP_ERP" },
      occurredAt: occurredAt.toISOString(),
      outcome,
      latencyMs: 300,
      attempt: 1,
      ...(payload !== undefined ? { payload } : {}),
      ...(outcome === "failed"
        ? {
            error:
              category === "business"
                ? { category, code: "M7-021", message: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" }
                : { category, code: "HTTP-503", message: "SAP inbound unavailable" },
          }
        : {}),
    },
  };
}

async function failure(category: "business" | "technical", payload: unknown, at = new Date()) {
  const messageId = `RG-${randomUUID()}`;
  await ingestEvents(as(), [event(messageId, randomUUID(), "failed", at, category, payload)]);
  return (await db().exception.findFirstOrThrow({ where: { transaction: { messageId } } })).id;
}

/** The queued pg-boss job of a replay, as the worker would receive it. */
async function jobOf(replayId: string): Promise<ReplayJob> {
  const { rows } = await pool().query<{ id: string; retry_count: number; retry_limit: number }>(
    "SELECT id, retry_count, retry_limit FROM pgboss.job WHERE name = 'replay.deliver' AND data->>'replayId' = $1 ORDER BY created_on DESC LIMIT 1",
    [replayId],
  );
  const j = rows[0]!;
  return { id: j.id, data: { replayId }, retryCount: j.retry_count, retryLimit: j.retry_limit };
}

const statusOf = async (id: string) => (await db().exception.findUniqueOrThrow({ where: { id } })).status;
const replayOf = (id: string) => db().replay.findUniqueOrThrow({ where: { id } });

/**
 * Runs `action` while a second connection holds the exception's row lock; once the action waits on
 * it, `meanwhile` moves the exception (as a replay, a bulk action or the source would), then commits.
 */
async function racing<T>(exceptionId: string, action: () => Promise<T>, meanwhile: string): Promise<PromiseSettledResult<T>> {
  const blocker = await pool().connect();
  try {
    await blocker.query("BEGIN");
    await blocker.query("SELECT 1 FROM exception WHERE id = $1 FOR UPDATE", [exceptionId]);
    const pending = action().then(
      (value) => ({ status: "fulfilled", value }) as const,
      (reason) => ({ status: "rejected", reason }) as const,
    );
    // Wait until the action is blocked on the lock (it read before: that read is now stale).
    for (let until = Date.now() + 10_000; Date.now() < until; ) {
      const { rows } = await pool().query(
        "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE NOT l.granted AND c.relname = 'exception' UNION ALL SELECT 1 FROM pg_locks WHERE NOT granted AND locktype = 'transactionid' LIMIT 1",
      );
      if (rows.length) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    await blocker.query(meanwhile, [exceptionId]);
    await blocker.query("COMMIT");
    return await pending;
  } finally {
    blocker.release();
  }
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  await setReplayApproval(false);
  sap = await startSapEmulator({ port: 0 });
  push = await startReplayPushServer({ secret, handler: sapReplayHandler(sap.url) });
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } } });
  sapConnector = { id: c.id, name: c.name, plantId: c.plantId };
  await db().connector.update({ where: { id: c.id }, data: { replayUrl: push.url, replaySecret: secret, replayAllowPrivate: true, replayRatePerSec: 1000 } });
  queue = await startQueueClient(inject("databaseUrl"));
  const load = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  [operator, approver, admin] = [await load("operator@andon.local"), await load("approver@andon.local"), await load("admin@andon.local")];
});

afterAll(async () => {
  await setReplayApproval(true);
  // Leave no queued work for the files after this one (they start real workers on the same database).
  await pool().query(
    `WITH mine AS (UPDATE replay SET status = 'CANCELLED', finished_at = now() WHERE created_at >= $1 AND status IN ('QUEUED', 'DELIVERING') RETURNING id)
     SELECT count(*) FROM mine`,
    [startedAt],
  );
  await pool().query("DELETE FROM pgboss.job WHERE name = 'replay.deliver' AND state IN ('created', 'retry') AND created_on >= $1", [startedAt]);
  await db().connector.update({ where: { id: sapConnector.id }, data: { replayRatePerSec: 20, replayFailures: 0, replayPausedUntil: null } });
  await queue?.stop();
  await push?.close();
  await sap?.close();
});

describe("an approval covers exactly what the approver reviewed", () => {
  it("approving a payload that was changed and resubmitted after the approver opened it is a 409; the current one can be approved", async () => {
    const id = await failure("business", idoc("512"));
    const { correction } = await saveCorrection(operator, id, { payload: idoc("500") });
    await submitCorrection(operator, correction.id, { reason: "Only 500 PC in stock; planner agreed." });
    // The approver opens the queue and reviews 500 PC…
    const seen = (await pendingApprovals(approver)).find((p) => p.id === correction.id)!;
    expect(seen.payloadHash).toBe(correction.payloadHash);
    // …meanwhile the author changes it to 5 PC and resubmits (same correction row).
    const { correction: edited } = await saveCorrection(operator, id, { payload: idoc("5") });
    await submitCorrection(operator, edited.id, { reason: "Actually only 5 PC; re-counted." });
    expect(edited.id).toBe(correction.id);
    await expect(approveCorrection(approver, correction.id, { payloadHash: seen.payloadHash })).rejects.toMatchObject({ status: 409, code: "payload_changed" });
    await expect(rejectCorrection(approver, correction.id, { comment: "Not what I saw", payloadHash: seen.payloadHash })).rejects.toMatchObject({
      status: 409,
    });
    // Without naming what was reviewed there is no approval at all.
    await expect(approveCorrection(approver, correction.id, {})).rejects.toThrow(/payloadHash/);
    expect((await db().correction.findUniqueOrThrow({ where: { id: correction.id } })).status).toBe("SUBMITTED");
    expect(await statusOf(id)).toBe("AWAITING_APPROVAL");
    const fresh = (await pendingApprovals(approver)).find((p) => p.id === correction.id)!;
    const approved = await approveCorrection(approver, correction.id, { payloadHash: fresh.payloadHash });
    expect(approved).toMatchObject({ status: "APPROVED", approvedPayloadHash: edited.payloadHash });
  });

  it("an approval whose approver was deactivated, or lost the plant, needs a new one: at request time and again before sending", async () => {
    const mk = async (email: string) =>
      (await loadPrincipal(
        (
          await createUser(admin, { email, name: "Temp Approver", role: "APPROVER", plants: ["DE-HAM"], password: "correct horse battery" })
        ).id,
      ))!;
    const a1 = await mk(`a1-${randomUUID()}@andon.local`);
    const a2 = await mk(`a2-${randomUUID()}@andon.local`);

    // 1. Deactivated before the replay is requested: the request is refused and the correction goes back to the approvers.
    const id1 = await failure("business", idoc("512"));
    const { correction: c1 } = await saveCorrection(operator, id1, { payload: idoc("7") });
    await submitCorrection(operator, c1.id, { reason: "Seven pieces, counted at the line." });
    await approveCorrection(a1, c1.id, { payloadHash: c1.payloadHash });
    await updateUser(admin, a1.id, { active: false });
    await expect(requestReplay(operator, id1, {})).rejects.toMatchObject({ status: 409, code: "approval_lapsed" });
    expect(await db().correction.findUniqueOrThrow({ where: { id: c1.id } })).toMatchObject({
      status: "SUBMITTED",
      approverId: null,
      approvedPayloadHash: null,
    });
    expect(await statusOf(id1)).toBe("AWAITING_APPROVAL");
    expect((await pendingApprovals(approver)).some((p) => p.id === c1.id)).toBe(true);
    await approveCorrection(approver, c1.id, { payloadHash: c1.payloadHash }); // a second approval by someone entitled
    await requestReplay(operator, id1, {});

    // 2. Removed from the plant after the replay was queued: the worker withdraws it instead of sending it.
    const id2 = await failure("business", idoc("512"));
    const { correction: c2 } = await saveCorrection(operator, id2, { payload: idoc("6") });
    await submitCorrection(operator, c2.id, { reason: "Six pieces, counted at the line." });
    await approveCorrection(a2, c2.id, { payloadHash: c2.payloadHash });
    const replay = await requestReplay(operator, id2, {});
    await updateUser(admin, a2.id, { plants: ["US-CLT"] });
    await deliverReplays([await jobOf(replay.id)]);
    expect(sap.applications(replay.idempotencyKey)).toBe(0);
    expect(await db().replayAttempt.count({ where: { replayId: replay.id } })).toBe(0);
    expect((await replayOf(replay.id)).status).toBe("CANCELLED");
    expect(await statusOf(id2)).toBe("AWAITING_APPROVAL");
    const types = (await db().auditEvent.findMany({ where: { subjectId: id2 }, orderBy: { id: "asc" } })).map((a) => a.type);
    expect(types.slice(-2)).toEqual(["correction.approval_lapsed", "replay.cancelled"]);
  });
});

describe("a message is not sent twice", () => {
  it("discarding a queued replay's exception cancels the replay in the same transaction; neither push nor pull sends it", async () => {
    const id = await failure("technical", idoc("1"));
    const replay = await requestReplay(operator, id, {});
    await discardException(operator, id, { reason: "Superseded by a manual posting in SAP." });
    expect((await replayOf(replay.id)).status).toBe("CANCELLED");
    await deliverReplays([await jobOf(replay.id)]);
    expect(sap.applications(replay.idempotencyKey)).toBe(0);
    expect(await statusOf(id)).toBe("DISCARDED");
    const types = (await db().auditEvent.findMany({ where: { subjectId: id }, orderBy: { id: "asc" } })).map((a) => a.type);
    expect(types).toEqual(["exception.opened", "replay.requested", "exception.discarded", "replay.cancelled"]);

    // Pull mode: a connector without a push endpoint leases only replays still expected.
    const odoo = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } } });
    await db().connector.update({ where: { id: odoo.id }, data: { replayUrl: null, replaySecret: null } });
    try {
      const pulled = await failure("technical", idoc("1"));
      const kept = await failure("technical", idoc("1"));
      const r1 = await requestReplay(operator, pulled, {});
      const r2 = await requestReplay(operator, kept, {});
      expect([r1.mode, r2.mode]).toEqual(["pull", "pull"]);
      await discardException(operator, pulled, { reason: "Superseded by a manual posting in SAP." });
      const leased = await leaseReplays({ connectorId: odoo.id, connectorName: odoo.name, plantId: odoo.plantId, plantCode: "DE-HAM" } as never, {
        wait: 0,
        max: 50,
      });
      expect(leased.map((l) => l.replayId)).toContain(r2.id);
      expect(leased.map((l) => l.replayId)).not.toContain(r1.id);
    } finally {
      await db().connector.update({ where: { id: odoo.id }, data: { replayUrl: push.url, replaySecret: secret } });
    }
  });

  it("recovered at source cancels the queued replay in the same transaction as the resolution", async () => {
    const at = new Date();
    const id = await failure("technical", idoc("1"), at);
    const e = await db().exception.findUniqueOrThrow({ where: { id }, include: { transaction: true } });
    const replay = await requestReplay(operator, id, {});
    await ingestEvents(as(), [event(e.transaction.messageId, e.transaction.correlationId, "delivered", new Date(at.getTime() + 1000))]);
    expect(await statusOf(id)).toBe("RESOLVED");
    expect((await replayOf(replay.id)).status).toBe("CANCELLED");
    await deliverReplays([await jobOf(replay.id)]);
    expect(sap.applications(replay.idempotencyKey)).toBe(0);
  });

  it("every status write is conditional on the status read: a stale read gets a 409 and writes nothing", async () => {
    // Assign (bulk or single) read APPROVED/NEW; a replay moved the exception meanwhile: the replay's status stands.
    const a = await failure("technical", idoc("1"));
    const r = await racing(a, () => assignException(operator, a, { assigneeId: operator.id }), "UPDATE exception SET status = 'REPLAY_QUEUED' WHERE id = $1");
    expect(r).toMatchObject({ status: "rejected", reason: { status: 409 } });
    expect(await statusOf(a)).toBe("REPLAY_QUEUED");

    // Replay requested from a stale read while the exception was discarded: no replay, still discarded.
    const b = await failure("technical", idoc("1"));
    const rb = await racing(b, () => requestReplay(operator, b, {}), "UPDATE exception SET status = 'DISCARDED' WHERE id = $1");
    expect(rb).toMatchObject({ status: "rejected", reason: { status: 409 } });
    expect(await statusOf(b)).toBe("DISCARDED");
    expect(await db().replay.count({ where: { exceptionId: b } })).toBe(0);

    // Save, submit and decide of a correction, each against an exception resolved at source meanwhile.
    const c = await failure("business", idoc("512"));
    const rc = await racing(c, () => saveCorrection(operator, c, { payload: idoc("9") }), "UPDATE exception SET status = 'RESOLVED' WHERE id = $1");
    expect(rc).toMatchObject({ status: "rejected", reason: { status: 409 } });
    expect(await statusOf(c)).toBe("RESOLVED");
    expect(await db().correction.count({ where: { exceptionId: c } })).toBe(0);

    const d = await failure("business", idoc("512"));
    const { correction: cd } = await saveCorrection(operator, d, { payload: idoc("9") });
    const rd = await racing(
      d,
      () => submitCorrection(operator, cd.id, { reason: "Nine pieces, counted at the line." }),
      "UPDATE exception SET status = 'RESOLVED' WHERE id = $1",
    );
    expect(rd).toMatchObject({ status: "rejected", reason: { status: 409 } });
    expect(await statusOf(d)).toBe("RESOLVED");
    expect((await db().correction.findUniqueOrThrow({ where: { id: cd.id } })).status).toBe("DRAFT");

    const f = await failure("business", idoc("512"));
    const { correction: cf } = await saveCorrection(operator, f, { payload: idoc("8") });
    await submitCorrection(operator, cf.id, { reason: "Eight pieces, counted at the line." });
    const rf = await racing(
      f,
      () => approveCorrection(approver, cf.id, { payloadHash: cf.payloadHash }),
      "UPDATE exception SET status = 'RESOLVED' WHERE id = $1",
    );
    expect(rf).toMatchObject({ status: "rejected", reason: { status: 409 } });
    expect(await statusOf(f)).toBe("RESOLVED");
    expect((await db().correction.findUniqueOrThrow({ where: { id: cf.id } })).status).toBe("SUBMITTED");
  });

  it("two first saves of a correction at once: one wins, the other is a 409 (not a 500)", async () => {
    const id = await failure("business", idoc("512"));
    const results = await Promise.allSettled([saveCorrection(operator, id, { payload: idoc("11") }), saveCorrection(operator, id, { payload: idoc("12") })]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({ reason: { status: 409 } });
    expect(await db().correction.count({ where: { exceptionId: id } })).toBe(1);
  });

  it("settling is guarded: a late duplicate outcome cannot overwrite a settled replay or resolve an exception a newer replay owns", async () => {
    const id = await failure("technical", idoc("1"));
    const first = await requestReplay(operator, id, {});
    const job = await jobOf(first.id);
    await deliverReplays([job]);
    expect((await replayOf(first.id)).status).toBe("SUCCEEDED");
    expect(await statusOf(id)).toBe("RESOLVED");
    const ref = await db().replay.findUniqueOrThrow({
      where: { id: first.id },
      include: { connector: true, exception: { include: { plant: true, interface: true, transaction: true } } },
    });
    const late = {
      r: ref,
      attempt: 1,
      mode: "push" as const,
      httpStatus: 500,
      durationMs: 1,
      startedAt: new Date(),
      lastAttempt: true,
      outcome: { status: "failed" as const, category: "business" as const, code: "LATE", message: "a duplicate job's late refusal" },
    };
    await settleReplays([late]);
    expect((await replayOf(first.id)).status).toBe("SUCCEEDED");
    expect(await statusOf(id)).toBe("RESOLVED");
    expect(await db().auditEvent.count({ where: { subjectId: id, type: "replay.failed" } })).toBe(0);

    // A failed replay's late "delivered" must not resolve the exception a newer replay now owns.
    const id2 = await failure("business", idoc("512"));
    const { correction } = await saveCorrection(operator, id2, { payload: idoc("99999") });
    await submitCorrection(operator, correction.id, { reason: "As much as the order needs, to see it refused." });
    await approveCorrection(approver, correction.id, { payloadHash: correction.payloadHash });
    const r1 = await requestReplay(operator, id2, {});
    await deliverReplays([await jobOf(r1.id)]); // SAP refuses: deficit
    expect((await replayOf(r1.id)).status).toBe("FAILED");
    expect(await statusOf(id2)).toBe("REPLAY_FAILED");
    // SAP refused exactly this payload: it goes again only with a reason.
    const r2 = await requestReplay(operator, id2, { reason: "Stock was posted in SAP meanwhile: send it again." });
    const ref1 = await db().replay.findUniqueOrThrow({
      where: { id: r1.id },
      include: { connector: true, exception: { include: { plant: true, interface: true, transaction: true } } },
    });
    await settleReplays([{ ...late, r: ref1, outcome: { status: "delivered" } }]);
    expect((await replayOf(r1.id)).status).toBe("FAILED");
    expect(await statusOf(id2)).toBe("REPLAY_QUEUED");
    expect((await replayOf(r2.id)).status).toBe("QUEUED");
  });

  it("a failure reported after the message was delivered by a replay opens nothing (and says so); a newer one is a new exception that needs a reason to replay", async () => {
    const at = new Date(Date.now() - 60_000);
    const id = await failure("technical", idoc("1"), at);
    const e = await db().exception.findUniqueOrThrow({ where: { id }, include: { transaction: true } });
    const replay = await requestReplay(operator, id, {});
    await deliverReplays([await jobOf(replay.id)]);
    expect(await statusOf(id)).toBe("RESOLVED");
    expect((await db().transaction.findUniqueOrThrow({ where: { id: e.transactionId } })).status).toBe("DELIVERED");
    // The connector's retry queue reports an older failure of the same message (a new event id).
    const stale = await ingestEvents(as(), [
      event(e.transaction.messageId, e.transaction.correlationId, "failed", new Date(at.getTime() + 5000), "technical", idoc("1")),
    ]);
    expect(stale).toMatchObject({ accepted: 1, rejected: [] });
    expect(stale.notices).toEqual([expect.objectContaining({ code: "failure_after_delivery", exceptionOpened: false })]);
    expect(await db().exception.count({ where: { transactionId: e.transactionId } })).toBe(1);
    // A failure after the delivery is a new one: an exception, said so, and a replay of it needs a reason (it would be a second delivery).
    const newer = await ingestEvents(as(), [
      event(e.transaction.messageId, e.transaction.correlationId, "failed", new Date(Date.now() + 1000), "technical", idoc("1")),
    ]);
    expect(newer.notices).toEqual([expect.objectContaining({ code: "failure_after_delivery", exceptionOpened: true })]);
    const reopened = await db().exception.findFirstOrThrow({ where: { transactionId: e.transactionId, status: "NEW" } });
    await expect(requestReplay(operator, reopened.id, {})).rejects.toMatchObject({
      status: 400,
      code: "reason_required",
      message: /already delivered by replay/,
    });
    const again = await requestReplay(operator, reopened.id, { reason: "SAP lost the document in a restore; send it once more." });
    expect(again.idempotencyKey).not.toBe(replay.idempotencyKey);
  });
});

describe("a bad connector affects only its own delivery", () => {
  it("a malformed 200, a slow target and a refused destination fail only their own deliveries; the batch ends within the job's budget", async () => {
    // A second target (DE-HAM's Odoo connector stands in for another plant's) that answers 200 with nonsense or not at all.
    let mode: "null" | "no-code" | "not-json" | "hang" = "null";
    const bad: Server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (mode === "hang") return; // never answers
        res.writeHead(200, { "content-type": "application/json" });
        res.end(mode === "null" ? "null" : mode === "no-code" ? JSON.stringify({ status: "failed", category: "business" }) : "<html>ok</html>");
      });
    });
    await new Promise<void>((r) => bad.listen(0, "127.0.0.1", r));
    const badUrl = `http://127.0.0.1:${(bad.address() as AddressInfo).port}/replay`;
    const other = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } } });
    await db().connector.update({
      where: { id: other.id },
      data: { replayUrl: badUrl, replaySecret: secret, replayAllowPrivate: true, replayFailures: 0, replayPausedUntil: null },
    });
    try {
      for (const m of ["null", "no-code", "not-json", "hang"] as const) {
        mode = m;
        const good = await failure("technical", idoc("1"));
        const victim = await failure("technical", idoc("1"));
        const rGood = await requestReplay(operator, good, {});
        const rBad = await requestReplay(operator, victim, {});
        await db().replay.update({ where: { id: rBad.id }, data: { connectorId: other.id } });
        const started = Date.now();
        const { retry } = await deliverReplays([await jobOf(rGood.id), await jobOf(rBad.id)]);
        const elapsed = Date.now() - started;
        expect(sap.applications(rGood.idempotencyKey)).toBe(1);
        expect((await replayOf(rGood.id)).status).toBe("SUCCEEDED");
        // The bad one: a technical failure of that delivery, to be retried with the same key; nothing stuck.
        expect([...retry.values()]).toEqual([expect.stringMatching(m === "hang" ? /CONNECTOR_UNREACHABLE/ : /INVALID_RESPONSE/)]);
        expect((await db().replayAttempt.findFirstOrThrow({ where: { replayId: rBad.id } })).errorCode).toBe(
          m === "hang" ? "CONNECTOR_UNREACHABLE" : "INVALID_RESPONSE",
        );
        // Budget: job expiry 8 s → requests time out after 2 s, no delivery starts after 4 s.
        expect(elapsed).toBeLessThan(8000);
        await db().connector.update({ where: { id: other.id }, data: { replayFailures: 0, replayPausedUntil: null } });
        await discardException(operator, victim, { reason: "Test target, not a real system." }).catch(() => undefined);
      }
      // A destination the administrator has not allowed (loopback) is refused without a request, and not retried.
      await db().connector.update({ where: { id: other.id }, data: { replayAllowPrivate: false } });
      const refused = await failure("technical", idoc("1"));
      const rRefused = await requestReplay(operator, refused, {});
      await db().replay.update({ where: { id: rRefused.id }, data: { connectorId: other.id } });
      mode = "null";
      const { retry } = await deliverReplays([await jobOf(rRefused.id)]);
      expect(retry.size).toBe(0);
      expect((await replayOf(rRefused.id)).status).toBe("FAILED");
      expect((await db().replayAttempt.findFirstOrThrow({ where: { replayId: rRefused.id } })).errorCode).toBe("DESTINATION_REFUSED");
    } finally {
      await db().connector.update({
        where: { id: other.id },
        data: { replayUrl: null, replaySecret: null, replayAllowPrivate: false, replayFailures: 0, replayPausedUntil: null },
      });
      await new Promise((r) => bad.close(r));
    }
  }, 60_000);

  it("a push replay left without a job (its batch failed) is queued again by the sweeper, same key", async () => {
    const id = await failure("technical", idoc("1"));
    const replay = await requestReplay(operator, id, {});
    // The batch that held it died for a reason that was not the delivery: its job failed, the replay stayed DELIVERING.
    await pool().query("UPDATE pgboss.job SET state = 'failed' WHERE name = 'replay.deliver' AND data->>'replayId' = $1", [replay.id]);
    await pool().query("UPDATE replay SET status = 'DELIVERING' WHERE id = $1", [replay.id]);
    await pool().query("UPDATE exception SET status = 'REPLAYING' WHERE id = $1", [id]);
    expect((await sweepStuckReplays(60_000)).requeued).not.toContain(replay.id); // too recent: could be a job being handed over
    const { requeued } = await sweepStuckReplays(0);
    expect(requeued).toContain(replay.id);
    expect((await sweepStuckReplays(0)).requeued).not.toContain(replay.id); // it has a live job now
    await deliverReplays([await jobOf(replay.id)]);
    expect(sap.applications(replay.idempotencyKey)).toBe(1);
    expect(await statusOf(id)).toBe("RESOLVED");
    await expect(verifyChain()).resolves.toMatchObject({ ok: true });
  });
});
