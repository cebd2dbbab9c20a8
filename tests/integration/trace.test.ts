import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { db, pool } from "../../server/db";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { ingestOpenApi } from "../../server/ingest/openapi";
import { requestReplay } from "../../server/replay/request-replay";
import { traceCsvHeader, traceStream } from "../../server/trace/export";
import { TRACE_CSV_COLUMNS, traceObject } from "../../server/trace/trace-object";
import { transactionHistory } from "../../server/transactions/history";
import { type Workers, startQueueClient } from "../../server/workers";
import { setReplayApproval } from "../support/replay-approval";
import { type Actor, actor, approvedCorrection, exceptionOf } from "../support/replay-flow";

/**
 * Typed references on ingest and the traceability of a lot: validated per item, stored once per message and
 * reference, and read back as one chain — every message that named the lot in the user's plants, each hop,
 * and what people did about its exceptions (who corrected, who approved, who replayed), in time order; the
 * export is the page's rows; an object with no rows in a user's plants does not exist for them (404).
 */
const RUN = randomUUID().slice(0, 8);
const LOT = `L-${RUN}`;
const ORDER = `1004${RUN.replace(/\D/g, "").slice(0, 4).padEnd(4, "0")}`;
let auditor: Actor, operator: Actor, approver: Actor, manager: Actor, managerMty: Actor;
/** The job queue this file's replay request is queued on (nothing works it here: the trace shows the request). */
let queue: Workers | undefined;
const queuedFor: string[] = [];

type Sender = { connectorId: string; connectorName: string; plantId: string; plantCode: string };
async function connectorOf(plantCode: string, system: "QMS" | "ODOO" | "SAP_ERP"): Promise<Sender> {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: plantCode }, system: { kind: system } } });
  return { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode };
}
const send = (c: Sender, values: unknown[]) =>
  ingestEvents(
    c,
    values.map((value) => ({ ok: true as const, value })),
  );
/** The stored references of a message (by message id: unique per run). */
const refsOfMessage = async (messageId: string) => {
  const t = await db().transaction.findFirstOrThrow({ where: { messageId } });
  return db().businessRef.findMany({ where: { transactionId: t.id }, orderBy: [{ kind: "asc" }, { value: "asc" }] });
};
const at = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();
const goodsIssue = (qty: string) => ({
  idocType: "MBGMCR03",
  control: { DOCNUM: "0000000004712001", MESTYP: "MBGMCR" },
  E1BP2017_GM_CODE: { GM_CODE: "03" },
  E1BP2017_GM_HEAD_01: {
    PSTNG_DATE: new Date().toISOString().slice(0, 10).replace(/-/g, ""),
    DOC_DATE: new Date().toISOString().slice(0, 10).replace(/-/g, ""),
  },
  E1BP2017_GM_ITEM_CREATE: [
    { MATERIAL: "RM-0815", PLANT: "1000", STGE_LOC: "0001", BATCH: LOT, MOVE_TYPE: "261", ENTRY_QNT: qty, ENTRY_UOM: "KG", ORDERID: ORDER.padStart(12, "0") },
  ],
});

afterAll(async () => {
  await setReplayApproval(true);
  // The replay queued here is never delivered: its job goes, or another file's workers (files share the
  // database) would deliver it to their own target and use up that file's faults.
  await pool().query("DELETE FROM pgboss.job WHERE name = 'replay.deliver' AND data->>'replayId' = ANY($1::text[])", [queuedFor]);
  await queue?.stop();
});

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  await setReplayApproval(false); // this file's replay is queued on the operator's word
  queue = await startQueueClient(inject("databaseUrl"));
  [auditor, operator, approver, manager, managerMty] = (await Promise.all(
    ["auditor@andon.local", "operator@andon.local", "approver@andon.local", "manager@andon.local", "manager.mty@andon.local"].map(actor),
  )) as [Actor, Actor, Actor, Actor, Actor];
  const qms = await connectorOf("DE-HAM", "QMS");
  const odoo = await connectorOf("DE-HAM", "ODOO");
  // 1. The QMS holds lot L (delivered to SAP).
  const hold = await send(qms, [
    {
      eventId: randomUUID(),
      correlationId: `qh-${RUN}`,
      messageId: `QH-${RUN}`,
      interface: "QUALITY_HOLD",
      hop: { source: "QMS", target: "SAP_ERP" },
      businessKey: LOT,
      refs: { lot: LOT, material: "RM-0815", inspectionLot: `89000${RUN.slice(0, 4)}` },
      occurredAt: at(120),
      outcome: "delivered",
      latencyMs: 180,
    },
  ]);
  expect(hold.rejected).toEqual([]);
  // 2. Odoo's goods issue of L to the order: received, failed, failed again — the same references on all three events.
  const refs = { lot: LOT, material: "RM-0815", productionOrder: { id: ORDER, operation: "0010" } };
  const gi = {
    correlationId: `gi-${RUN}`,
    messageId: `GI-${RUN}`,
    interface: "GOODS_MOVEMENT",
    hop: { source: "ODOO", target: "SAP_ERP" },
    businessKey: LOT,
    refs,
  };
  const failure = { category: "business", code: "M7-021", message: `Deficit of BA Unrestricted-use 25 KG : RM-0815 1000 0001 ${LOT}` };
  const issued = await send(odoo, [
    { ...gi, eventId: randomUUID(), occurredAt: at(100), outcome: "received", latencyMs: 20 },
    { ...gi, eventId: randomUUID(), occurredAt: at(90), outcome: "failed", latencyMs: 600, error: failure, payload: goodsIssue("25") },
    { ...gi, eventId: randomUUID(), occurredAt: at(80), outcome: "failed", latencyMs: 600, attempt: 2, error: failure, payload: goodsIssue("25") },
  ]);
  expect(issued.rejected).toEqual([]);
});

describe("typed references on ingest", () => {
  it("rejects hostile or oversized references item by item and stores the good items' references once", async () => {
    const odoo = await connectorOf("DE-HAM", "ODOO");
    const base = (n: number) => ({
      eventId: randomUUID(),
      correlationId: `refs-${RUN}-${n}`,
      messageId: `REFS-${RUN}-${n}`,
      interface: "GOODS_MOVEMENT",
      hop: { source: "ODOO", target: "SAP_ERP" },
      occurredAt: at(60),
      outcome: "delivered",
      latencyMs: 10,
    });
    const result = await send(odoo, [
      { ...base(0), refs: { lot: `OK-${RUN}`, purchaseOrder: { id: "4500012345", line: "00010" } } },
      { ...base(1), refs: { lot: "x".repeat(121) } },
      { ...base(2), refs: { lot: `A\u0000B` } },
      { ...base(3), refs: { batch: "B1" } },
      { ...base(4), refs: { bom: { revision: "B" } } },
      { ...base(5), refs: { lot: "   " } },
      { ...base(6), refs: "LOT-1" },
      { ...base(7), refs: { purchaseOrder: { id: "4500012345", line: "1".repeat(41) } } },
      { ...base(8), refs: { productionOrder: { id: ["1004711"] } } },
      base(9), // no references: valid, as every connector's events before issue 20
    ]);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(result.rejected.find((r) => r.index === 1)!.errors[0]).toMatchObject({ path: "refs.lot", message: expect.stringMatching(/120/) });
    expect(result.rejected.find((r) => r.index === 3)!.errors[0]!.path).toBe("refs");
    const stored = await refsOfMessage(`REFS-${RUN}-0`);
    expect(stored.map((r) => [r.kind, r.value, r.qualifier]).sort()).toEqual([
      ["LOT", `OK-${RUN}`, ""],
      ["PURCHASE_ORDER", "4500012345", "00010"],
    ]);
    expect(await refsOfMessage(`REFS-${RUN}-9`)).toEqual([]);
  });

  it("are documented in the OpenAPI document, optional, strict and bounded", () => {
    type Schema = { required?: string[]; description?: string; additionalProperties?: boolean; properties: Record<string, Schema> };
    const event = (ingestOpenApi() as { components: { schemas: { Event: Schema } } }).components.schemas.Event;
    expect(event.required).not.toContain("refs");
    const refs = event.properties.refs!;
    expect(refs.description).toMatch(/lot/);
    expect(refs.additionalProperties).toBe(false);
    expect(refs.properties.lot).toMatchObject({ maxLength: 120, description: expect.stringMatching(/batch/i) });
    expect(refs.properties.productionOrder!.properties.operation).toMatchObject({ maxLength: 40 });
    expect(Object.keys(refs.properties).sort()).toEqual(
      ["asn", "bom", "forecastVersion", "inspectionLot", "invoice", "lot", "material", "productionOrder", "purchaseOrder", "workOrder"].sort(),
    );
  });

  it("stores a reference once per message, however many of its events (and batches, and resends) carry it", async () => {
    const refs = await refsOfMessage(`GI-${RUN}`);
    expect(refs.map((r) => [r.kind, r.value, r.qualifier])).toEqual([
      ["MATERIAL", "RM-0815", ""],
      ["PRODUCTION_ORDER", ORDER, "0010"],
      ["LOT", LOT, ""],
    ]);
    // A later batch about the same message with the same references (and two concurrent ones): still one row each.
    const odoo = await connectorOf("DE-HAM", "ODOO");
    const again = () =>
      send(odoo, [
        {
          eventId: randomUUID(),
          correlationId: `gi-${RUN}`,
          messageId: `GI-${RUN}`,
          interface: "GOODS_MOVEMENT",
          hop: { source: "ODOO", target: "SAP_ERP" },
          refs: { lot: LOT, material: "RM-0815", productionOrder: { id: ORDER, operation: "0010" } },
          occurredAt: at(85),
          outcome: "retrying",
          latencyMs: 10,
          attempt: 2,
        },
      ]);
    const results = await Promise.all([again(), again(), again()]);
    expect(results.map((r) => r.accepted)).toEqual([1, 1, 1]);
    expect(await refsOfMessage(`GI-${RUN}`)).toHaveLength(3);
  });
});

describe("traceability of a lot", () => {
  it("shows the whole chain across interfaces: hops, the exception, who corrected, approved and replayed", async () => {
    const e = await exceptionOf(`GI-${RUN}`, "DE-HAM");
    const { issues } = await approvedCorrection(operator, approver, e.id, goodsIssue("20"), "Only 20 KG of the lot are unrestricted: issue what is there.");
    expect(issues).toEqual([]);
    const requested = await requestReplay(operator, e.id, {});
    expect(requested.kind).toBe("queued");
    if (requested.kind === "queued") queuedFor.push(requested.replay.id);

    const trace = (await traceObject(auditor, "lot", LOT))!;
    expect(trace.messages.map((m) => [m.interfaceCode, m.messageId])).toEqual([
      ["QUALITY_HOLD", `QH-${RUN}`],
      ["GOODS_MOVEMENT", `GI-${RUN}`],
    ]);
    expect(trace.messages[1]!.exceptions).toEqual([expect.objectContaining({ id: e.id, errorCode: "M7-021" })]);
    const chain = trace.rows.map((r) => [r.source, r.interfaceCode, r.event, r.actor]);
    expect(chain).toEqual([
      ["hop", "QUALITY_HOLD", "delivered", null],
      ["hop", "GOODS_MOVEMENT", "received", null],
      ["hop", "GOODS_MOVEMENT", "failed", null],
      ["hop", "GOODS_MOVEMENT", "retrying", null],
      ["hop", "GOODS_MOVEMENT", "retrying", null],
      ["hop", "GOODS_MOVEMENT", "retrying", null],
      ["hop", "GOODS_MOVEMENT", "failed", null],
      // The events were reported back-dated (their occurredAt); Andon opened the exception when it received them.
      ["audit", "GOODS_MOVEMENT", "exception.opened", "DE-HAM Odoo connector"],
      ["audit", "GOODS_MOVEMENT", "correction.saved", "Oskar Operator"],
      ["audit", "GOODS_MOVEMENT", "correction.submitted", "Oskar Operator"],
      ["audit", "GOODS_MOVEMENT", "correction.approved", "Anna Approver"],
      ["audit", "GOODS_MOVEMENT", "replay.requested", "Oskar Operator"],
    ]);
    // In time order, every row linked to the message or the exception.
    const times = trace.rows.map((r) => r.occurredAtUtc);
    expect([...times].sort()).toEqual(times);
    expect(trace.rows.filter((r) => r.source === "audit").every((r) => r.href === `/exceptions/${e.id}`)).toBe(true);
    expect(trace.rows.find((r) => r.event === "correction.approved")!.detail).not.toContain(approver.id);

    // The order and the material name the goods issue too; the page of the message links them.
    expect((await traceObject(auditor, "order", ORDER))!.messages.map((m) => [m.messageId, m.qualifiers])).toEqual([[`GI-${RUN}`, ["0010"]]]);
    const history = (await transactionHistory(auditor, `gi-${RUN}`))!;
    expect(history.transactions[0]!.refs.map((r) => r.href)).toContain(`/trace/lot/${encodeURIComponent(LOT)}`);
  });

  it("is scoped to the user's plants: a manager of the plant reads it, a manager of another plant gets nothing (404)", async () => {
    // The same lot number in another plant (US-CLT): the auditor sees both plants, the DE-HAM manager only theirs.
    const clt = await connectorOf("US-CLT", "SAP_ERP");
    const other = await send(clt, [
      {
        eventId: randomUUID(),
        correlationId: `clt-${RUN}`,
        messageId: `CLT-${RUN}`,
        interface: "GOODS_MOVEMENT",
        hop: { source: "SAP_ERP", target: "ODOO" },
        refs: { lot: LOT },
        occurredAt: at(30),
        outcome: "delivered",
        latencyMs: 50,
      },
    ]);
    expect(other.rejected).toEqual([]);
    expect(new Set((await traceObject(auditor, "lot", LOT))!.messages.map((m) => m.plantCode))).toEqual(new Set(["DE-HAM", "US-CLT"]));
    const managers = (await traceObject(manager, "lot", LOT))!;
    expect(new Set(managers.messages.map((m) => m.plantCode))).toEqual(new Set(["DE-HAM"]));
    expect(managers.rows.every((r) => r.plantCode === "DE-HAM")).toBe(true);
    expect(managers.rows.some((r) => r.event === "correction.approved")).toBe(true);
    expect(await traceObject(managerMty, "lot", LOT)).toBeNull();
    // Unknown objects, kinds and malformed values name nothing: the same answer.
    expect(await traceObject(auditor, "lot", `nothing-${RUN}`)).toBeNull();
    expect(await traceObject(auditor, "batch", LOT)).toBeNull();
    expect(await traceObject(auditor, "lot", "x".repeat(500))).toBeNull();
    expect(await traceObject(auditor, "lot", "a\u0000b")).toBeNull();
  });

  it("exports exactly the page's rows as CSV and NDJSON, times in UTC", async () => {
    const trace = (await traceObject(auditor, "lot", LOT))!;
    const text = async (format: "csv" | "ndjson") => new Response(traceStream(trace.rows, format)).text();
    const ndjson = (await text("ndjson"))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(ndjson).toEqual(JSON.parse(JSON.stringify(trace.rows)));
    expect(ndjson.every((r) => /Z$/.test(r.occurredAtUtc))).toBe(true);
    const csv = (await text("csv")).split("\r\n").filter(Boolean);
    expect(csv[0]).toBe(traceCsvHeader().trimEnd());
    expect(csv[0]!.startsWith("occurredAtUtc,")).toBe(true);
    expect(csv).toHaveLength(trace.rows.length + 1);
    // Each CSV line starts with the row's time and names its event.
    trace.rows.forEach((r, i) => {
      expect(csv[i + 1]!.startsWith(`${r.occurredAtUtc},${r.source},`)).toBe(true);
      expect(csv[i + 1]).toContain(r.event);
    });
    expect(TRACE_CSV_COLUMNS).toContain("occurredAtUtc");
  });
});
