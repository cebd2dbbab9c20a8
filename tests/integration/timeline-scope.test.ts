import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import type { ConnectorPrincipal } from "../../server/connectors/keys";
import { db, pool } from "../../server/db";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { transactionHistory } from "../../server/transactions/history";
import { correlationTimeline } from "../../server/transactions/timeline";

/**
 * Issue 15: a correlation id is a connector's word. (Point 11) Another plant's connector could send the
 * same one, and the auditor's timeline merged both plants' messages: a correlation id now names a
 * message within one plant. (Point 9) The timeline scanned all telemetry between a message's earliest
 * and latest events, so one event back-dated by a month made it read a month: it now reads by
 * (plant, correlation id), a few buffers per day partition.
 */
type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
let auditor: Actor;
let operatorWro: Actor;
const run = randomUUID().slice(0, 8);

async function connector(plant: string, system: string): Promise<ConnectorPrincipal> {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: plant }, system: { kind: system as never } } });
  return { connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: plant };
}

const event = (over: Record<string, unknown>) => ({
  ok: true as const,
  value: {
    eventId: randomUUID(),
    interface: "GOODS_MOVEMENT",
    hop: { source: "ODOO", target: "SAP_ERP" },
    outcome: "delivered",
    latencyMs: 300,
    attempt: 1,
    occurredAt: new Date().toISOString(),
    ...over,
  },
});

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [auditor, operatorWro] = [await actor("auditor@andon.local"), await actor("operator.wro@andon.local")];
});

afterAll(async () => {
  await pool().query("DELETE FROM telemetry_event WHERE correlation_id LIKE $1", [`bg-${run}-%`]);
});

describe("a correlation id names a message within one plant", () => {
  it("two plants' connectors send the same correlation id: each plant's timeline and history show only its own hops", async () => {
    const correlationId = `shared-${run}`;
    const t0 = Date.now() - 60_000;
    expect(
      (
        await ingestEvents(await connector("DE-HAM", "ODOO"), [
          event({
            correlationId,
            messageId: `HAM-${run}`,
            outcome: "failed",
            occurredAt: new Date(t0).toISOString(),
            error: { category: "business", code: "M7-021", message: "Deficit" },
            payload: { q: 1 },
          }),
          event({ correlationId, messageId: `HAM-${run}`, attempt: 2, occurredAt: new Date(t0 + 20_000).toISOString() }),
        ])
      ).accepted,
    ).toBe(2);
    expect(
      (
        await ingestEvents(await connector("PL-WRO", "ODOO"), [
          event({ correlationId, messageId: `WRO-${run}`, occurredAt: new Date(t0 + 10_000).toISOString() }),
        ])
      ).accepted,
    ).toBe(1);

    const ham = await correlationTimeline(auditor, { correlationId, plant: "DE-HAM" });
    expect(ham.map((e) => [e.plantCode, e.messageId, e.outcome])).toEqual([
      ["DE-HAM", `HAM-${run}`, "failed"],
      ["DE-HAM", `HAM-${run}`, "delivered"],
    ]);
    const wro = await correlationTimeline(auditor, { correlationId, plant: "PL-WRO" });
    expect(wro.map((e) => [e.plantCode, e.messageId])).toEqual([["PL-WRO", `WRO-${run}`]]);
    // Without a plant: the plant that saw it first, never a merge of both.
    expect(new Set((await correlationTimeline(auditor, { correlationId })).map((e) => e.plantCode))).toEqual(new Set(["DE-HAM"]));
    // Someone who sees only PL-WRO gets PL-WRO's message, whichever came first.
    expect((await correlationTimeline(operatorWro, { correlationId })).map((e) => e.plantCode)).toEqual(["PL-WRO"]);
    expect(await correlationTimeline(operatorWro, { correlationId, plant: "DE-HAM" })).toEqual([]);

    const history = (await transactionHistory(auditor, correlationId, { plant: "PL-WRO" }))!;
    expect(history).toMatchObject({ plantCode: "PL-WRO", otherPlants: ["DE-HAM"] });
    expect(history.transactions.map((t) => t.plant.code)).toEqual(["PL-WRO"]);
    expect(new Set(history.timeline.map((e) => e.plantCode))).toEqual(new Set(["PL-WRO"]));
    const first = (await transactionHistory(auditor, correlationId))!;
    expect(first).toMatchObject({ plantCode: "DE-HAM", otherPlants: ["PL-WRO"] });
    expect(first.transactions.map((t) => t.messageId)).toEqual([`HAM-${run}`]);
    expect(first.timeline.every((e) => e.plantCode === "DE-HAM")).toBe(true);
    expect(await transactionHistory(operatorWro, correlationId, { plant: "DE-HAM" })).toBeNull();
  });

  it("an event back-dated by 29 days does not make the timeline read the month between", async () => {
    const clt = await connector("US-CLT", "ODOO");
    const correlationId = `backdated-${run}`;
    const now = Date.now();
    expect(
      (
        await ingestEvents(clt, [
          event({
            correlationId,
            messageId: `BD-${run}`,
            outcome: "failed",
            occurredAt: new Date(now - 29 * 86_400_000).toISOString(),
            error: { category: "technical", code: "HTTP-503", message: "503" },
            payload: { q: 1 },
          }),
          event({ correlationId, messageId: `BD-${run}`, attempt: 2, occurredAt: new Date(now - 1000).toISOString() }),
        ])
      ).accepted,
    ).toBe(2);
    // Other messages' telemetry of the same plant over those 29 days: 150,000 events.
    await pool().query(
      `INSERT INTO telemetry_event (occurred_at, connector_id, plant_id, interface_id, event_id, correlation_id, message_id, hop_source, hop_target, outcome, latency_ms, attempt)
       SELECT now() - (g / 150000.0) * interval '29 days', $1, $2, (SELECT id FROM interface WHERE code = 'GOODS_MOVEMENT'), 'ev-' || g, $3 || g, 'msg-' || g, 'ODOO', 'SAP_ERP', 'DELIVERED', 300, 1
       FROM generate_series(1, 150000) g`,
      [clt.connectorId, clt.plantId, `bg-${run}-`],
    );
    await pool().query("ANALYZE telemetry_event");

    const spy = vi.spyOn(pool(), "query");
    try {
      const timeline = await correlationTimeline(auditor, { correlationId });
      expect(timeline.map((e) => [e.outcome, e.attempt])).toEqual([
        ["failed", 1],
        ["delivered", 2],
      ]);
      const call = spy.mock.calls.find((c) => typeof c[0] === "string" && c[0].includes("FROM telemetry_event"));
      expect(call).toBeDefined();
      spy.mockRestore();
      // The same statement, with the same values, under EXPLAIN: what it reads.
      const { rows } = await pool().query<{ "QUERY PLAN": [{ Plan: { "Shared Hit Blocks": number; "Shared Read Blocks": number } }] }>(
        `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${call![0] as string}`,
        call![1] as unknown[],
      );
      const plan = rows[0]!["QUERY PLAN"][0].Plan;
      // About 30 day partitions, a few index pages each; the month's heap is over 3,000 pages.
      expect(plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]).toBeLessThan(400);
    } finally {
      spy.mockRestore();
    }
  }, 60_000);
});
