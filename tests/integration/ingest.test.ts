import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedReference } from "../../prisma/seed";
import { verifyChain } from "../../server/audit";
import type { ConnectorPrincipal } from "../../server/connectors/keys";
import { db, pool } from "../../server/db";
import type { RawItem } from "../../server/ingest/body";
import { ingestEvents } from "../../server/ingest/ingest-events";
import type { IngestEventInput } from "../../server/ingest/schema";
import { emptyHistogram, merge, percentile } from "../../server/metrics/histogram";

let ham: ConnectorPrincipal;
let wro: ConnectorPrincipal;

async function principal(plantCode: string, kind: "ODOO" | "SAP_ERP"): Promise<ConnectorPrincipal> {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: plantCode }, system: { kind } }, include: { plant: true } });
  return { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: c.plant.code };
}

const items = (events: unknown[]): RawItem[] => events.map((value) => ({ ok: true, value }));

function event(over: Partial<IngestEventInput> = {}): IngestEventInput {
  const messageId = over.messageId ?? `MSG-${randomUUID()}`;
  return {
    eventId: randomUUID(),
    correlationId: `corr-${messageId}`,
    messageId,
    interface: "GOODS_MOVEMENT",
    hop: { source: "ODOO", target: "SAP_ERP" },
    businessKey: "WH/OUT/00412",
    occurredAt: new Date().toISOString(),
    outcome: "delivered",
    latencyMs: 850,
    attempt: 1,
    ...over,
  };
}

const deficit = (messageId: string, qty = 512, at = new Date()) =>
  event({
    messageId,
    outcome: "failed",
    occurredAt: at.toISOString(),
    error: { category: "business", code: "M7-021", message: `Deficit of SL Unrestricted-use ${qty - 500} PC : RM-4711 1000 0001` },
    payload: { idocType: "MBGMCR03", E1BP2017_GM_ITEM_CREATE: [{ MATERIAL: "RM-4711", ENTRY_QNT: String(qty) }] },
  });

beforeAll(async () => {
  await seedReference(db());
  ham = await principal("DE-HAM", "ODOO");
  wro = await principal("PL-WRO", "SAP_ERP");
});

describe("ingest pipeline (real PostgreSQL)", () => {
  it("stores good items, rejects bad ones per item with reasons", async () => {
    const good = event();
    const result = await ingestEvents(ham, [
      ...items([good, { ...event(), outcome: "exploded" }, event({ outcome: "failed" }), event({ interface: "NOT_AN_INTERFACE" })]),
      { ok: false, error: "Malformed JSON line: Unexpected token" },
    ]);
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 2, 3, 4]);
    expect(result.rejected[1]!.errors.map((e) => e.path).sort()).toEqual(["error", "payload"]);
    expect(result.rejected[2]!.errors[0]!.message).toMatch(/Unknown interface NOT_AN_INTERFACE/);
    const { rows } = await pool().query("SELECT outcome FROM telemetry_event WHERE event_id = $1", [good.eventId]);
    expect(rows).toEqual([{ outcome: "DELIVERED" }]);
  });

  it("refuses a batch naming another plant's interface with 403 and stores nothing of it", async () => {
    const ok = event();
    const foreign = event({ interface: "SUPPLIER_ASN", hop: { source: "SUPPLIER_PORTAL", target: "ODOO" } }); // MX-MTY only
    await expect(ingestEvents(ham, items([ok, foreign]))).rejects.toMatchObject({ status: 403 });
    const { rowCount } = await pool().query("SELECT 1 FROM ingest_receipt WHERE event_id = $1", [ok.eventId]);
    expect(rowCount).toBe(0);
  });

  it("stores a batch sent three times concurrently exactly once", async () => {
    const batch = Array.from({ length: 50 }, () => event());
    const results = await Promise.all([1, 2, 3].map(() => ingestEvents(ham, items(batch))));
    expect(results.reduce((n, r) => n + r.accepted, 0)).toBe(50);
    expect(results.reduce((n, r) => n + r.duplicates, 0)).toBe(100);
    const { rows } = await pool().query<{ n: string }>("SELECT count(*) AS n FROM telemetry_event WHERE event_id = ANY($1)", [batch.map((e) => e.eventId)]);
    expect(Number(rows[0]!.n)).toBe(50);
    const again = await ingestEvents(ham, items([...batch.slice(0, 3), batch[0]]));
    expect(again).toEqual({ accepted: 0, duplicates: 4, rejected: [] });
  });

  it("opens one exception per failed transaction, grouped by fingerprint, and updates it on repeats", async () => {
    const m1 = `MSG-${randomUUID()}`;
    const m2 = `MSG-${randomUUID()}`;
    await ingestEvents(ham, items([event({ messageId: m1, outcome: "received" }), deficit(m1, 512), deficit(m2, 980)]));
    const ex = await db().exception.findMany({ where: { transaction: { messageId: { in: [m1, m2] } } }, include: { transaction: true } });
    expect(ex).toHaveLength(2);
    expect(new Set(ex.map((e) => e.fingerprint)).size).toBe(1);
    expect(ex.every((e) => e.status === "NEW" && e.category === "BUSINESS" && e.severity === "HIGH" && e.errorCode === "M7-021")).toBe(true);
    const tx1 = ex.find((e) => e.transaction.messageId === m1)!.transaction;
    expect(tx1.status).toBe("FAILED");
    expect(tx1.payload).toMatchObject({ idocType: "MBGMCR03" });
    expect(tx1.payloadHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(tx1.hops as object)).toEqual(["ODOO>SAP_ERP"]);

    await ingestEvents(ham, items([deficit(m1, 513, new Date(Date.now() + 1000))]));
    const again = await db().exception.findMany({ where: { transaction: { messageId: m1 } } });
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ occurrences: 2, errorMessage: "Deficit of SL Unrestricted-use 13 PC : RM-4711 1000 0001" });
  });

  it("auto-resolves an exception when the message is later delivered, audited as recovered at source", async () => {
    const m = `MSG-${randomUUID()}`;
    await ingestEvents(ham, items([deficit(m, 512, new Date(Date.now() - 5000))]));
    await ingestEvents(ham, items([event({ messageId: m, outcome: "delivered" })]));
    const ex = await db().exception.findFirstOrThrow({ where: { transaction: { messageId: m } } });
    expect(ex).toMatchObject({ status: "RESOLVED", resolution: "recovered_at_source" });
    const audit = await db().auditEvent.findFirstOrThrow({ where: { type: "exception.resolved", subjectId: ex.id } });
    expect(audit).toMatchObject({ actorType: "connector", actorId: ham.connectorId, plantId: ham.plantId });
    await expect(verifyChain()).resolves.toMatchObject({ ok: true });
    // A delivery that happened before the failure does not resolve it.
    const late = `MSG-${randomUUID()}`;
    await ingestEvents(ham, items([deficit(late, 600, new Date())]));
    await ingestEvents(ham, items([event({ messageId: late, outcome: "delivered", occurredAt: new Date(Date.now() - 60_000).toISOString() })]));
    expect((await db().exception.findFirstOrThrow({ where: { transaction: { messageId: late } } })).status).toBe("NEW");
  });

  it("classifies severity: quality hold failures are critical, technical ones rank lower", async () => {
    const hold = event({
      interface: "QUALITY_HOLD",
      hop: { source: "QMS", target: "SAP_ERP" },
      outcome: "failed",
      error: { category: "technical", code: "HTTP-503", message: "Service Unavailable" },
      payload: { lot: "B2026-118" },
    });
    const tech = event({ outcome: "failed", error: { category: "technical", code: "IDOC-02", message: "Error passing data to port" }, payload: { x: 1 } });
    await ingestEvents(ham, items([hold, tech]));
    const bySeverity = await db().exception.findMany({
      where: { transaction: { messageId: { in: [hold.messageId, tech.messageId] } } },
      select: { severity: true, interface: { select: { code: true } } },
    });
    expect(Object.fromEntries(bySeverity.map((e) => [e.interface.code, e.severity]))).toEqual({ QUALITY_HOLD: "CRITICAL", GOODS_MOVEMENT: "MEDIUM" });
  });

  it("keeps per-minute rollups whose histograms give the percentiles of what was sent", async () => {
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000);
    const latencies = Array.from({ length: 200 }, (_, i) => 100 + i * 10);
    await ingestEvents(
      wro,
      items(
        latencies.map((latencyMs, i) => event({ interface: "INVOICE_POSTING", latencyMs, occurredAt: new Date(minute.getTime() + i * 100).toISOString() })),
      ),
    );
    const { id: interfaceId } = await db().interface.findUniqueOrThrow({ where: { code: "INVOICE_POSTING" } });
    const shards = await db().telemetryRollupMinute.findMany({ where: { bucket: minute, plantId: wro.plantId, outcome: "DELIVERED", interfaceId } });
    const row = {
      count: shards.reduce((n, r) => n + Number(r.count), 0),
      latencySum: shards.reduce((n, r) => n + Number(r.latencySum), 0),
      latencyMax: Math.max(...shards.map((r) => r.latencyMax)),
      histogram: shards.reduce((h, r) => merge(h, r.histogram), emptyHistogram()),
    };
    expect(Number(row.count)).toBe(200);
    expect(Number(row.latencySum)).toBe(latencies.reduce((a, b) => a + b, 0));
    expect(row.latencyMax).toBe(2090);
    const p95 = percentile(row.histogram, 0.95)!;
    expect(Math.abs(p95 - 1990) / 1990).toBeLessThan(0.05);
  });

  it("refuses events outside the retention window and oversize payloads, per item", async () => {
    const old = event({ occurredAt: new Date(Date.now() - 31 * 24 * 3600 * 1000).toISOString() });
    const future = event({ occurredAt: new Date(Date.now() + 3600 * 1000).toISOString() });
    const big = event({ outcome: "failed", error: { category: "business", code: "X", message: "x" }, payload: { blob: "x".repeat(300 * 1024) } });
    const r = await ingestEvents(ham, items([old, future, big, event()]));
    expect(r.accepted).toBe(1);
    expect(r.rejected.map((x) => x.errors[0]!.path)).toEqual(["occurredAt", "occurredAt", "payload"]);
  });
});

describe("unstorable text", () => {
  it("rejects NUL characters and lone surrogates per item, with the path", async () => {
    const nulInPayload = event({ outcome: "failed", error: { category: "business", code: "X", message: "m" }, payload: { lines: [{ text: "a\u0000b" }] } });
    const loneSurrogate = event({ businessKey: "PO-\ud800" });
    const nulId = event({ eventId: "\u0000" });
    const ok = event();
    const r = await ingestEvents(ham, items([nulInPayload, loneSurrogate, nulId, ok]));
    expect(r.accepted).toBe(1);
    expect(r.rejected.map((x) => x.errors[0]!.path)).toEqual(["payload.lines.0.text", "businessKey", "eventId"]);
  });
});

describe("transaction timeline by correlationId", () => {
  it("follows one business message across systems, in order, within the user's plants", async () => {
    const { correlationTimeline } = await import("../../server/transactions/timeline");
    const correlationId = `corr-${randomUUID()}`;
    const t0 = Date.now() - 60_000;
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    // A quality hold fans out to SAP (fails, then retried) and Odoo (delivered).
    const hold = { correlationId, messageId: `QH-${randomUUID()}`, interface: "QUALITY_HOLD" } as const;
    await ingestEvents(
      ham,
      items([
        event({ ...hold, hop: { source: "QMS", target: "ODOO" }, outcome: "delivered", occurredAt: at(2) }),
        event({
          ...hold,
          hop: { source: "QMS", target: "SAP_ERP" },
          outcome: "failed",
          occurredAt: at(1),
          error: { category: "technical", code: "HTTP-503", message: "503" },
          payload: { lot: "B1" },
        }),
      ]),
    );
    await ingestEvents(ham, items([event({ ...hold, hop: { source: "QMS", target: "SAP_ERP" }, outcome: "delivered", attempt: 2, occurredAt: at(30) })]));

    const operator = { id: "op", role: "OPERATOR", plantIds: [ham.plantId] };
    const timeline = await correlationTimeline(operator, { correlationId });
    expect(timeline.map((e) => [e.hop, e.outcome, e.attempt])).toEqual([
      ["QMS>SAP_ERP", "failed", 1],
      ["QMS>ODOO", "delivered", 1],
      ["QMS>SAP_ERP", "delivered", 2],
    ]);
    expect(timeline[0]).toMatchObject({ errorCode: "HTTP-503", plantCode: "DE-HAM", interfaceCode: "QUALITY_HOLD" });
    // Outside the user's plants there is nothing to see; a plant manager reads their own plant's (issue 20), not another's.
    expect(await correlationTimeline({ id: "x", role: "OPERATOR", plantIds: [wro.plantId] }, { correlationId })).toEqual([]);
    expect(await correlationTimeline({ id: "m", role: "VIEWER", plantIds: [ham.plantId] }, { correlationId })).toEqual(timeline);
    expect(await correlationTimeline({ id: "m", role: "VIEWER", plantIds: [wro.plantId] }, { correlationId })).toEqual([]);
    await expect(correlationTimeline({ id: "a", role: "NOBODY", plantIds: [ham.plantId] }, { correlationId })).rejects.toThrow(/transaction history/);
    await expect(correlationTimeline(operator, { correlationId: " " })).rejects.toThrow();
  });
});
