import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type SapEmulator, sapReplayHandler, startSapEmulator } from "../../connectors/sap";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { CHAIN_LOCK_KEY, verifyChain } from "../../server/audit";
import { db, pool } from "../../server/db";
import { autoReplayReleased } from "../../server/dependencies/auto-replay";
import { exceptionDetail } from "../../server/exceptions/detail";
import { listExceptions, parseQueueFilter } from "../../server/exceptions/queue";
import { getBulk } from "../../server/exceptions/bulk-views";
import { startBulk } from "../../server/exceptions/start-bulk";
import { AppError } from "../../server/http/errors";
import { createUser } from "../../server/admin/users";
import { approveReplayRequest } from "../../server/replay/approve-replay-request";
import { requestReplay } from "../../server/replay/request-replay";
import { type Workers, startWorkers } from "../../server/workers";
import { addRef, reportDelivered, reportFailure, until } from "../support/dependencies";
import { LOT, goodsIssue, qualityHold } from "../support/quality-hold";
import { setReplayApproval } from "../support/replay-approval";
import { type Actor, actor, pushEndpoint } from "../support/replay-flow";

/**
 * Replay in dependency order (issue 20), through the real replay path, pg-boss workers, the SDK's signed
 * push endpoint and the SAP emulator. The seeded catalog says QUALITY_HOLD → GOODS_MOVEMENT on the lot.
 * Typed references are written to business_ref as the ingest writes them.
 */
const RUN = randomUUID().slice(0, 6);
let sap: SapEmulator;
let workers: Workers;
let operator: Actor;
let approver: Actor;
const cleanups: (() => Promise<void>)[] = [];

const holdFailure = (lot: string, payload: unknown = qualityHold("RELEASE"), plant = "DE-HAM") =>
  reportFailure({
    plant,
    iface: "QUALITY_HOLD",
    source: plant === "DE-HAM" ? "QMS" : "LIMS",
    target: "SAP_ERP",
    category: "technical",
    payload,
    refs: [["LOT", lot]],
  });
const gmFailure = (lot: string, payload: unknown = goodsIssue("5", `GI-${RUN}`), occurredAt?: Date) =>
  reportFailure({
    plant: "DE-HAM",
    iface: "GOODS_MOVEMENT",
    source: "ODOO",
    target: "SAP_ERP",
    category: "technical",
    payload,
    refs: [["LOT", lot]],
    occurredAt,
  });

/** The QMS's hold of lot L, delivered straight to SAP (not through Andon): the batch moves to blocked stock. */
async function holdInSap(key: string) {
  const job = { replayId: randomUUID(), idempotencyKey: key, plantCode: "DE-HAM", interface: "QUALITY_HOLD", messageId: key, correlationId: randomUUID() };
  expect((await sapReplayHandler(sap.url).deliver({ ...job, payload: qualityHold("HOLD"), attempt: 1 })).status).toBe("delivered");
  expect(sap.stockOf(LOT, "07")).toBeGreaterThan(0);
}

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message, details: err.details };
    if ((err as { name?: string }).name === "ZodError") return { status: 400, code: "invalid_request", message: String(err), details: null };
    throw err;
  }
  throw new Error("expected a refusal");
};

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  await setReplayApproval(false); // GOODS_MOVEMENT replays go without a second person here, except where a test says otherwise
  [operator, approver] = [await actor("operator@andon.local"), await actor("approver@andon.local")];
  sap = await startSapEmulator({ port: 0 });
  cleanups.push(() => sap.close());
  const endpoint = await pushEndpoint("SAP_ERP", ["DE-HAM"], sapReplayHandler(sap.url, { timeoutMs: 10_000 }));
  cleanups.push(() => endpoint.restore());
  workers = await startWorkers(inject("databaseUrl"));
});

afterAll(async () => {
  await workers?.stop();
  await setReplayApproval(true);
  await db().interface.updateMany({ data: { autoReplayOnRelease: false } });
  for (const c of cleanups.reverse()) await c();
});

describe("blocked by / blocks", () => {
  it("links open exceptions of a prerequisite on the same lot at the same plant, both ways, and nothing else", async () => {
    const lot = `L-${RUN}-A`;
    const h = await holdFailure(lot);
    const g1 = await gmFailure(lot);
    const g2 = await gmFailure(lot);
    const other = await gmFailure(`L-${RUN}-OTHER`);
    // The same lot number at another plant is another lot.
    const elsewhere = await holdFailure(lot, qualityHold("RELEASE"), "PL-WRO");

    const d1 = (await exceptionDetail(operator, g1.exceptionId))!;
    expect(d1.blockedBy.map((b) => [b.id, b.interfaceCode, b.messageId, b.refs])).toEqual([
      [h.exceptionId, "QUALITY_HOLD", h.messageId, [{ kind: "LOT", value: lot }]],
    ]);
    expect(d1.blocks).toEqual([]);
    const dh = (await exceptionDetail(operator, h.exceptionId))!;
    expect(dh.blockedBy).toEqual([]);
    expect(dh.blocks.map((b) => b.id).sort()).toEqual([g1.exceptionId, g2.exceptionId].sort());
    expect((await exceptionDetail(operator, other.exceptionId))!.blockedBy).toEqual([]);
    expect((await exceptionDetail(operator, elsewhere.exceptionId))!.blocks).toEqual([]);
    // The queue says so per row: the goods issues wait on the hold, nothing else waits.
    const waitingOn = async (x: { messageId: string }) =>
      (await listExceptions(operator, parseQueueFilter({ q: x.messageId, status: "all" }))).items.map((i) => i.waitingOn);
    expect(await Promise.all([g1, g2, h, other].map(waitingOn))).toEqual([[1], [1], [0], [0]]);

    // A dependency switched off blocks nothing.
    const dep = await db().interfaceDependency.findFirstOrThrow({
      where: { refKind: "LOT", prerequisiteInterfaceId: (await db().interface.findUniqueOrThrow({ where: { code: "QUALITY_HOLD" } })).id },
    });
    await db().interfaceDependency.update({ where: { id: dep.id }, data: { enabled: false } });
    expect((await exceptionDetail(operator, g1.exceptionId))!.blockedBy).toEqual([]);
    await db().interfaceDependency.update({ where: { id: dep.id }, data: { enabled: true } });
    // Qualifiers (a BOM's revision, an order's operation…) must agree when both messages carry one.
    const order = `O-${RUN}`;
    const fail = (iface: string, source: "SAP_ERP" | "MES", target: "SAP_ERP" | "MES") =>
      reportFailure({ plant: "DE-HAM", iface, source, target, category: "technical", payload: { order } });
    const confirm = await fail("PRODORD_CONFIRM", "MES", "SAP_ERP");
    await addRef(confirm.exceptionId, "PRODUCTION_ORDER", order, "0010");
    const otherOperation = await fail("PRODORD_RELEASE", "SAP_ERP", "MES");
    await addRef(otherOperation.exceptionId, "PRODUCTION_ORDER", order, "0020");
    expect((await exceptionDetail(operator, confirm.exceptionId))!.blockedBy).toEqual([]);
    const wholeOrder = await fail("PRODORD_RELEASE", "SAP_ERP", "MES");
    await addRef(wholeOrder.exceptionId, "PRODUCTION_ORDER", order);
    expect((await exceptionDetail(operator, confirm.exceptionId))!.blockedBy.map((b) => b.id)).toEqual([wholeOrder.exceptionId]);
  });
});

describe("replay refused while blocked", () => {
  it("refuses a single replay and a replay request with the blockers named; only an approver may override, with a reason, audited", async () => {
    const lot = `L-${RUN}-B`;
    const h = await holdFailure(lot);
    const g = await gmFailure(lot);
    const refused = await refusal(requestReplay(operator, g.exceptionId, {}));
    expect(refused).toMatchObject({ status: 409, code: "blocked_by_prerequisite" });
    expect(refused.message).toContain(`QUALITY_HOLD ${h.messageId} (lot ${lot})`);
    expect(refused.details).toEqual({
      blockedBy: [{ exceptionId: h.exceptionId, interfaceCode: "QUALITY_HOLD", messageId: h.messageId, refs: [{ kind: "LOT", value: lot }] }],
    });
    expect(await db().exception.findUniqueOrThrow({ where: { id: g.exceptionId } })).toMatchObject({ status: "NEW" });
    expect(await db().replay.count({ where: { exceptionId: g.exceptionId } })).toBe(0);

    // Where a replay needs a second person, the request is refused the same way.
    await setReplayApproval(true);
    expect(await refusal(requestReplay(operator, g.exceptionId, {}))).toMatchObject({ status: 409, code: "blocked_by_prerequisite" });
    expect(await db().replayRequest.count({ where: { exceptionId: g.exceptionId } })).toBe(0);
    await setReplayApproval(false);

    // Overrides: not for operators, not without a real reason.
    expect(await refusal(requestReplay(operator, g.exceptionId, { blockOverrideReason: "Line stops in 10 minutes without it" }))).toMatchObject({
      status: 403,
    });
    expect((await refusal(requestReplay(approver, g.exceptionId, { blockOverrideReason: "now" }))).status).toBe(400);
    const overridden = await requestReplay(approver, g.exceptionId, { blockOverrideReason: "Hold was lifted by phone, QMS message follows" });
    expect(overridden.kind).toBe("queued");
    const event = await db().auditEvent.findFirstOrThrow({ where: { type: "replay.requested", subjectId: g.exceptionId } });
    expect(event.actorLabel).toBe(approver.email);
    expect(event.data).toMatchObject({ blockOverrideReason: "Hold was lifted by phone, QMS message follows", blockedBy: [h.exceptionId] });
  });

  it("where a replay needs a second person: an approver's override is the request's reason, and the approving approver must give their own", async () => {
    const lot = `L-${RUN}-B2`;
    const h = await holdFailure(lot);
    const g = await gmFailure(lot);
    const admin = await actor("admin@andon.local");
    const second = await createUser(admin, {
      email: `approver2.${RUN}@andon.local`,
      name: "Second Approver",
      role: "APPROVER",
      plants: ["DE-HAM"],
      password: "correct horse battery",
    });
    const approver2 = await actor(second.email);
    await setReplayApproval(true);
    try {
      const asked = await requestReplay(approver, g.exceptionId, { blockOverrideReason: "Lot released by QA on the floor, QMS is down" });
      if (asked.kind !== "approval_requested") throw new Error("expected a replay request");
      expect(asked.request.reason).toBe("Prerequisite override: Lot released by QA on the floor, QMS is down");
      // Still blocked at approval: the approver must override too.
      expect(await refusal(approveReplayRequest(approver2, asked.request.id, { payloadHash: asked.request.payloadHash }))).toMatchObject({
        status: 409,
        code: "blocked_by_prerequisite",
      });
      expect((await db().replayRequest.findUniqueOrThrow({ where: { id: asked.request.id } })).status).toBe("REQUESTED");
      const approved = await approveReplayRequest(approver2, asked.request.id, {
        payloadHash: asked.request.payloadHash,
        blockOverrideReason: "Confirmed with QA: the lot is usable",
      });
      expect(approved.status).toBe("APPROVED");
      const event = await db().auditEvent.findFirstOrThrow({ where: { type: "replay.approved", subjectId: g.exceptionId } });
      expect(event.data).toMatchObject({ comment: "Prerequisite override: Confirmed with QA: the lot is usable" });
      expect((await db().exception.findUniqueOrThrow({ where: { id: h.exceptionId } })).status).toBe("NEW");
    } finally {
      await setReplayApproval(false);
    }
  });

  it("a bulk replay skips a blocked item with the reason", async () => {
    const lot = `L-${RUN}-C`;
    const h = await holdFailure(lot);
    const g = await gmFailure(lot);
    const bulk = await startBulk(approver, { kind: "REPLAY", selection: { ids: [g.exceptionId] }, params: {} });
    const done = await until(
      () => getBulk(approver, bulk.id),
      (b) => ["COMPLETED", "FAILED", "CANCELLED"].includes(b.status),
    );
    expect(done).toMatchObject({ status: "COMPLETED", skipped: 1, done: 0 });
    const item = await db().bulkOperationItem.findFirstOrThrow({ where: { bulkId: bulk.id } });
    expect(item.status).toBe("SKIPPED");
    expect(item.message).toContain(`QUALITY_HOLD ${h.messageId}`);
    expect(await db().replay.count({ where: { exceptionId: g.exceptionId } })).toBe(0);
  });

  it("a blocker that opens while the replay is being queued does not slip through (its transaction holds the audit chain when the replay checks)", async () => {
    const lot = `L-${RUN}-D`;
    const g = await gmFailure(lot);
    // The prerequisite's failure, so far about another lot: it blocks nothing yet.
    const h = await holdFailure(`L-${RUN}-D-before`);
    const hx = await db().exception.findUniqueOrThrow({ where: { id: h.exceptionId } });
    // A concurrent ingest batch: it writes the hold's reference to lot D and, as ingest does last, appends its audit under the chain lock…
    const blocker = await pool().connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query(
        `INSERT INTO business_ref (transaction_id, kind, value, qualifier, plant_id, interface_id, first_seen_at) VALUES ($1, 'LOT', $2, '', $3, $4, now())`,
        [hx.transactionId, lot, hx.plantId, hx.interfaceId],
      );
      await blocker.query("SELECT pg_advisory_xact_lock($1::bigint)", [CHAIN_LOCK_KEY]);
      // …while the operator replays the movement: the replay waits for the chain…
      const replay = refusal(requestReplay(operator, g.exceptionId, {}));
      await until(
        async () =>
          (await pool().query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1::bigint", [CHAIN_LOCK_KEY]))
            .rows[0].n as number,
        (n) => n > 0,
      );
      // …and the batch commits: the replay reads the blocker and is refused.
      await blocker.query("COMMIT");
      expect(await replay).toMatchObject({ status: 409, code: "blocked_by_prerequisite" });
    } finally {
      blocker.release();
    }
    expect(await db().replay.count({ where: { exceptionId: g.exceptionId } })).toBe(0);
    expect((await db().exception.findUniqueOrThrow({ where: { id: g.exceptionId } })).status).toBe("NEW");
  });
});

describe("release on delivery", () => {
  it("recovered at source: the dependents are released in the resolution's transaction, audited; not replayed where the interface does not auto-replay", async () => {
    const lot = `L-${RUN}-E`;
    const h = await holdFailure(lot);
    const g1 = await gmFailure(lot);
    const h2 = await holdFailure(lot);
    const g2 = await gmFailure(`L-${RUN}-E2`);
    await addRef(g2.exceptionId, "LOT", lot);
    // Two holds on the lot: delivering one releases nothing yet.
    await reportDelivered("DE-HAM", "QUALITY_HOLD", "QMS", "SAP_ERP", h.messageId);
    expect((await db().exception.findUniqueOrThrow({ where: { id: h.exceptionId } })).status).toBe("RESOLVED");
    expect(await db().auditEvent.count({ where: { type: "exception.released", subjectId: { in: [g1.exceptionId, g2.exceptionId] } } })).toBe(0);
    expect((await exceptionDetail(operator, g1.exceptionId))!.blockedBy.map((b) => b.id)).toEqual([h2.exceptionId]);
    await reportDelivered("DE-HAM", "QUALITY_HOLD", "QMS", "SAP_ERP", h2.messageId);
    const released = await db().auditEvent.findMany({ where: { type: "exception.released", subjectId: { in: [g1.exceptionId, g2.exceptionId] } } });
    expect(released).toHaveLength(2);
    for (const r of released) {
      expect(r.actorLabel).toBe("andon dependencies");
      expect(r.data).toMatchObject({ interfaceCode: "GOODS_MOVEMENT", releasedBy: [h2.exceptionId], refs: [{ kind: "LOT", value: lot }], autoReplay: false });
    }
    // The release's event directly follows the resolution's in the chain (same transaction).
    const resolvedEvent = await db().auditEvent.findFirstOrThrow({ where: { type: "exception.resolved", subjectId: h2.exceptionId } });
    expect(released.every((r) => r.id > resolvedEvent.id)).toBe(true);
    expect((await exceptionDetail(operator, g1.exceptionId))!.blockedBy).toEqual([]);
    expect(await db().replay.count({ where: { exceptionId: { in: [g1.exceptionId, g2.exceptionId] } } })).toBe(0);
    expect((await verifyChain()).ok).toBe(true);
  });

  it("an interface that requires approval never auto-replays without one", async () => {
    const lot = `L-${RUN}-F`;
    await gmFailure(lot);
    const g = await gmFailure(lot);
    await db().interface.update({ where: { code: "GOODS_MOVEMENT" }, data: { autoReplayOnRelease: true, requiresApproval: true } });
    try {
      const [r] = await autoReplayReleased([g.exceptionId]);
      expect(r).toMatchObject({ exceptionId: g.exceptionId, outcome: "skipped", why: "the interface requires a second person's approval of the replay" });
      expect(await db().replay.count({ where: { exceptionId: g.exceptionId } })).toBe(0);
    } finally {
      await db().interface.update({ where: { code: "GOODS_MOVEMENT" }, data: { autoReplayOnRelease: false, requiresApproval: false } });
    }
  });

  it("scenario 1: the hold's release is replayed; the two goods issues of the lot are released and replayed by Andon in order; SAP posts each once", async () => {
    await holdInSap(`hold-${RUN}`);
    await db().interface.update({ where: { code: "GOODS_MOVEMENT" }, data: { autoReplayOnRelease: true } });
    const lot = LOT.batch;
    const h = await holdFailure(lot, qualityHold("RELEASE"));
    const t0 = Date.now();
    const g1 = await gmFailure(lot, goodsIssue("7", `GI1-${RUN}`), new Date(t0 - 2000));
    const g2 = await gmFailure(lot, goodsIssue("3", `GI2-${RUN}`), new Date(t0 - 1000));
    for (const g of [g1, g2]) expect(await refusal(requestReplay(operator, g.exceptionId, {}))).toMatchObject({ code: "blocked_by_prerequisite" });

    const docsBefore = sap.materialDocuments().length;
    const replayed = await requestReplay(operator, h.exceptionId, {});
    expect(replayed.kind).toBe("queued");
    const resolved = await until(
      () => db().exception.findMany({ where: { id: { in: [h.exceptionId, g1.exceptionId, g2.exceptionId] } } }),
      (rows) => rows.every((r) => r.status === "RESOLVED"),
    );
    expect(resolved.map((r) => r.status)).toEqual(["RESOLVED", "RESOLVED", "RESOLVED"]);
    const released = await db().auditEvent.findMany({ where: { type: "exception.released", subjectId: { in: [g1.exceptionId, g2.exceptionId] } } });
    expect(released.map((r) => r.data)).toEqual(expect.arrayContaining([expect.objectContaining({ releasedBy: [h.exceptionId], autoReplay: true })]));
    const requested = await db().auditEvent.findMany({
      where: { type: "replay.requested", subjectId: { in: [g1.exceptionId, g2.exceptionId] } },
      orderBy: { id: "asc" },
    });
    expect(requested.map((r) => [r.subjectId, r.actorLabel])).toEqual([
      [g1.exceptionId, "andon dependencies"],
      [g2.exceptionId, "andon dependencies"],
    ]);
    const replays = await db().replay.findMany({ where: { exceptionId: { in: [g1.exceptionId, g2.exceptionId] } } });
    expect(replays).toHaveLength(2);
    for (const r of replays) expect(sap.applications(r.idempotencyKey)).toBe(1);
    const issues = sap
      .materialDocuments()
      .slice(docsBefore)
      .flatMap((d) => d.items.filter((i) => i.movementType === "261" && i.batch === LOT.batch).map((i) => i.quantity));
    // Queued in order; siblings of one depth may be delivered side by side (the target's concurrency): each once.
    expect(issues.sort((a, b) => a - b)).toEqual([3000, 7000]);
  });

  it("a goods issue SAP refused while the lot was on hold goes again unchanged only with a reason; after the release Andon sends it, the release being its reason", async () => {
    await holdInSap(`hold2-${RUN}`);
    const lot = LOT.batch;
    const h = await holdFailure(lot, qualityHold("RELEASE"));
    const g = await gmFailure(lot, goodsIssue("1", `GI3-${RUN}`));
    // An approver sends it although the hold is open: SAP refuses it (the batch's stock is blocked).
    await requestReplay(approver, g.exceptionId, { blockOverrideReason: "Production is waiting; trying before the hold is released." });
    const failed = await until(
      () => db().exception.findUniqueOrThrow({ where: { id: g.exceptionId } }),
      (e) => e.status === "REPLAY_FAILED",
    );
    expect(failed.status).toBe("REPLAY_FAILED");
    const detail = (await exceptionDetail(operator, g.exceptionId))!;
    expect(detail.currentError).toMatchObject({ source: "replay", category: "business", code: "M7/021" });
    // Unchanged, the refused payload goes again only with a reason.
    expect(await refusal(requestReplay(approver, g.exceptionId, { blockOverrideReason: "Trying again while the hold is still open." }))).toMatchObject({
      status: 400,
      code: "reason_required",
    });

    await requestReplay(operator, h.exceptionId, {});
    const resolved = await until(
      () => db().exception.findMany({ where: { id: { in: [h.exceptionId, g.exceptionId] } } }),
      (rows) => rows.every((r) => r.status === "RESOLVED"),
    );
    expect(resolved.map((r) => r.status)).toEqual(["RESOLVED", "RESOLVED"]);
    const requested = await db().auditEvent.findMany({ where: { type: "replay.requested", subjectId: g.exceptionId }, orderBy: { id: "asc" } });
    expect(requested.map((r) => r.actorLabel)).toEqual(["approver@andon.local", "andon dependencies"]);
    expect(requested[1]!.data).toMatchObject({ refusedBefore: detail.currentError.replay!.id, secondReplayReason: expect.stringMatching(/^Released: /) });
    const replays = await db().replay.findMany({ where: { exceptionId: g.exceptionId }, orderBy: { createdAt: "asc" } });
    expect(replays.map((r) => r.status)).toEqual(["FAILED", "SUCCEEDED"]);
    expect(sap.applications(replays[1]!.idempotencyKey)).toBe(1);
    expect((await verifyChain()).ok).toBe(true);
  });
});

describe("bulk replay order", () => {
  it("prerequisites first (by depth in the catalog), then first-seen time", async () => {
    const t = Date.now() - 60_000;
    const at = (s: number) => new Date(t + s * 1000);
    const items = [
      await reportFailure({
        plant: "DE-HAM",
        iface: "GOODS_MOVEMENT",
        source: "ODOO",
        target: "SAP_ERP",
        category: "technical",
        payload: { n: 1 },
        occurredAt: at(0),
      }),
      await reportFailure({
        plant: "DE-HAM",
        iface: "PRODORD_CONFIRM",
        source: "MES",
        target: "SAP_ERP",
        category: "technical",
        payload: { n: 2 },
        occurredAt: at(2),
      }),
      await reportFailure({
        plant: "DE-HAM",
        iface: "PRODORD_CONFIRM",
        source: "MES",
        target: "SAP_ERP",
        category: "technical",
        payload: { n: 3 },
        occurredAt: at(1),
      }),
      await reportFailure({
        plant: "DE-HAM",
        iface: "MATERIAL_MASTER",
        source: "SAP_ERP",
        target: "ODOO",
        category: "technical",
        payload: { n: 4 },
        occurredAt: at(4),
      }),
      await reportFailure({
        plant: "DE-HAM",
        iface: "MATERIAL_MASTER",
        source: "SAP_ERP",
        target: "ODOO",
        category: "technical",
        payload: { n: 5 },
        occurredAt: at(3),
      }),
    ];
    const bulk = await startBulk(approver, { kind: "REPLAY", selection: { ids: items.map((i) => i.exceptionId) }, params: {} });
    await until(
      () => getBulk(approver, bulk.id),
      (b) => ["COMPLETED", "FAILED", "CANCELLED"].includes(b.status),
    );
    const requested = await db().auditEvent.findMany({
      where: { type: "replay.requested", data: { path: ["bulkId"], equals: bulk.id } },
      orderBy: { id: "asc" },
    });
    const order = requested.map((r) => items.findIndex((i) => i.exceptionId === r.subjectId));
    expect(order).toEqual([4, 3, 2, 1, 0]);
  });
});
