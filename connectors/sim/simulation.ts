import { PLANTS } from "../../prisma/seed";
import type { ReplayHandler } from "../sdk/replay";
import { type DeliveryStats, type HopResult, type Reporter, runMessage } from "./deliver";
import { FLOWS, type FlowContext, type PlannedMessage, seedWorkOrders } from "./flows";
import { type FaultySystem, type Landscape, startLandscape } from "./landscape";
import { replayHandlers } from "./replay";
import { int, pick, type Rng, rng, type System } from "./traffic";
import { type PlantContext, plantContext, World } from "./world";

/**
 * The simulator's delivery layer without the portal: the landscape of emulators, the plants' business
 * objects, the flows that originate messages in their source systems, and delivery through the
 * target connectors' replay handlers. Outcomes go to `reporterFor` (the SDK ingest clients in
 * simulator.ts, a recording reporter in tests).
 */
export type SimulationOptions = {
  plants?: string[];
  seed?: number;
  log?: (line: string) => void;
  reporterFor?: (plantCode: string, system: System) => Reporter | undefined;
  /** Per delivery attempt (the connector gives up and reports a technical failure). Default 10 s. */
  deliveryTimeoutMs?: number;
  retryDelayMs?: (attempt: number) => number;
  fixDelayMs?: () => number;
  /** How long the QMS keeps a batch on hold before releasing it. Default 2 minutes. */
  holdMs?: number;
  onResult?: (result: HopResult) => void;
};

export type Simulation = Awaited<ReturnType<typeof startSimulation>>;

export async function startSimulation(opts: SimulationOptions = {}) {
  const log = opts.log ?? ((line: string) => console.log(`[sim] ${line}`));
  const r: Rng = rng(opts.seed ?? Date.now());
  const plants: PlantContext[] = (opts.plants ?? PLANTS.map((p) => p.code)).map(plantContext);
  const deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 10_000;
  const landscape: Landscape = await startLandscape({ timeoutMs: deliveryTimeoutMs });
  const world = new World();
  await seedWorkOrders(landscape, world);
  const handlerFor: (system: System) => ReplayHandler = replayHandlers(landscape, { timeoutMs: deliveryTimeoutMs });
  const stats: DeliveryStats = { messages: 0, delivered: 0, failedBusiness: 0, failedTechnical: 0, fixedAtSource: 0, retried: 0, refusedAtSource: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const later = (ms: number, fn: () => void) => {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };
  const deps = {
    r,
    log,
    stats,
    handlerFor,
    reporterFor: opts.reporterFor ?? (() => undefined),
    later,
    retryDelayMs: opts.retryDelayMs ?? ((attempt: number) => int(r, 15, 60) * 1000 * attempt),
    fixDelayMs: opts.fixDelayMs ?? (() => int(r, 60, 240) * 1000),
    deliveryTimeoutMs,
    onResult: opts.onResult,
  };

  const contextOf = (plantCode: string): FlowContext => {
    const plant = plants.find((p) => p.code === plantCode) ?? plantContext(plantCode);
    return {
      l: landscape,
      world,
      r,
      plant,
      log,
      now: () => Date.now(),
      holdMs: opts.holdMs ?? 120_000,
      refused: (what, error) => {
        stats.refusedAtSource++;
        const e = error as { code?: string; message?: string };
        log(`${plant.code}: ${what} not done at the source${e.code ? ` (${e.code})` : ""}: ${String(e.message ?? error).slice(0, 200)}`);
      },
    };
  };

  /** Delivers messages one after the other (a usage decision's INSPECTION_RESULT before its QUALITY_HOLD). */
  async function runMessages(plantCode: string, messages: PlannedMessage[]): Promise<HopResult[]> {
    const results: HopResult[] = [];
    for (const message of messages) results.push(...(await runMessage(deps, contextOf(message.plantCode ?? plantCode).plant, message)));
    return results;
  }

  /** Originates the next message(s) of an interface at a plant and delivers them. */
  async function runInterface(plantCode: string, iface: string): Promise<HopResult[]> {
    const flow = FLOWS[iface];
    if (!flow) return [];
    return runMessages(plantCode, await flow(contextOf(plantCode)));
  }

  const faulty: FaultySystem[] = ["SAP_ERP", "ODOO", "MES", "PLM", "QMS", "WMS", "CMMS", "SUPPLIER_PORTAL", "PLANNING"];
  const scenarios = {
    /** Scenario 6: a month-end burst; SAP's FI closes last month's period (late invoices are refused F5 201). */
    startMonthEnd(ms: number) {
      world.monthEndUntil = Date.now() + ms;
      const now = new Date();
      const next = now.getUTCMonth() === 11 ? { year: now.getUTCFullYear() + 1, period: 1 } : { year: now.getUTCFullYear(), period: now.getUTCMonth() + 2 };
      for (const cc of ["1000", "2000", "4000"]) landscape.sap.setPostingPeriod(cc, next);
      later(ms, () => scenarios.endMonthEnd());
      log(`month-end: invoice postings ×10 for ${Math.round(ms / 60_000)} min; SAP closed the previous posting period`);
    },
    endMonthEnd() {
      world.monthEndUntil = 0;
      const now = new Date();
      for (const cc of ["1000", "2000", "4000"]) landscape.sap.setPostingPeriod(cc, { year: now.getUTCFullYear(), period: now.getUTCMonth() + 1 });
    },
    /** Scenario 7: the ERP's unit mapping changed (PC → ST) without the MES being told. */
    startUomWave(ms: number) {
      world.uomWaveUntil = Date.now() + ms;
      log(`unit-of-measure change: production orders go to the MES in ST instead of PC for ${Math.round(ms / 60_000)} min`);
    },
    /** Fault injection into the emulators, checked once a minute. */
    disturb() {
      const f = landscape.faults;
      if (r() < 0.15) {
        const n = int(r, 10, 40);
        f.SAP_ERP.unavailable(n);
        log(`SAP goes down for its next ${n} requests (503)`);
      }
      if (r() < 0.1) {
        f.SAP_ERP.lostAnswer();
        log("SAP will lose the answer of its next request after posting (the retry must not post twice)");
      }
      if (r() < 0.03) {
        f.SAP_ERP.hang(deliveryTimeoutMs + 3000, "before");
        log("SAP hangs on its next request beyond the connector's timeout");
      }
      if (r() < 0.05) {
        const n = int(r, 5, 20);
        f.ODOO.unavailable(n);
        log(`Odoo goes down for its next ${n} requests (503)`);
      }
      if (r() < 0.05) {
        f.ODOO.lostAnswer();
        log("Odoo will lose the answer of its next request after applying it");
      }
      for (const system of faulty.slice(2)) {
        const roll = r();
        if (roll < 0.02) {
          const n = int(r, 3, 10);
          f[system].unavailable(n);
          log(`${system} goes down for its next ${n} requests (503)`);
        } else if (roll < 0.04) {
          f[system].lostAnswer();
          log(`${system} will lose the answer of its next request after applying it`);
        }
      }
      if (world.monthEndUntil === 0 && r() < 0.02) scenarios.startMonthEnd(int(r, 6, 12) * 60_000);
      if (Date.now() > world.uomWaveUntil && r() < 0.015) scenarios.startUomWave(int(r, 3, 6) * 60_000);
    },
  };

  return {
    landscape,
    world,
    stats,
    plants,
    handlerFor,
    contextOf,
    runInterface,
    runMessages,
    scenarios,
    later,
    /** Interface volume multiplier of the moment (month-end: invoices ×10). */
    weightFactor: (iface: string) => (iface === "INVOICE_POSTING" && Date.now() < world.monthEndUntil ? 10 : 1),
    pick: <T>(xs: readonly T[]) => pick(r, xs),
    async stop(): Promise<void> {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await landscape.close();
    },
  };
}
