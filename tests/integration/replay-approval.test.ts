import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { sapReplayHandler, startSapEmulator, type SapEmulator } from "../../connectors/sap";
import { startReplayPushServer } from "../../connectors/sdk";
import { createUser, updateUser } from "../../server/admin/users";
import { loadPrincipal } from "../../server/auth/principal";
import { approveCorrection } from "../../server/corrections/decide-correction";
import { payloadHash } from "../../server/corrections/rules";
import { saveCorrection } from "../../server/corrections/save-correction";
import { submitCorrection } from "../../server/corrections/submit-correction";
import { db, pool } from "../../server/db";
import { exceptionPage } from "../../server/exceptions/exception-page";
import { setIo } from "../../server/realtime/publish";
import { getBulk } from "../../server/exceptions/bulk-views";
import { startBulk } from "../../server/exceptions/start-bulk";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { approveReplayRequest } from "../../server/replay/approve-replay-request";
import { pendingReplayApprovals } from "../../server/replay/pending-replay-approvals";
import { rejectReplayRequest } from "../../server/replay/reject-replay-request";
import { requestReplay } from "../../server/replay/request-replay";
import { type Workers, startWorkers } from "../../server/workers";
import { setReplayApproval } from "../support/replay-approval";

/**
 * Issue 16, segregation of duties: on an interface that requires approval (GOODS_MOVEMENT) no replay is
 * sent on one person's word. Requested by one, approved by another, audited both ways; the approval
 * names the payload hash and the request, and is used only while that is still what would be sent and
 * both people still have the right. Real pg-boss workers deliver approved replays to the SAP emulator.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let workers: Workers;
let sap: SapEmulator;
let push: { url: string; close: () => Promise<void> };
let operator: Actor;
let approver: Actor;
let admin: Actor;
let approver2: Actor;
let approverClt: Actor;
const secret = randomBytes(24).toString("hex");
const tag = randomUUID().slice(0, 6);

const idoc = (qty: string) => ({
  idocType: "MBGMCR03",
  control: {
    DOCNUM: String(Date.now()).slice(-9) + String(Math.floor(Math.random() * 1000)).padStart(3, "0"),
    MESTYP: "MBGMCR",
    SNDPRN: "ODOO_HAM",
    RCVPRN: "ERPCLNT100",
  },
  E1BP2017_GM_CODE: { GM_CODE: "03" },
  E1BP2017_GM_HEAD_01: {
    PSTNG_DATE: new Date().toISOString().slice(0, 10).replace(/-/g, ""),
    DOC_DATE: new Date().toISOString().slice(0, 10).replace(/-/g, ""),
  },
  E1BP2017_GM_ITEM_CREATE: [
    { MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: qty, ENTRY_UOM: "PC", ORDERID: "000001004711" },
  ],
});

async function failure(payload: unknown = idoc("1")) {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } } });
  const messageId = `RA-${tag}-${randomUUID()}`;
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
        error: { category: "technical", code: "HTTP-503", message: "SAP inbound unavailable" },
      },
    },
  ]);
  return (await db().exception.findFirstOrThrow({ where: { transaction: { messageId } } })).id;
}

/** A replay request (the answer must be one: GOODS_MOVEMENT requires approval). */
async function ask(user: Actor, exceptionId: string, input: unknown = {}) {
  const r = await requestReplay(user, exceptionId, input);
  if (r.kind !== "approval_requested") throw new Error(`expected a replay request, got ${r.kind}`);
  return r.request;
}

async function settled(id: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const e = await db().exception.findUniqueOrThrow({ where: { id } });
    if (["RESOLVED", "REPLAY_FAILED"].includes(e.status) || Date.now() > until) return e;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const statusOf = async (id: string) => (await db().exception.findUniqueOrThrow({ where: { id } })).status;
const requestOf = (id: string) => db().replayRequest.findUniqueOrThrow({ where: { id } });
/** The exception's audit events about asking, deciding and sending replays (other events are other files' business). */
const REPLAY_EVENTS = [
  "replay.approval_requested",
  "replay.approved",
  "replay.rejected",
  "replay.approval_refused",
  "replay.approval_withdrawn",
  "replay.requested",
  "replay.succeeded",
  "replay.failed",
];
const trail = async (id: string) =>
  (await db().auditEvent.findMany({ where: { subjectType: "exception", subjectId: id, type: { in: REPLAY_EVENTS } }, orderBy: { id: "asc" } })).map((a) => ({
    type: a.type,
    actor: a.actorLabel,
    data: a.data as Record<string, unknown>,
  }));
const storedPayloadHash = async (id: string) =>
  payloadHash((await db().exception.findUniqueOrThrow({ where: { id }, include: { transaction: true } })).transaction.payload);

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  await setReplayApproval(true); // as seeded (a file before this one may have switched it off)
  sap = await startSapEmulator({ port: 0 });
  push = await startReplayPushServer({ secret, handler: sapReplayHandler(sap.url) });
  await db().connector.updateMany({
    where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } },
    data: { replayUrl: push.url, replaySecret: secret, replayAllowPrivate: true, replayFailures: 0, replayPausedUntil: null },
  });
  workers = await startWorkers(inject("databaseUrl"));
  const load = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  [operator, approver, admin] = [await load("operator@andon.local"), await load("approver@andon.local"), await load("admin@andon.local")];
  const mk = async (name: string, plants: string[]) =>
    (await loadPrincipal(
      (
        await createUser(admin, { email: `${name}.${tag}@andon.local`, name: `Temp ${name}`, role: "APPROVER", plants, password: "correct horse battery" })
      ).id,
    ))!;
  approver2 = await mk("approver2", ["DE-HAM"]);
  approverClt = await mk("approver-clt", ["US-CLT"]);
});

afterAll(async () => {
  await workers?.stop();
  await push?.close();
  await sap?.close();
});

describe("replays that need a second person (GOODS_MOVEMENT requires approval)", () => {
  it("an operator's as-is replay of a technical failure is a request naming the payload: no replay, no job; the exception awaits approval", async () => {
    const id = await failure();
    const request = await ask(operator, id);
    const hash = await storedPayloadHash(id);
    expect(request).toMatchObject({
      status: "REQUESTED",
      requestedById: operator.id,
      payloadHash: hash,
      correctionId: null,
      exceptionStatusFrom: "NEW",
      second: false,
    });
    expect(await db().replay.count({ where: { exceptionId: id } })).toBe(0);
    expect(await statusOf(id)).toBe("AWAITING_APPROVAL");
    expect(await trail(id)).toEqual([
      {
        type: "replay.approval_requested",
        actor: operator.email,
        data: expect.objectContaining({ replayRequestId: request.id, payloadHash: hash, asIs: true, statusFrom: "NEW" }),
      },
    ]);
    // Asking again while it waits is refused; the approvers see it with the hash an approval must name.
    await expect(requestReplay(operator, id, {})).rejects.toMatchObject({ status: 409, code: "replay_approval_pending" });
    const listed = (await pendingReplayApprovals(approver)).find((p) => p.id === request.id);
    expect(listed).toMatchObject({ exceptionId: id, payloadHash: request.payloadHash, asIs: true, ownRequest: false, requester: { id: operator.id } });
    await expect(pendingReplayApprovals(operator)).rejects.toMatchObject({ status: 403 });
  });

  it("nobody approves their own request, and an operator approves none: 403, audited; the database refuses a self-approval too", async () => {
    const id = await failure();
    const own = await ask(approver, id);
    await expect(approveReplayRequest(approver, own.id, { payloadHash: own.payloadHash })).rejects.toMatchObject({
      status: 403,
      message: /your own replay request/,
    });
    await expect(rejectReplayRequest(approver, own.id, { comment: "my own, rejected" })).rejects.toMatchObject({ status: 403 });
    await expect(approveReplayRequest(operator, own.id, { payloadHash: own.payloadHash })).rejects.toMatchObject({ status: 403, message: /Only approvers/ });
    const refusals = (await trail(id)).filter((e) => e.type === "replay.approval_refused");
    expect(refusals.map((r) => [r.actor, r.data.reason])).toEqual([
      [approver.email, "self_approval"],
      [approver.email, "self_approval"],
      [operator.email, "role"],
    ]);
    expect((await pendingReplayApprovals(approver)).find((p) => p.id === own.id)).toMatchObject({ ownRequest: true });
    await expect(pool().query("UPDATE replay_request SET approver_id = requested_by_id WHERE id = $1", [own.id])).rejects.toThrow(/replay_request_four_eyes/);
    expect(await requestOf(own.id)).toMatchObject({ status: "REQUESTED", approverId: null });
    expect(await db().replay.count({ where: { exceptionId: id } })).toBe(0);
  });

  it("a second approver approves with the reviewed hash: the replay is queued with it, reaches SAP once, and the history names both people; a wrong hash is 409", async () => {
    const id = await failure(idoc("2"));
    const request = await ask(operator, id);
    await expect(approveReplayRequest(approver, request.id, { payloadHash: "0".repeat(64) })).rejects.toMatchObject({ status: 409, code: "payload_changed" });
    await expect(approveReplayRequest(approver, request.id, { payloadHash: "not-a-hash" })).rejects.toThrow(/SHA-256/);
    expect(await requestOf(request.id)).toMatchObject({ status: "REQUESTED" });

    const approved = await approveReplayRequest(approver, request.id, { payloadHash: request.payloadHash, comment: "SAP is back; send it." });
    expect(approved).toMatchObject({ status: "APPROVED", approverId: approver.id, decisionComment: "SAP is back; send it." });
    const replay = await db().replay.findUniqueOrThrow({ where: { id: approved.replayId! } });
    expect(replay).toMatchObject({ exceptionId: id, requestedById: operator.id, correctionId: null, mode: "push" });
    expect(payloadHash(replay.payload)).toBe(request.payloadHash);
    const { rows: jobs } = await pool().query("SELECT 1 FROM pgboss.job WHERE name = 'replay.deliver' AND data->>'replayId' = $1", [replay.id]);
    expect(jobs).toHaveLength(1);
    expect((await settled(id)).status).toBe("RESOLVED");
    expect(sap.applications(replay.idempotencyKey)).toBe(1);
    await expect(approveReplayRequest(approver2, request.id, { payloadHash: request.payloadHash })).rejects.toMatchObject({
      status: 409,
      code: "invalid_transition",
    });

    const history = await trail(id);
    expect(history.map((e) => [e.type, e.actor])).toEqual([
      ["replay.approval_requested", operator.email],
      ["replay.approved", approver.email],
      ["replay.succeeded", "andon replay"],
    ]);
    expect(history[1]!.data).toMatchObject({
      replayRequestId: request.id,
      requestedById: operator.id,
      payloadHash: request.payloadHash,
      replayId: replay.id,
      idempotencyKey: replay.idempotencyKey,
    });

    // Sending it a second time needs a reason and a second person too; the resolved exception stays resolved meanwhile.
    await expect(requestReplay(operator, id, {})).rejects.toMatchObject({ status: 400, code: "reason_required" });
    const again = await ask(operator, id, { reason: "SAP restored from a backup: the posting was lost" });
    expect(again).toMatchObject({ second: true, exceptionStatusFrom: "RESOLVED", reason: "SAP restored from a backup: the posting was lost" });
    expect(await statusOf(id)).toBe("RESOLVED");
    sap.reset(); // the restore: the first posting is gone
    const second = await approveReplayRequest(approver2, again.id, { payloadHash: again.payloadHash });
    expect((await settled(id)).status).toBe("RESOLVED");
    const secondReplay = await db().replay.findUniqueOrThrow({ where: { id: second.replayId! } });
    expect(secondReplay).toMatchObject({ reason: "SAP restored from a backup: the posting was lost", status: "SUCCEEDED" });
    expect(secondReplay.idempotencyKey).not.toBe(replay.idempotencyKey);
  }, 60_000);

  it("a request whose payload changed since (a correction approved after it) cannot be approved with the old hash: it is withdrawn; the approved correction replays on its own approval", async () => {
    const id = await failure(idoc("512"));
    const request = await ask(operator, id);
    const { correction } = await saveCorrection(operator, id, { payload: idoc("5") });
    await submitCorrection(operator, correction.id, { reason: "Only five pieces are on stock right now." });
    await approveCorrection(approver, correction.id, { payloadHash: correction.payloadHash });
    await expect(approveReplayRequest(approver2, request.id, { payloadHash: request.payloadHash })).rejects.toMatchObject({
      status: 409,
      code: "payload_changed",
    });
    expect(await requestOf(request.id)).toMatchObject({ status: "WITHDRAWN", approverId: null });
    expect((await trail(id)).filter((e) => e.type === "replay.approval_withdrawn").map((e) => e.data.why)).toEqual(["payload_changed"]);
    expect((await pendingReplayApprovals(approver)).some((p) => p.id === request.id)).toBe(false);
    // The correction's approver is the second person of that payload's first delivery.
    const r = await requestReplay(operator, id, {});
    expect(r.kind).toBe("queued");
    if (r.kind === "queued") expect(r.replay).toMatchObject({ correctionId: correction.id });
    expect((await settled(id)).status).toBe("RESOLVED");
  }, 40_000);

  it("a rejection sends nothing and gives the exception back the status it had; the requester may ask again", async () => {
    const id = await failure();
    const request = await ask(operator, id);
    await expect(rejectReplayRequest(approver, request.id, { comment: "no" })).rejects.toThrow(/Say why/);
    const rejected = await rejectReplayRequest(approver, request.id, { comment: "Check the stock with the planner first." });
    expect(rejected).toMatchObject({ status: "REJECTED", approverId: approver.id, replayId: null });
    expect(await statusOf(id)).toBe("NEW");
    expect(await db().replay.count({ where: { exceptionId: id } })).toBe(0);
    expect((await trail(id)).map((e) => [e.type, e.actor])).toEqual([
      ["replay.approval_requested", operator.email],
      ["replay.rejected", approver.email],
    ]);
    const again = await ask(operator, id);
    expect(again.id).not.toBe(request.id);
    await expect(approveReplayRequest(approver, request.id, { payloadHash: request.payloadHash })).rejects.toMatchObject({ status: 409 });
  });

  it("a request whose requester lost the right is withdrawn, not approved; an approver of another plant does not see it (404)", async () => {
    const temp = await createUser(admin, {
      email: `operator.tmp.${tag}@andon.local`,
      name: "Temp Operator",
      role: "OPERATOR",
      plants: ["DE-HAM"],
      password: "correct horse battery",
    });
    const id = await failure();
    const request = await ask((await loadPrincipal(temp.id))!, id);
    await expect(approveReplayRequest(approverClt, request.id, { payloadHash: request.payloadHash })).rejects.toMatchObject({ status: 404 });
    expect((await pendingReplayApprovals(approverClt)).some((p) => p.id === request.id)).toBe(false);
    await updateUser(admin, temp.id, { plants: ["US-CLT"] });
    await expect(approveReplayRequest(approver, request.id, { payloadHash: request.payloadHash })).rejects.toMatchObject({
      status: 409,
      code: "requester_lost_rights",
    });
    expect(await requestOf(request.id)).toMatchObject({ status: "WITHDRAWN" });
    expect(await db().replay.count({ where: { exceptionId: id } })).toBe(0);
  });

  it("two approvals of one request at once make one replay", async () => {
    const id = await failure();
    const request = await ask(operator, id);
    const results = await Promise.allSettled([
      approveReplayRequest(approver, request.id, { payloadHash: request.payloadHash }),
      approveReplayRequest(approver2, request.id, { payloadHash: request.payloadHash }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason).toMatchObject({ status: 409 });
    expect(await db().replay.count({ where: { exceptionId: id } })).toBe(1);
    expect((await trail(id)).filter((e) => e.type === "replay.approved")).toHaveLength(1);
    expect((await settled(id)).status).toBe("RESOLVED");
  }, 40_000);

  it("bulk REPLAY on such an interface asks for one approval per exception and queues nothing", async () => {
    const ids = [await failure(), await failure(), await failure()];
    const op = await startBulk(approver, { kind: "REPLAY", selection: { ids } });
    for (let until = Date.now() + 30_000; (await getBulk(approver, op.id)).status !== "COMPLETED" && Date.now() < until; )
      await new Promise((r) => setTimeout(r, 200));
    expect(await getBulk(approver, op.id)).toMatchObject({ status: "COMPLETED", done: 3, skipped: 0, failed: 0 });
    expect(await db().replay.count({ where: { exceptionId: { in: ids } } })).toBe(0);
    const requests = await db().replayRequest.findMany({ where: { exceptionId: { in: ids } } });
    expect(requests.map((r) => [r.status, r.requestedById])).toEqual(ids.map(() => ["REQUESTED", approver.id]));
    const events = await db().auditEvent.findMany({ where: { type: "replay.approval_requested", subjectId: { in: ids } } });
    expect(events.map((e) => (e.data as { bulkId?: string }).bulkId)).toEqual(ids.map(() => op.id));
    // The approvals page lists them beside corrections: the bulk's author may not approve them, another approver may.
    expect((await pendingReplayApprovals(approver)).filter((p) => ids.includes(p.exceptionId)).every((p) => p.ownRequest)).toBe(true);
    const theirs = (await pendingReplayApprovals(approver2)).filter((p) => ids.includes(p.exceptionId));
    expect(theirs).toHaveLength(3);
    await approveReplayRequest(approver2, theirs[0]!.id, { payloadHash: theirs[0]!.payloadHash });
    expect((await settled(theirs[0]!.exceptionId)).status).toBe("RESOLVED");
  }, 60_000);

  it("an approval that lapses before the worker sends the replay (approver deactivated) is withdrawn and asked again; nothing reaches SAP", async () => {
    const temp = (await loadPrincipal(
      (
        await createUser(admin, {
          email: `lapse.${tag}@andon.local`,
          name: "Temp lapse",
          role: "APPROVER",
          plants: ["DE-HAM"],
          password: "correct horse battery",
        })
      ).id,
    ))!;
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } } });
    // The target is paused, so the approved replay waits in the queue while its approver is deactivated.
    await db().connector.update({ where: { id: c.id }, data: { replayPausedUntil: new Date(Date.now() + 2500) } });
    try {
      const id = await failure();
      const request = await ask(operator, id);
      const approved = await approveReplayRequest(temp, request.id, { payloadHash: request.payloadHash });
      const replay = await db().replay.findUniqueOrThrow({ where: { id: approved.replayId! } });
      await updateUser(admin, temp.id, { active: false });
      for (let until = Date.now() + 30_000; (await statusOf(id)) !== "AWAITING_APPROVAL" && Date.now() < until; ) await new Promise((r) => setTimeout(r, 200));
      expect(await statusOf(id)).toBe("AWAITING_APPROVAL");
      expect((await db().replay.findUniqueOrThrow({ where: { id: replay.id } })).status).toBe("CANCELLED");
      expect(sap.applications(replay.idempotencyKey)).toBe(0);
      expect((await requestOf(request.id)).status).toBe("WITHDRAWN");
      // The same request is asked again, for another approver, who can approve it.
      const again = await db().replayRequest.findFirstOrThrow({ where: { exceptionId: id, status: "REQUESTED" } });
      expect(again).toMatchObject({ payloadHash: request.payloadHash, requestedById: operator.id });
      expect((await pendingReplayApprovals(approver)).some((p) => p.id === again.id)).toBe(true);
      expect((await trail(id)).map((t) => t.type).slice(-2)).toEqual(["replay.approval_withdrawn", "replay.approval_requested"]);
    } finally {
      await db().connector.update({ where: { id: c.id }, data: { replayPausedUntil: null, replayFailures: 0 } });
    }
  }, 45_000);
});

describe("what the exception page and the approvers see (issue 17)", () => {
  it("an approver reads a replay request's key fields and the error beside it; the requester is not offered their own; the requester hears of the decision", async () => {
    const emitted: { room: string; event: string; payload: unknown }[] = [];
    setIo({ to: (room: string) => ({ emit: (event: string, payload: unknown) => emitted.push({ room, event, payload }) }) } as never);
    try {
      const id = await failure(idoc("3"));
      const request = await ask(approver, id);
      const own = (await pendingReplayApprovals(approver)).find((p) => p.id === request.id)!;
      expect(own).toMatchObject({ ownRequest: true, allowed: { decide: false } });
      const theirs = (await pendingReplayApprovals(approver2)).find((p) => p.id === request.id)!;
      expect(theirs).toMatchObject({ ownRequest: false, allowed: { decide: true } });
      expect(Object.fromEntries(theirs.keyFields.map((f) => [f.label, f.after]))).toMatchObject({
        Material: "RM-4711",
        Plant: "1000",
        Quantity: "3 PC",
        Order: "000001004711",
        Batch: null,
      });
      expect(theirs.error).toMatchObject({ source: "reported", code: "HTTP-503", text: "SAP inbound unavailable" });
      await approveReplayRequest(approver2, request.id, { payloadHash: request.payloadHash });
      expect(emitted.filter((e) => e.room === `user:${approver.id}`).map((e) => [e.event, (e.payload as { decision: string }).decision])).toEqual([
        ["replay_request.decided", "APPROVED"],
      ]);
      expect((await settled(id)).status).toBe("RESOLVED");
    } finally {
      setIo(undefined);
    }
  }, 40_000);

  it("after SAP refuses the approved correction, the page leads with SAP's error and the next step (correct), and the same replay is offered only with a reason", async () => {
    const id = await failure(idoc("1"));
    const { correction } = await saveCorrection(operator, id, { payload: idoc("99999") });
    await submitCorrection(operator, correction.id, { reason: "Issue the whole order at once, as planned." });
    await approveCorrection(approver, correction.id, { payloadHash: correction.payloadHash });
    const before = (await exceptionPage(operator, id))!;
    expect(before.nextStep.action).toBe("replay");
    expect(before.allowed.replay).toBe(true);
    const r = await requestReplay(operator, id, {});
    expect(r.kind).toBe("queued");
    expect((await settled(id)).status).toBe("REPLAY_FAILED");

    const page = (await exceptionPage(operator, id))!;
    // The error that stands now is SAP's answer to the replay, not the 503 reported first.
    expect(page.detail.currentError).toMatchObject({ source: "replay", category: "business", code: "M7-021" });
    expect(page.detail.currentError.text).toMatch(/^SAP ERP refused the message: .*Deficit/);
    expect(page.detail.errorCode).toBe("HTTP-503");
    // Sending the refused payload unchanged is not the next step: correcting is; resending needs a reason.
    expect(page.nextStep.action).toBe("correct");
    expect(page.nextStep.text).toMatch(/SAP ERP refused the corrected message/);
    expect(page.allowed.replay).toBe(false);
    expect(page.allowed.replayAgain).toBe(true);
    expect(page.replayAgain).toBe("refused");
    // The attempt reads as one sentence: who answered what.
    const attempt = page.detail.replays[0]!.attempts.at(-1)!;
    expect(attempt.text).toMatch(/^SAP ERP refused the message: .*\(SAP ERP message M7-021\)$/);
    expect(attempt.category).toBe("business");

    // The server holds the same rule as the page: unchanged, the refused payload goes again only with a reason
    // (a bulk replay or an API client is refused the same way), and the audit names the refused replay.
    await expect(requestReplay(operator, id, {})).rejects.toMatchObject({ status: 400, code: "reason_required" });
    expect((await db().exception.findUniqueOrThrow({ where: { id } })).status).toBe("REPLAY_FAILED");
    const again = await requestReplay(operator, id, { reason: "Stock was posted in SAP meanwhile (goods receipt 5000012)." });
    expect(again.kind).toBe("queued");
    const requested = (await trail(id)).filter((e) => e.type === "replay.requested").at(-1)!;
    expect(requested.data).toMatchObject({ refusedBefore: page.detail.currentError.replay!.id, secondReplayReason: expect.stringContaining("goods receipt") });
    await settled(id);
  }, 40_000);
});
