import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import { overview } from "../../server/dashboards/overview";
import { plantInterfaceMetrics } from "../../server/dashboards/plant-metrics";
import { ingestEvents } from "../../server/ingest/ingest-events";
import { MAX_RELATIVE_ERROR } from "../../server/metrics/histogram";

type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;
const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
let manager: Actor; // DE-HAM + PL-WRO
let managerMty: Actor; // MX-MTY only

/** Exact nearest-rank percentile of raw values, what the histogram approximates. */
const exact = (sorted: number[], q: number) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;

beforeAll(async () => {
  await seedReference(db());
  await seedDemoUsers(db());
  [manager, managerMty] = (await Promise.all(["manager@andon.local", "manager.mty@andon.local"].map(actor))) as [Actor, Actor];
});

describe("plant metrics from the rollups", () => {
  it("throughput, failure rate and p50/p95/p99 match the raw events within the histogram's error bound", async () => {
    const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } } });
    // A window of its own, three hours back, so events other tests send "now" stay out of it.
    const start = new Date(Math.floor((Date.now() - 3 * 3_600_000) / 60_000) * 60_000);
    const latencies: number[] = [];
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const events = Array.from({ length: 3000 }, (_, i) => {
      const failed = i % 30 === 0;
      // Log-normal-ish latencies from ~100 ms to minutes, so the percentiles spread over many buckets.
      const latencyMs = Math.round(Math.exp(5 + 4 * rand() * rand() + 2 * rand()));
      if (!failed) latencies.push(latencyMs);
      return {
        ok: true as const,
        value: {
          eventId: randomUUID(), correlationId: randomUUID(), messageId: `DM-${randomUUID()}`, interface: "GOODS_MOVEMENT", hop: { source: "ODOO", target: "SAP_ERP" },
          occurredAt: new Date(start.getTime() + (i % 10) * 60_000 + 1000).toISOString(), outcome: failed ? ("failed" as const) : ("delivered" as const), latencyMs, attempt: 1,
          ...(failed ? { error: { category: "technical" as const, code: "HTTP-503", message: "SAP inbound unavailable" }, payload: { q: 1 } } : {}),
        },
      };
    });
    for (let i = 0; i < events.length; i += 1000) {
      const r = await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: "DE-HAM" }, events.slice(i, i + 1000));
      expect(r.rejected).toEqual([]);
    }
    const m = await plantInterfaceMetrics(manager, "DE-HAM", { from: start.toISOString(), to: new Date(start.getTime() + 10 * 60_000).toISOString() });
    const gm = m.interfaces.find((i) => i.code === "GOODS_MOVEMENT")!;
    expect(gm.delivered).toBe(2900);
    expect(gm.failed).toBe(100);
    expect(gm.failureRate).toBeCloseTo(100 / 3000, 10);
    expect(gm.throughputPerMin).toBe(300);
    latencies.sort((a, b) => a - b);
    for (const [q, key] of [[0.5, "p50"], [0.95, "p95"], [0.99, "p99"]] as const) {
      const approx = gm.latency[key]!;
      const truth = exact(latencies, q);
      const error = Math.abs(approx - truth) / truth;
      console.log(`${key}: histogram ${approx.toFixed(0)} ms, exact ${truth} ms, error ${(100 * error).toFixed(2)} % (bound ${(100 * MAX_RELATIVE_ERROR).toFixed(2)} %)`);
      expect(error).toBeLessThanOrEqual(MAX_RELATIVE_ERROR);
    }
    expect(gm.sloBreached).toBe(gm.latency.p95! > gm.sloMs);
    // Interfaces without traffic in the window say so instead of showing zeros as latencies.
    const quiet = m.interfaces.find((i) => i.code === "MATERIAL_MASTER")!;
    expect(quiet).toMatchObject({ delivered: 0, failed: 0, failureRate: null, latency: { p50: null, p95: null, p99: null }, sloBreached: false });
  });

  it("the open backlog by age adds up to the plant's open exceptions per interface", async () => {
    const m = await plantInterfaceMetrics(manager, "DE-HAM", { range: "1h" });
    const open = await db().exception.groupBy({ by: ["interfaceId"], where: { plant: { code: "DE-HAM" }, status: { notIn: ["RESOLVED", "DISCARDED"] } }, _count: { _all: true } });
    const ifaces = await db().interface.findMany();
    for (const o of open) {
      const row = m.interfaces.find((i) => i.code === ifaces.find((x) => x.id === o.interfaceId)!.code)!;
      expect(Object.values(row.backlog).reduce((a, b) => a + b, 0)).toBe(o._count._all);
      expect(row.openTechnical + row.openBusiness).toBe(o._count._all);
    }
  });

  it("a plant outside the manager's scope does not exist for them; bad ranges are refused", async () => {
    await expect(plantInterfaceMetrics(managerMty, "DE-HAM", {})).rejects.toMatchObject({ status: 404 });
    await expect(plantInterfaceMetrics(manager, "NOPE", {})).rejects.toMatchObject({ status: 404 });
    await expect(plantInterfaceMetrics(manager, "DE-HAM", { range: "5y" })).rejects.toThrow();
    await expect(plantInterfaceMetrics(manager, "DE-HAM", { from: "2026-11-02T00:00:00Z", to: "2026-11-01T00:00:00Z" })).rejects.toThrow(/before/);
  });
});

describe("overview tiles", () => {
  it("each user gets tiles of their plants only, with open counts that match the exceptions", async () => {
    expect((await overview(managerMty)).map((t) => t.code)).toEqual(["MX-MTY"]);
    const tiles = await overview(manager);
    expect(tiles.map((t) => t.code)).toEqual(["DE-HAM", "PL-WRO"]);
    for (const t of tiles) {
      const open = await db().exception.count({ where: { plant: { code: t.code }, status: { notIn: ["RESOLVED", "DISCARDED"] } } });
      expect(t.open.total).toBe(open);
      expect(Object.values(t.open.bySeverity).reduce((a, b) => a + b, 0)).toBe(open);
      const connectors = await db().connector.count({ where: { plant: { code: t.code } } });
      expect(t.connectors).toHaveLength(connectors);
    }
  });
});
