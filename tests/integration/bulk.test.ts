import { randomUUID } from "node:crypto";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { goodsMovement, sampleItem } from "../../connectors/sap/test-support";
import { verifyChain } from "../../server/audit";
import { loadPrincipal } from "../../server/auth/principal";
import type { ConnectorPrincipal } from "../../server/connectors/keys";
import { db, pool } from "../../server/db";
import { commentOnException } from "../../server/exceptions/comment-on-exception";
import { BULK_QUEUE, resolveSelection } from "../../server/exceptions/bulk-rules";
import { cancelBulk } from "../../server/exceptions/cancel-bulk";
import { getBulk } from "../../server/exceptions/bulk-views";
import { previewPatch } from "../../server/exceptions/preview-patch";
import { runBulk } from "../../server/exceptions/run-bulk";
import { startBulk } from "../../server/exceptions/start-bulk";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { setBoss } from "../../server/workers/boss";

/**
 * Bulk actions, run deterministically: a real pg-boss receives the jobs (enqueued in the same
 * transaction as the operation) but no worker takes them; the test runs each operation itself.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
let operator: Actor;
let operatorWro: Actor;
let approver: Actor;
let manager: Actor;
let ham: ConnectorPrincipal;
let boss: PgBoss;
const tag = randomUUID().slice(0, 8);

const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;

/** n failures of one group (same interface, code and message shape), each with its own payload. */
async function failures(n: number, key: string, payload: (i: number) => unknown = () => goodsMovement([sampleItem()])) {
  const events = Array.from({ length: n }, (_, i) => ({
    ok: true as const,
    value: {
      eventId: randomUUID(),
      correlationId: randomUUID(),
      messageId: `${key}-${i}`,
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO", target: "SAP_ERP" },
      businessKey: `${key}-${i}`,
      occurredAt: new Date().toISOString(),
      outcome: "failed" as const,
      latencyMs: 400,
      attempt: 1,
      payload: payload(i),
      error: { category: "business" as const, code: "M7-021", message: `Deficit of SL Unrestricted-use ${i + 1} PC : RM-4711 1000 0001 (${key})` },
    },
  }));
  await ingestEvents(ham, events);
  const rows = await db().exception.findMany({
    where: { transaction: { messageId: { startsWith: `${key}-` } } },
    include: { transaction: { select: { messageId: true } } },
  });
  expect(rows).toHaveLength(n);
  const index = (r: (typeof rows)[number]) => Number(r.transaction.messageId.slice(key.length + 1));
  return rows.sort((a, b) => index(a) - index(b)); // rows[i] is the i-th failure
}

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [operator, operatorWro, approver, manager] = (await Promise.all(
    ["operator@andon.local", "operator.wro@andon.local", "approver@andon.local", "manager@andon.local"].map(actor),
  )) as [Actor, Actor, Actor, Actor];
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } } });
  ham = { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" };
  boss = new PgBoss({ connectionString: inject("databaseUrl"), schema: "pgboss" });
  await boss.start();
  await boss.createQueue(BULK_QUEUE);
  setBoss(boss);
});

afterAll(async () => {
  setBoss(undefined);
  await boss?.stop({ graceful: false });
});

describe("bulk actions", () => {
  it("discards everything matching a filter (not just a page), skips what the lifecycle refuses, audits each item with the bulkId", async () => {
    const key = `BD-${tag}`;
    const rows = await failures(60, key);
    // One of them was already discarded on its own: the bulk action must skip it, not fail.
    await db().exception.update({ where: { id: rows[0]!.id }, data: { status: "DISCARDED", resolvedAt: new Date(), resolution: "discarded" } });
    const op = await startBulk(operator, {
      kind: "DISCARD",
      selection: { filter: `status=all&q=${key}` },
      params: { reason: "Superseded by the re-sent batch of the night shift" },
    });
    expect(op).toMatchObject({ status: "QUEUED", total: 60 });
    expect(await boss.getQueueSize(BULK_QUEUE)).toBeGreaterThan(0); // the job committed with the operation
    // Another worker holds the action: this one leaves it alone. Out of time budget: it asks for a continuation.
    const holder = await pool().connect();
    await holder.query("SELECT pg_advisory_lock(hashtext('bulk'), hashtext($1))", [op.id]);
    expect(await runBulk(op.id)).toBe("busy");
    await holder.query("SELECT pg_advisory_unlock(hashtext('bulk'), hashtext($1))", [op.id]);
    holder.release();
    expect(await runBulk(op.id, 0)).toBe("more");
    expect(await db().bulkOperationItem.count({ where: { bulkId: op.id, status: "PENDING" } })).toBe(60);
    expect(await runBulk(op.id)).toBe("done");
    const done = await getBulk(operator, op.id);
    expect(done).toMatchObject({ status: "COMPLETED", done: 59, skipped: 1, failed: 0 });
    expect(done.problems).toEqual([expect.objectContaining({ exceptionId: rows[0]!.id, status: "SKIPPED" })]);
    expect(await db().exception.count({ where: { id: { in: rows.map((r) => r.id) }, status: "DISCARDED" } })).toBe(60);
    const itemEvents = await db().auditEvent.findMany({ where: { type: "exception.discarded", data: { path: ["bulkId"], equals: op.id } } });
    expect(itemEvents).toHaveLength(59);
    expect(itemEvents.every((e) => e.actorId === operator.id)).toBe(true);
    const lifecycle = await db().auditEvent.findMany({ where: { subjectType: "bulk_operation", subjectId: op.id }, orderBy: { id: "asc" } });
    expect(lifecycle.map((e) => e.type)).toEqual(["bulk.started", "bulk.completed"]);
    expect((await verifyChain()).ok).toBe(true);
  });

  it("acts only inside the author's plants, and only with the role's permission", async () => {
    const rows = await failures(3, `BS-${tag}`);
    // operator.wro sees PL-WRO only: DE-HAM ids do not exist for them.
    await expect(startBulk(operatorWro, { kind: "COMMENT", selection: { ids: rows.map((r) => r.id) }, params: { body: "hello" } })).rejects.toMatchObject({
      status: 422,
      code: "empty_selection",
    });
    await expect(startBulk(manager, { kind: "COMMENT", selection: { ids: rows.map((r) => r.id) }, params: { body: "hello" } })).rejects.toMatchObject({
      status: 403,
    });
    // Bulk replay is the approvers' (architecture: operators replay one by one).
    await expect(startBulk(operator, { kind: "REPLAY", selection: { ids: rows.map((r) => r.id) } })).rejects.toMatchObject({ status: 403 });
    // A mistyped filter is an error, never a silently wider selection.
    await expect(startBulk(operator, { kind: "COMMENT", selection: { filter: "severity=HUGE" }, params: { body: "x" } })).rejects.toThrow();
    // Someone else's operation does not exist for them.
    const op = await startBulk(operator, { kind: "COMMENT", selection: { ids: rows.map((r) => r.id) }, params: { body: "Looked at by the night shift" } });
    await expect(getBulk(approver, op.id)).rejects.toMatchObject({ status: 404 });
    await expect(cancelBulk(approver, op.id)).rejects.toMatchObject({ status: 404 });
    await runBulk(op.id);
    expect(await db().exceptionComment.count({ where: { exceptionId: { in: rows.map((r) => r.id) } } })).toBe(3);
  });

  it("refuses a filter with an unknown status or assignee instead of widening it to the open ones or to anyone's", async () => {
    const key = `BU-${tag}`;
    const rows = await failures(2, key);
    await db().exception.update({ where: { id: rows[0]!.id }, data: { assigneeId: operator.id } });
    const select = (filter: string) => resolveSelection(operator, { filter: `q=${key}&${filter}` });
    // What the queue supports still selects exactly what it says.
    expect(await select("status=NEW,TRIAGED")).toHaveLength(2);
    expect(await select("status=RESOLVED")).toEqual([]);
    expect(await select("assignee=me")).toEqual([rows[0]!.id]);
    expect(await select("assignee=none")).toEqual([rows[1]!.id]);
    expect(await select(`assignee=${operator.id}`)).toEqual([rows[0]!.id]);
    // A typo is an error (400 through the route), not the open exceptions of everyone.
    for (const filter of ["status=RESOLVEDD", "status=resolved", "status=NEW,OPENN", "assignee=oskar", "assignee=ME"]) {
      await expect(select(filter), filter).rejects.toBeInstanceOf(ZodError);
      await expect(
        startBulk(operator, { kind: "COMMENT", selection: { filter: `q=${key}&${filter}` }, params: { body: "Should never be written" } }),
        filter,
      ).rejects.toBeInstanceOf(ZodError);
    }
    expect(await db().bulkOperation.count({ where: { createdById: operator.id, items: { some: { exceptionId: { in: rows.map((r) => r.id) } } } } })).toBe(0);
  });

  it("cancel stops before the next chunk; a queued operation does nothing", async () => {
    const rows = await failures(30, `BC-${tag}`);
    const op = await startBulk(operator, { kind: "COMMENT", selection: { ids: rows.map((r) => r.id) }, params: { body: "Checked with the warehouse" } });
    const cancelled = await cancelBulk(operator, op.id);
    expect(cancelled.cancelRequested).toBe(true);
    await runBulk(op.id);
    expect(await getBulk(operator, op.id)).toMatchObject({ status: "CANCELLED", done: 0 });
    expect(await db().exceptionComment.count({ where: { exceptionId: { in: rows.map((r) => r.id) } } })).toBe(0);
    await expect(cancelBulk(operator, op.id)).rejects.toMatchObject({ status: 409 });
    expect(await db().auditEvent.count({ where: { subjectId: op.id, type: "bulk.cancelled" } })).toBe(1);
  });

  it("a run that crashed after an item committed resumes without doing that item twice", async () => {
    const rows = await failures(5, `BR-${tag}`);
    const op = await startBulk(operator, { kind: "COMMENT", selection: { ids: rows.map((r) => r.id) }, params: { body: "Resumed after a crash" } });
    // The crashed run: RUNNING, one comment committed (with its audit event) but its item still PENDING.
    await db().bulkOperation.update({ where: { id: op.id }, data: { status: "RUNNING", startedAt: new Date() } });
    const first = (await db().bulkOperationItem.findMany({ where: { bulkId: op.id }, orderBy: { exceptionId: "asc" } }))[0]!;
    await commentOnException(operator, first.exceptionId, { body: "Resumed after a crash" }, { bulkId: op.id });
    await runBulk(op.id);
    expect(await getBulk(operator, op.id)).toMatchObject({ status: "COMPLETED", done: 5 });
    expect(await db().exceptionComment.count({ where: { exceptionId: first.exceptionId } })).toBe(1);
    expect(await db().exceptionComment.count({ where: { exceptionId: { in: rows.map((r) => r.id) } } })).toBe(5);
  });

  it("previews one JSON Patch over a group item by item, then submits only the valid corrections for approval", async () => {
    const key = `BP-${tag}`;
    // Item 0 has no item array at the patched index: the patch does not apply there.
    const rows = await failures(6, key, (i) => (i === 0 ? { ...goodsMovement([sampleItem()]), E1BP2017_GM_ITEM_CREATE: [] } : goodsMovement([sampleItem()])));
    const selection = { filter: `q=${key}` };
    const patch = [{ op: "replace", path: "/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT", value: "20" }];
    const preview = await previewPatch(operator, { selection, patch });
    expect(preview.counts).toMatchObject({ ok: 5, patch_error: 1 });
    expect(preview.items[0]).toMatchObject({ exceptionId: rows[0]!.id, result: "patch_error" });
    // A patch that breaks the schema is caught per item before anything is written.
    const invalid = await previewPatch(operator, { selection, patch: [{ op: "replace", path: "/E1BP2017_GM_ITEM_CREATE/0/ENTRY_QNT", value: 20 }] });
    expect(invalid.counts.schema_invalid).toBe(5);
    expect(await db().correction.count({ where: { exceptionId: { in: rows.map((r) => r.id) } } })).toBe(0);

    const op = await startBulk(operator, { kind: "CORRECT", selection, params: { patch, reason: "Issue 20 PC now; the rest after the goods receipt" } });
    await runBulk(op.id);
    expect(await getBulk(operator, op.id)).toMatchObject({ status: "COMPLETED", done: 5, failed: 1 });
    const corrections = await db().correction.findMany({ where: { exceptionId: { in: rows.map((r) => r.id) } } });
    expect(corrections).toHaveLength(5);
    expect(corrections.every((c) => c.status === "SUBMITTED" && c.authorId === operator.id)).toBe(true);
    expect(corrections.every((c) => (c.payload as ReturnType<typeof goodsMovement>).E1BP2017_GM_ITEM_CREATE[0]!.ENTRY_QNT === "20")).toBe(true);
    expect(await db().exception.count({ where: { id: { in: rows.map((r) => r.id) }, status: "AWAITING_APPROVAL" } })).toBe(5);
  });

  it("refuses selections beyond the limit with a clear error, and empty ones", async () => {
    await expect(startBulk(operator, { kind: "COMMENT", selection: { filter: `q=NOTHING-${tag}` }, params: { body: "x" } })).rejects.toMatchObject({
      status: 422,
      code: "empty_selection",
    });
    await expect(startBulk(operator, { kind: "COMMENT", selection: { ids: [] }, params: { body: "x" } })).rejects.toThrow(/at least one/);
  });
});
