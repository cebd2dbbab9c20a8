import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type SapEmulator, sapReplayHandler, startSapEmulator } from "../../connectors/sap";
import { goodsMovement, sampleItem } from "../../connectors/sap/test-support";
import { startReplayPushServer } from "../../connectors/sdk";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { db, pool } from "../../server/db";
import { assignException } from "../../server/exceptions/assign-exception";
import { commentOnException } from "../../server/exceptions/comment-on-exception";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { deliverReplays } from "../../server/replay/deliver-replay";
import { requestReplay } from "../../server/replay/request-replay";
import { searchTransactions, transactionHistory } from "../../server/transactions/history";
import { correlationTimeline } from "../../server/transactions/timeline";
import { type Workers, startQueueClient } from "../../server/workers";
import { queued, setReplayApproval } from "../support/replay-approval";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
let auditor: Actor, operator: Actor, operatorWro: Actor, manager: Actor, managerMty: Actor;
const run = randomUUID().slice(0, 8);
const correlation = `corr-hist-${run}`;

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [auditor, operator, operatorWro, manager, managerMty] = (await Promise.all(
    ["auditor@andon.local", "operator@andon.local", "operator.wro@andon.local", "manager@andon.local", "manager.mty@andon.local"].map(actor),
  )) as [Actor, Actor, Actor, Actor, Actor];
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } } });
  // 25 goods movements with business keys HIST-<run>-00..24, one failed; the failed one shares a correlation id.
  const events = Array.from({ length: 25 }, (_, i) => ({
    ok: true as const,
    value: {
      eventId: randomUUID(),
      correlationId: i === 7 ? correlation : randomUUID(),
      messageId: `HIST-${run}-${i}`,
      businessKey: `HIST-${run}-${String(i).padStart(2, "0")}`,
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO" as const, target: "SAP_ERP" as const },
      occurredAt: new Date(Date.now() - (25 - i) * 1000).toISOString(),
      outcome: i === 7 ? ("failed" as const) : ("delivered" as const),
      latencyMs: 300,
      attempt: 1,
      ...(i === 7
        ? { error: { category: "business" as const, code: "M7-021", message: "Deficit of SL Unrestricted-use" }, payload: { material: "RM-4711", qty: 3 } }
        : {}),
    },
  }));
  expect((await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" }, events)).rejected).toEqual([]);
});

describe("transaction history search", () => {
  it("finds by business-key prefix, message id and correlation id; pages by keyset without gaps or repeats", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 10; page++) {
      const r = await searchTransactions(auditor, { q: `HIST-${run}-`, limit: "7", ...(cursor ? { cursor } : {}) });
      seen.push(...r.rows.map((x) => x.messageId));
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    expect(seen[0]).toBe(`HIST-${run}-24`); // newest first
    expect((await searchTransactions(auditor, { q: `HIST-${run}-7` })).rows.map((r) => r.messageId)).toEqual([`HIST-${run}-7`]);
    const byCorrelation = await searchTransactions(auditor, { q: correlation });
    expect(byCorrelation.rows).toHaveLength(1);
    expect(byCorrelation.rows[0]).toMatchObject({ status: "FAILED", openExceptions: 1, plantCode: "DE-HAM" });
    expect((await searchTransactions(auditor, { q: `HIST-${run}-`, status: "FAILED" })).rows).toHaveLength(1);
    // LIKE wildcards are literal.
    expect((await searchTransactions(auditor, { q: `HIST_${run}` })).rows).toHaveLength(0);
  });

  it("is scoped by the policy and refuses bad input with a 400", async () => {
    expect((await searchTransactions(operatorWro, { q: `HIST-${run}-` })).rows).toHaveLength(0); // PL-WRO only
    // Plant managers read their plants' history (DE-HAM + PL-WRO here), and only theirs.
    expect((await searchTransactions(manager, { q: `HIST-${run}-` })).rows).toHaveLength(25);
    expect((await searchTransactions(managerMty, { q: `HIST-${run}-` })).rows).toHaveLength(0); // MX-MTY only
    expect((await searchTransactions(managerMty, {})).rows.every((r) => r.plantCode === "MX-MTY")).toBe(true);
    await expect(searchTransactions(auditor, { cursor: "garbage" })).rejects.toMatchObject({ status: 400 });
    await expect(searchTransactions(auditor, { status: "LOST" })).rejects.toThrow();
    await expect(searchTransactions(auditor, { nope: "1" })).rejects.toThrow();
  });
});

describe("one message's full history", () => {
  it("shows the hops, the payload and who did what, from the audit chain; other plants' people get nothing", async () => {
    const e = await db().exception.findFirstOrThrow({ where: { transaction: { correlationId: correlation } } });
    await assignException(operator, e.id, { assigneeId: operator.id });
    await commentOnException(operator, e.id, { body: "Stock posted late; replay after the 101 receipt." });
    const h = (await transactionHistory(auditor, correlation))!;
    expect(h.transactions).toHaveLength(1);
    expect(h.transactions[0]!.payload).toEqual({ material: "RM-4711", qty: 3 });
    expect(h.timeline.map((t) => t.outcome)).toContain("failed");
    expect(h.audit.map((a) => [a.type, a.actorName])).toEqual([
      ["exception.opened", "DE-HAM Odoo connector"],
      ["exception.assigned", "Oskar Operator"],
      ["exception.commented", "Oskar Operator"],
    ]);
    // People by name (their e-mail beside it), never a bare user id.
    const ex = h.transactions[0]!.exceptions[0]!;
    expect(ex.assignee).toEqual({ name: "Oskar Operator", email: "operator@andon.local" });
    expect(ex.comments[0]!.author).toEqual({ name: "Oskar Operator", email: "operator@andon.local" });
    expect(ex.comments[0]!.body).toMatch(/replay after/);
    const assigned = h.audit.find((a) => a.type === "exception.assigned")!;
    expect(assigned.details).toContainEqual({ label: "Assigned", text: "nobody → Oskar Operator" });
    expect(JSON.stringify(h.audit.map((a) => [a.actorName, a.details]))).not.toContain(operator.id);
    expect(await transactionHistory(operatorWro, correlation)).toBeNull();
    // A plant manager of the plant reads it as the auditor does; one of another plant gets nothing (the page is a 404).
    expect((await transactionHistory(manager, correlation))!.audit.map((a) => a.type)).toEqual(h.audit.map((a) => a.type));
    expect(await transactionHistory(managerMty, correlation)).toBeNull();
    expect(await correlationTimeline(managerMty, { correlationId: correlation })).toEqual([]);
  });
});

describe("a transaction resolved by a replay", () => {
  let queue: Workers;
  let sap: SapEmulator;
  let push: { url: string; close: () => Promise<void> };
  let sapConnector: { id: string; name: string; plantId: string; replayUrl: string | null; replaySecret: string | null; replayAllowPrivate: boolean };
  const secret = randomBytes(24).toString("hex");

  beforeAll(async () => {
    await setReplayApproval(false);
    sap = await startSapEmulator({ port: 0 });
    push = await startReplayPushServer({ secret, handler: sapReplayHandler(sap.url) });
    sapConnector = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "SAP_ERP" } } });
    await db().connector.update({ where: { id: sapConnector.id }, data: { replayUrl: push.url, replaySecret: secret, replayAllowPrivate: true } });
    queue = await startQueueClient(inject("databaseUrl"));
  });

  afterAll(async () => {
    await setReplayApproval(true);
    const { replayUrl, replaySecret, replayAllowPrivate } = sapConnector;
    await db().connector.update({ where: { id: sapConnector.id }, data: { replayUrl, replaySecret, replayAllowPrivate } });
    await queue?.stop();
    await push?.close();
    await sap?.close();
  });

  it("lists as delivered, with the replay's delivery time, on the list and on its page — also for a row settled before replays wrote the transaction", async () => {
    const messageId = `REPLAYED-${run}`;
    const correlationId = `corr-replayed-${run}`;
    const failedAt = new Date(Date.now() - 60_000);
    const as = { connectorId: sapConnector.id, connectorName: sapConnector.name, plantId: sapConnector.plantId, plantCode: "DE-HAM" };
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, "");
    const payload = goodsMovement([sampleItem({ MATERIAL: "RM-4711", PLANT: "1000", STGE_LOC: "0001", MOVE_TYPE: "261", ENTRY_QNT: "1", ENTRY_UOM: "PC" })], {
      PSTNG_DATE: today,
      DOC_DATE: today,
    });
    await ingestEvents(as, [
      {
        ok: true as const,
        value: {
          eventId: randomUUID(),
          correlationId,
          messageId,
          businessKey: `REPLAYED-KEY-${run}`,
          interface: "GOODS_MOVEMENT",
          hop: { source: "ODOO" as const, target: "SAP_ERP" as const },
          occurredAt: failedAt.toISOString(),
          outcome: "failed" as const,
          latencyMs: 300,
          attempt: 1,
          error: { category: "technical" as const, code: "HTTP-503", message: "SAP inbound unavailable" },
          payload,
        },
      },
    ]);
    const e = await db().exception.findFirstOrThrow({ where: { transaction: { messageId } } });
    expect((await searchTransactions(auditor, { q: messageId })).rows[0]).toMatchObject({ status: "FAILED", deliveredAt: null });

    const replay = await queued(requestReplay(operator, e.id, {}));
    const { rows } = await pool().query<{ id: string; retry_count: number; retry_limit: number }>(
      "SELECT id, retry_count, retry_limit FROM pgboss.job WHERE name = 'replay.deliver' AND data->>'replayId' = $1 ORDER BY created_on DESC LIMIT 1",
      [replay.id],
    );
    await deliverReplays([{ id: rows[0]!.id, data: { replayId: replay.id }, retryCount: rows[0]!.retry_count, retryLimit: rows[0]!.retry_limit }]);
    const settled = await db().replay.findUniqueOrThrow({ where: { id: replay.id } });
    expect(settled.status).toBe("SUCCEEDED");
    const finishedAt = settled.finishedAt!.toISOString();

    const expectDelivered = async () => {
      const listed = (await searchTransactions(auditor, { q: messageId })).rows[0]!;
      expect(listed).toMatchObject({ status: "DELIVERED", deliveredAt: finishedAt });
      expect((await searchTransactions(auditor, { q: messageId, status: "DELIVERED" })).rows).toHaveLength(1);
      expect((await searchTransactions(auditor, { q: messageId, status: "FAILED" })).rows).toHaveLength(0);
      const page = (await transactionHistory(auditor, correlationId))!.transactions[0]!;
      expect(page).toMatchObject({ status: "DELIVERED", deliveredAt: finishedAt, deliveredBy: "replay" });
      expect(page.exceptions[0]).toMatchObject({ status: "RESOLVED", resolution: "replayed" });
    };
    await expectDelivered();

    // The row as replays settled before they wrote the transaction left it (never migrated): still delivered.
    await pool().query("UPDATE business_transaction SET status = 'FAILED', delivered_at = NULL, last_event_at = $2 WHERE id = $1", [e.transactionId, failedAt]);
    await expectDelivered();

    // A failure the connector reports after that delivery is newer: the message stands failed again (its delivery time stays).
    await pool().query("UPDATE business_transaction SET last_event_at = $2 WHERE id = $1", [e.transactionId, new Date(settled.finishedAt!.getTime() + 1000)]);
    expect((await searchTransactions(auditor, { q: messageId })).rows[0]).toMatchObject({ status: "FAILED", deliveredAt: finishedAt });
    expect((await transactionHistory(auditor, correlationId))!.transactions[0]).toMatchObject({ status: "FAILED", deliveredAt: finishedAt });
  });
});
