import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type SapEmulator, sapReplayHandler, startSapEmulator } from "../../connectors/sap";
import type { ReplayHandler, ReplayJob } from "../../connectors/sdk";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { db } from "../../server/db";
import { requestReplay } from "../../server/replay/request-replay";
import { type Workers, startWorkers } from "../../server/workers";
import { type ConnectorReporter, connectorReporter } from "../support/in-process-portal";
import { LOT, ORDER, goodsIssue, qualityHold } from "../support/quality-hold";
import { setReplayApproval } from "../support/replay-approval";
import { type Actor, actor, approvedCorrection, attemptsOf, exceptionOf, pushEndpoint, replayApproved, settled } from "../support/replay-flow";

/**
 * SYSTEMS.md scenario 1, end to end (issue 18): the QMS holds lot L, SAP moves the batch to blocked
 * stock; Odoo's goods issue 261 of L to a production order is refused by SAP (M7 021, no
 * unrestricted-use stock of the batch) and reported by the Odoo connector through the SDK; Andon opens
 * an exception. Replayed while the hold stands, it fails again (business). The QMS releases the hold;
 * the replay — its payload approved by a second person, as GOODS_MOVEMENT requires — resolves the
 * exception and SAP posts the goods issue exactly once, also when its first answer is lost.
 */
process.env.ANDON_REPLAY_RETRY_DELAY_S = "1";

const RUN = randomUUID().slice(0, 8);

let sap: SapEmulator;
let sapConnector: ReplayHandler;
let qms: ConnectorReporter;
let odoo: ConnectorReporter;
let workers: Workers;
let operator: Actor;
let approver: Actor;
const cleanups: (() => Promise<void>)[] = [];

/** A delivery by a connector to SAP through the SAP connector's handler, with that connector's own key. */
const deliver = (iface: string, payload: unknown, idempotencyKey: string) => {
  const job: ReplayJob = {
    replayId: randomUUID(),
    idempotencyKey,
    plantCode: "DE-HAM",
    interface: iface,
    messageId: idempotencyKey,
    correlationId: randomUUID(),
    payload,
    attempt: 1,
  };
  return sapConnector.deliver(job);
};

const stock = () => ({ unrestricted: sap.stockOf(LOT, "01"), blocked: sap.stockOf(LOT, "07") });
/** SAP's goods issues (261) of lot L to the order. */
const issuesOfLot = () =>
  sap
    .materialDocuments()
    .flatMap((d) => d.items.map((i) => ({ doc: d.number, ...i })))
    .filter((i) => i.movementType === "261" && i.material === LOT.material && i.batch === LOT.batch);

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  await setReplayApproval(true); // GOODS_MOVEMENT as seeded (a file before this one may have switched it off)
  [operator, approver] = [await actor("operator@andon.local"), await actor("approver@andon.local")];
  sap = await startSapEmulator({ port: 0 });
  cleanups.push(() => sap.close());
  sapConnector = sapReplayHandler(sap.url, { timeoutMs: 10_000 });
  const endpoint = await pushEndpoint("SAP_ERP", ["DE-HAM"], sapConnector);
  cleanups.push(() => endpoint.restore());
  qms = await connectorReporter("DE-HAM", "QMS");
  odoo = await connectorReporter("DE-HAM", "ODOO");
  workers = await startWorkers(inject("databaseUrl"));
});

afterAll(async () => {
  await workers?.stop();
  await qms?.close();
  await odoo?.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe("scenario 1: quality hold vs goods issue of the held lot", () => {
  it("the goods issue of a held lot is refused, fails again while held, and posts exactly once after the release and an approved replay", async () => {
    const initial = stock();
    expect(initial).toEqual({ unrestricted: 400, blocked: 0 });

    // 1. The QMS holds lot L: SAP moves all of the batch's stock to blocked stock (344).
    const hold = await deliver("QUALITY_HOLD", qualityHold("HOLD", { inspectionLot: "010000004455" }), `qms-hold-${RUN}`);
    expect(hold).toMatchObject({ status: "delivered", response: { movements: [{ movementType: "344", quantity: 400 }] } });
    await qms.report({
      correlationId: randomUUID(),
      messageId: `QH-${RUN}-HOLD`,
      interface: "QUALITY_HOLD",
      hop: { source: "QMS", target: "SAP_ERP" },
      businessKey: LOT.batch,
      outcome: "delivered",
      latencyMs: 180,
      attempt: 1,
    });
    expect(stock()).toEqual({ unrestricted: 0, blocked: 400 });

    // 2. Odoo's goods issue of 25 KG of L: SAP refuses it (M7 021, no unrestricted-use stock of the batch).
    const refused = await deliver("GOODS_MOVEMENT", goodsIssue("25", `WH/MO/${RUN}`), `odoo-gi-${RUN}`);
    expect(refused).toMatchObject({
      status: "failed",
      category: "business",
      code: "M7/021",
      message: "Deficit of BA Unrestricted-use 25.000 KG : RM-0815 1000 0001 B2026-118",
    });
    if (refused.status !== "failed") throw new Error("SAP posted the goods issue of a blocked batch");
    const messageId = `GI-${RUN}`;
    await odoo.report({
      correlationId: randomUUID(),
      messageId,
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO", target: "SAP_ERP" },
      businessKey: ORDER,
      outcome: "failed",
      latencyMs: 240,
      attempt: 1,
      payload: goodsIssue("25", `WH/MO/${RUN}`),
      error: { category: refused.category, code: refused.code, message: refused.message, ...(refused.details ? { details: refused.details } : {}) },
    });
    const opened = await exceptionOf(messageId, "DE-HAM");
    expect(opened).toMatchObject({ status: "NEW", category: "BUSINESS", errorCode: "M7/021", hopSource: "ODOO", hopTarget: "SAP_ERP" });
    expect(opened.interface.requiresApproval).toBe(true);
    expect(issuesOfLot()).toEqual([]);

    // 3. Replayed while the hold stands: the operator issues only what the order needs now (20 KG), an
    //    approver approves the payload; SAP refuses it again — the batch is blocked, not short.
    const corrected = await approvedCorrection(operator, approver, opened.id, goodsIssue("20", `WH/MO/${RUN}`), "The order needs 20 KG of resin now, not 25.");
    expect(corrected.issues).toEqual([]);
    const first = await replayApproved(operator, approver, opened.id);
    expect(first.replay.correctionId).toBe(corrected.correctionId);
    const stillHeld = await settled(opened.id);
    expect(stillHeld.status).toBe("REPLAY_FAILED");
    expect((await attemptsOf(first.replay.id)).map((a) => [a.outcome, a.errorCode, a.errorMessage])).toEqual([
      ["failed", "M7/021", "Deficit of BA Unrestricted-use 20.000 KG : RM-0815 1000 0001 B2026-118"],
    ]);
    expect(stock()).toEqual({ unrestricted: 0, blocked: 400 });
    expect(issuesOfLot()).toEqual([]);

    // 4. The QMS releases the hold: SAP moves the batch back to unrestricted use (343).
    const release = await deliver("QUALITY_HOLD", qualityHold("RELEASE", { inspectionLot: "010000004455" }), `qms-release-${RUN}`);
    expect(release).toMatchObject({ status: "delivered", response: { movements: [{ movementType: "343", quantity: 400 }] } });
    await qms.report({
      correlationId: randomUUID(),
      messageId: `QH-${RUN}-RELEASE`,
      interface: "QUALITY_HOLD",
      hop: { source: "QMS", target: "SAP_ERP" },
      businessKey: LOT.batch,
      outcome: "delivered",
      latencyMs: 150,
      attempt: 1,
    });
    expect(stock()).toEqual({ unrestricted: 400, blocked: 0 });

    // 5. The replay now: the payload a second person approved (GOODS_MOVEMENT requires approval). SAP refused
    //    exactly this payload before, so it goes again only with a reason (the cause, fixed on SAP's side);
    //    SAP posts it, the answer is lost, the workers retry with the same key — and SAP posts it once.
    await expect(requestReplay(operator, opened.id, {})).rejects.toMatchObject({ status: 400, code: "reason_required" });
    sap.faults.dropConnection({ count: 1, phase: "after" });
    const second = await replayApproved(operator, approver, opened.id, { reason: "QMS released the hold: SAP has the batch in unrestricted use again." });
    expect(second.replay.idempotencyKey).not.toBe(first.replay.idempotencyKey);
    const approval = await db().correction.findUniqueOrThrow({ where: { id: corrected.correctionId } });
    const secondPerson =
      second.via === "replay_request" ? (await db().replayRequest.findUniqueOrThrow({ where: { id: second.requestId! } })).approverId : approval.approverId;
    expect(secondPerson).toBe(approver.id);
    expect(secondPerson).not.toBe(second.replay.requestedById);
    const resolved = await settled(opened.id);
    expect(resolved).toMatchObject({ status: "RESOLVED", resolution: "replayed" });
    expect((await attemptsOf(second.replay.id)).map((a) => a.outcome)).toEqual(["failed", "delivered"]);
    expect(sap.applications(second.replay.idempotencyKey)).toBe(1);
    expect(stock()).toEqual({ unrestricted: 380, blocked: 0 });
    expect(issuesOfLot().map((i) => [i.quantity, i.unit, Number(i.orderId)])).toEqual([[20_000, "KG", Number(ORDER)]]);

    // The exception's history names both people and both replays.
    const trail = await db().auditEvent.findMany({
      where: { subjectType: "exception", subjectId: opened.id, type: { in: ["correction.approved", "replay.requested", "replay.failed", "replay.succeeded"] } },
      orderBy: { id: "asc" },
    });
    expect(trail.map((a) => [a.type, a.actorLabel])).toEqual([
      ["correction.approved", approver.email],
      ["replay.requested", operator.email],
      ["replay.failed", "andon replay"],
      ["replay.requested", operator.email],
      ["replay.succeeded", "andon replay"],
    ]);
  }, 60_000);
});
