import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTERFACES, PLANTS } from "../../prisma/seed";
import { payloadSchemaFor } from "../../server/corrections/payload-schemas";
import { validatePayload } from "../../server/corrections/validate";
import { type IngestEventInput, ingestEventSchema } from "../../server/ingest/schema";
import { runReplayHandler } from "../sdk/replay";
import type { HopResult } from "./deliver";
import { FLOWS, goodsMovement, type PlannedMessage, qualityHold, supplierAsn } from "./flows";
import { type Simulation, startSimulation } from "./simulation";
import type { System } from "./traffic";

/**
 * The simulator's delivery layer against the running emulators, without the portal: a recording
 * reporter stands in for the connectors' ingest clients. Retries and resends are scheduled an hour
 * out (never within a test); a test that needs one runs it itself.
 */

type Recorded = IngestEventInput & { reporter: string };

async function start(seed: number, results: HopResult[], events: Recorded[]): Promise<Simulation> {
  return startSimulation({
    seed,
    log: () => undefined,
    holdMs: 0,
    deliveryTimeoutMs: 5_000,
    retryDelayMs: () => 3_600_000,
    fixDelayMs: () => 3_600_000,
    onResult: (result) => results.push(result),
    reporterFor: (plantCode, system) => ({
      send: async (event) => {
        ingestEventSchema.parse(event); // what the portal would accept
        events.push({ ...event, reporter: `${plantCode}/${system}` });
      },
    }),
  });
}

/** Delivered: the target applied a write with the hop's key, or says it already was in that state. */
function stateChangedOrAlready(sim: Simulation, result: HopResult): boolean {
  if (sim.landscape.applied(result.target, result.idempotencyKey) >= 1) return true;
  const response = (result.outcome.status === "delivered" ? result.outcome.response : undefined) as Record<string, unknown> | undefined;
  return response?.alreadyInTargetStockType === true || response?.changed === false;
}

describe("every interface through the real systems", () => {
  const results: HopResult[] = [];
  const events: Recorded[] = [];
  let sim: Simulation;
  beforeAll(async () => {
    sim = await start(42, results, events);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("delivers a message of each of the 12 interfaces to its target system, which changes state", async () => {
    expect(INTERFACES).toHaveLength(12);
    const delivered = new Map<string, HopResult>();
    for (let round = 0; round < 12 && delivered.size < INTERFACES.length; round++) {
      for (const plant of PLANTS) {
        for (const iface of plant.interfaces) {
          for (const result of await sim.runInterface(plant.code, iface)) {
            if (result.outcome.status === "delivered" && sim.landscape.applied(result.target, result.idempotencyKey) >= 1)
              delivered.set(result.interface, result);
          }
        }
      }
    }
    expect([...delivered.keys()].sort()).toEqual(INTERFACES.map((i) => i.code).sort());
    // …and through a system of each kind: SAP, Odoo, MES and the WMS received something.
    expect(new Set(results.filter((r) => r.outcome.status === "delivered").map((r) => r.target))).toEqual(new Set(["SAP_ERP", "ODOO", "MES", "WMS"]));
  });

  it("reports each hop through the target system's connector, with the payload in the target's form", () => {
    // The seeded contract of the interface, the alternative of the hop's target: what a correction is checked against.
    for (const result of results) {
      const issues = validatePayload(payloadSchemaFor(result.interface), result.payload, result.target);
      expect(issues, `${result.interface} → ${result.target}`).toEqual([]);
    }
    const monitored = results.filter((r) => INTERFACES.find((i) => i.code === r.interface)!.targetSystems.includes(r.target as never));
    for (const result of monitored) {
      const hopEvents = events.filter((e) => e.messageId === result.messageId && e.hop.target === result.target);
      expect(hopEvents.map((e) => e.outcome)).toEqual(["received", result.outcome.status]);
      expect(hopEvents.every((e) => e.reporter === `${result.plantCode}/${result.target}`)).toBe(true);
      expect(hopEvents[0]!.payload).toEqual(result.payload);
      const last = hopEvents.at(-1)!;
      if (result.outcome.status === "failed") {
        expect(last.payload).toEqual(result.payload);
        expect(last.error).toMatchObject({ category: result.outcome.category, code: result.outcome.code });
      }
    }
    // Failures are the targets' own answers (SAP messages, Odoo exceptions, MES/WMS codes), never invented.
    const codes = new Set(results.flatMap((r) => (r.outcome.status === "failed" ? [r.outcome.code] : [])));
    for (const code of codes) expect(code).toMatch(/^(M7-|M3-|KO-|ZSAPEMU\/|F5\/|RU\/|odoo\.exceptions\.|ODOO_|MES-|ASN-|IDOC-)/);
  });

  it("never counts a delivery that left the target unchanged (the delivery path is the replay path)", () => {
    const deliveredResults = results.filter((r) => r.outcome.status === "delivered");
    expect(deliveredResults.length).toBeGreaterThan(20);
    for (const result of deliveredResults) expect(stateChangedOrAlready(sim, result), `${result.interface} → ${result.target}`).toBe(true);
  });

  it("routes a replay to the handler of the connector's system: receivers apply it, the others refuse honestly", async () => {
    const ctx = sim.contextOf("DE-HAM");
    const [order] = await FLOWS.PRODORD_RELEASE!(ctx);
    const [asnMessage] = await supplierAsn(sim.contextOf("MX-MTY"));
    const cases: [System, PlannedMessage][] = [
      ["SAP_ERP", (await goodsMovement(ctx, { kind: "replenish" }))[0]!],
      ["ODOO", order!],
      ["MES", order!],
      ["WMS", asnMessage!],
    ];
    let n = 0;
    for (const [system, message] of cases) {
      const key = `replay-test-${++n}`;
      // First the dry run (the target's own check): it would post, and nothing is applied.
      const handler = sim.handlerFor(system);
      expect(handler.check, system).toBeDefined();
      const check = await runReplayHandler(
        { deliver: handler.check! },
        {
          replayId: key,
          idempotencyKey: `dry-${key}`,
          plantCode: "DE-HAM",
          interface: message.interface,
          messageId: key,
          correlationId: key,
          payload: message.hops[system]!.payload,
          attempt: 1,
        },
      );
      expect(check.status, `${system} dry run: ${JSON.stringify(check)}`).toBe("delivered");
      expect(sim.landscape.applied(system, `dry-${key}`), system).toBe(0);
      const outcome = await runReplayHandler(handler, {
        replayId: key,
        idempotencyKey: key,
        plantCode: "DE-HAM",
        interface: message.interface,
        messageId: key,
        correlationId: key,
        payload: message.hops[system]!.payload,
        attempt: 1,
      });
      expect(outcome.status, `${system}: ${JSON.stringify(outcome)}`).toBe("delivered");
      expect(sim.landscape.applied(system, key), system).toBe(1);
    }
    // The supplier heard the WMS's verdict on the replayed ASN (824 / APERAK).
    const asn = sim.landscape.edi.asn(String(asnMessage!.businessKey));
    expect(asn?.status).toBe("ACCEPTED");

    for (const system of ["QMS", "LIMS", "PLM", "CMMS", "SUPPLIER_PORTAL", "PLANNING"] as const) {
      const job = {
        replayId: "x",
        idempotencyKey: `none-${system}`,
        plantCode: "DE-HAM",
        interface: "QUALITY_HOLD",
        messageId: "x",
        correlationId: "x",
        payload: {},
        attempt: 1,
      };
      const handler = sim.handlerFor(system);
      // A dry run is refused the same way: it would not post.
      for (const outcome of [await runReplayHandler(handler, job), await runReplayHandler({ deliver: handler.check! }, job)]) {
        expect(outcome).toMatchObject({ status: "failed", category: "business", code: "NO_REPLAY_TARGET" });
        if (outcome.status === "failed") expect(outcome.message).toContain("this system receives no replays");
      }
    }
  });
});

describe("scenarios of SYSTEMS.md", () => {
  const results: HopResult[] = [];
  const events: Recorded[] = [];
  let sim: Simulation;
  beforeAll(async () => {
    sim = await start(7, results, events);
  });
  afterAll(async () => {
    await sim.stop();
  });

  it("1: the QMS holds a batch; a goods issue of it is refused by SAP (M7 021, blocked stock); after the release its replay posts once", async () => {
    const ctx = sim.contextOf("DE-HAM");
    const resin = { material: "RM-0815", plant: "1000", storageLocation: "0001", batch: "B2026-118" };
    const hold = await sim.runMessages("DE-HAM", await qualityHold(ctx, { action: "HOLD", material: resin.material, batch: resin.batch }));
    expect(hold.map((h) => [h.target, h.outcome.status])).toEqual([
      ["SAP_ERP", "delivered"],
      ["ODOO", "delivered"],
    ]);
    expect(sim.landscape.sap.stockOf(resin, "07")).toBeGreaterThan(0);
    expect(sim.landscape.sap.stockOf(resin, "01")).toBe(0);
    expect(sim.landscape.odoo.state.records("stock.lot").find((lot) => lot.name === resin.batch)?.locked).toBe(true);

    const [issue] = await sim.runMessages("DE-HAM", await goodsMovement(ctx, { kind: "issue", material: resin.material, batch: resin.batch, quantity: 5 }));
    expect(issue!.outcome).toMatchObject({ status: "failed", category: "business", code: "M7-021" });
    expect(issue!.outcome.status === "failed" && issue!.outcome.message).toContain("B2026-118");
    const reported = events.find((e) => e.messageId === issue!.messageId && e.outcome === "failed")!;
    expect(reported).toMatchObject({ interface: "GOODS_MOVEMENT", hop: { source: "ODOO", target: "SAP_ERP" }, error: { code: "M7-021" } });
    expect(reported.payload).toEqual(issue!.payload);

    const release = await sim.runMessages("DE-HAM", await qualityHold(ctx, { action: "RELEASE", material: resin.material, batch: resin.batch }));
    expect(release.every((h) => h.outcome.status === "delivered")).toBe(true);
    const before = sim.landscape.sap.stockOf(resin, "01");
    const job = {
      replayId: "replay-1",
      idempotencyKey: "replay-1",
      plantCode: "DE-HAM",
      interface: "GOODS_MOVEMENT",
      messageId: issue!.messageId,
      correlationId: "c",
      payload: issue!.payload,
      attempt: 1,
    };
    expect(await runReplayHandler(sim.handlerFor("SAP_ERP"), job)).toMatchObject({ status: "delivered" });
    expect(await runReplayHandler(sim.handlerFor("SAP_ERP"), { ...job, attempt: 2 })).toMatchObject({ status: "delivered" });
    expect(sim.landscape.sap.applications("replay-1")).toBe(1);
    expect(sim.landscape.sap.stockOf(resin, "01")).toBe(before - 5);
  });

  it("2: the MES confirms an order whose BOM revision is not yet effective: SAP refuses it (ZSAPEMU 023)", async () => {
    const refused: HopResult[] = [];
    for (let i = 0; i < 80 && refused.length === 0; i++) {
      for (const result of await sim.runInterface("DE-HAM", "PRODORD_CONFIRM")) {
        if (result.outcome.status === "failed" && result.outcome.code === "ZSAPEMU/023") refused.push(result);
      }
    }
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.payload).toMatchObject({ BOMRevision: "B" });
  });

  it("3: an ASN for an unknown PO line is refused by Odoo and the WMS; the supplier gets the refusal", async () => {
    const [message] = await supplierAsn(sim.contextOf("MX-MTY"), { scenario: "unknown-po-line" });
    const hops = await sim.runMessages("MX-MTY", [message!]);
    expect(Object.fromEntries(hops.map((h) => [h.target, h.outcome.status === "failed" ? h.outcome.code : "delivered"]))).toEqual({
      ODOO: "ODOO_PO_LINE_NOT_FOUND",
      WMS: "ASN-PO-LINE-UNKNOWN",
    });
    expect(sim.landscape.edi.asn(message!.businessKey)?.status).toBe("REFUSED");
  });

  it("4: SAP loses the answer after posting; the connector's retry with the same key posts once", async () => {
    const ctx = sim.contextOf("PL-WRO");
    const documents = sim.landscape.sap.materialDocuments().length;
    sim.landscape.faults.SAP_ERP.lostAnswer();
    const [first] = await sim.runMessages("PL-WRO", await goodsMovement(ctx, { kind: "replenish" }));
    expect(first!.outcome).toMatchObject({ status: "failed", category: "technical" });
    expect(sim.landscape.sap.materialDocuments().length).toBe(documents + 1);
    const retry = await runReplayHandler(sim.handlerFor("SAP_ERP"), {
      replayId: first!.messageId,
      idempotencyKey: first!.idempotencyKey,
      plantCode: "PL-WRO",
      interface: "GOODS_MOVEMENT",
      messageId: first!.messageId,
      correlationId: "c",
      payload: first!.payload,
      attempt: 2,
    });
    expect(retry.status).toBe("delivered");
    expect(sim.landscape.sap.applications(first!.idempotencyKey)).toBe(1);
    expect(sim.landscape.sap.materialDocuments().length).toBe(documents + 1);
  });

  it("6: at month-end late invoices of last month are refused by SAP's period closing (F5 201)", async () => {
    sim.scenarios.startMonthEnd(60_000);
    const codes: string[] = [];
    for (let i = 0; i < 30 && !codes.includes("F5/201"); i++) {
      for (const result of await sim.runInterface("US-CLT", "INVOICE_POSTING"))
        codes.push(result.outcome.status === "failed" ? result.outcome.code : "delivered");
    }
    sim.scenarios.endMonthEnd();
    expect(codes).toContain("F5/201");
    expect(sim.weightFactor("INVOICE_POSTING")).toBe(1);
  });

  it("7: after a unit-of-measure change (PC → ST) the MES refuses every released order the same way", async () => {
    sim.scenarios.startUomWave(60_000);
    const refusals: string[] = [];
    for (let i = 0; i < 3; i++) {
      for (const result of await sim.runInterface("DE-HAM", "PRODORD_RELEASE")) {
        if (result.target === "MES") refusals.push(result.outcome.status === "failed" ? result.outcome.code : "delivered");
      }
    }
    sim.world.uomWaveUntil = 0;
    expect(refusals).toEqual(["MES-UOM-001", "MES-UOM-001", "MES-UOM-001"]);
  });
});
