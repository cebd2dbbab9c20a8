import { randomBytes } from "node:crypto";
import path from "node:path";
import { PLANTS } from "../../prisma/seed";
import { createIngestClient, type IngestClient, startReplayPushServer } from "../sdk";
import { startSimulation } from "./simulation";
import { int, rng, type System, shiftFactor, TRAFFIC, weighted } from "./traffic";

/**
 * The plant simulator: 4 plants × their interfaces. Every plant system is an emulator (SAP, Odoo,
 * MES, PLM, QMS/LIMS, WMS, CMMS, supplier portal, planning), represented towards Andon by its own
 * connector (an SDK client with its own key and on-disk journal, and a push-replay endpoint whose
 * handler delivers into that system). Messages originate in their source systems, are delivered
 * through the target connectors' replay handlers and reported through the ingest API. Now and then:
 * shift-change bursts, faults in the emulators (downtime, hangs, lost answers after posting), a
 * month-end burst of invoices, a unit-of-measure change, and a connector losing its network.
 */
export type DemoKeys = Record<string, { key: string; plantCode: string; system: string; name: string }>;

export type SimulatorOptions = {
  portalUrl: string;
  keys: DemoKeys;
  /** Events per second over all plants (each message is 2–3 events). */
  rate: number;
  plants?: number;
  journalRoot: string;
  seed?: number;
  /** Faults, scenarios and connector network outages (default on). */
  disturbances?: boolean;
  log?: (line: string) => void;
};

export type SimulatorStats = {
  messages: number;
  delivered: number;
  failedBusiness: number;
  failedTechnical: number;
  fixedAtSource: number;
  retried: number;
  refusedAtSource: number;
  outages: number;
  /** Events the portal accepted from the simulator's connectors (a connector whose key was rotated away sends none). */
  eventsAccepted: number;
};

/** The plants a simulation of `count` plants runs (the seed's first ones). */
export const simulatedPlants = (count = PLANTS.length) => PLANTS.slice(0, count);

/** Whether a simulation of `count` plants runs that interface at that plant (what stopFlow accepts). */
export function runsFlow(count: number | undefined, plantCode: string, interfaceCode: string): boolean {
  return simulatedPlants(count).some((p) => p.code === plantCode && p.interfaces.includes(interfaceCode));
}

type Connector = { id: string; plantCode: string; system: System; client: IngestClient; offlineUntil: number };

export async function startSimulator(opts: SimulatorOptions) {
  const log = opts.log ?? ((line: string) => console.log(`[sim] ${line}`));
  const seed = opts.seed ?? Date.now();
  const r = rng(seed ^ 0x5eed);
  const plants = simulatedPlants(opts.plants);

  const connectors: Connector[] = [];
  for (const [id, k] of Object.entries(opts.keys)) {
    if (!plants.some((p) => p.code === k.plantCode)) continue;
    const connector: Connector = { id, plantCode: k.plantCode, system: k.system as System, client: undefined as unknown as IngestClient, offlineUntil: 0 };
    // The connector's network: during an outage every request to the portal fails like a cut cable.
    const fetchThroughNetwork: typeof fetch = (input, init) =>
      Date.now() < connector.offlineUntil ? Promise.reject(new TypeError("fetch failed (simulated network outage)")) : fetch(input, init);
    connector.client = await createIngestClient({
      baseUrl: opts.portalUrl,
      apiKey: k.key,
      journalDir: path.join(opts.journalRoot, id),
      connectorVersion: "sim-1.0",
      heartbeatIntervalMs: 10_000,
      flushIntervalMs: 500,
      fetch: fetchThroughNetwork,
      onRejected: (rejected) => log(`portal rejected event ${rejected.eventId} of ${k.name}: ${JSON.stringify(rejected.errors)}`),
    });
    connectors.push(connector);
  }
  const connectorOf = (plantCode: string, system: System) =>
    connectors.find((c) => c.plantCode === plantCode && (c.system === system || (system === "QMS" && c.system === "LIMS")));

  const sim = await startSimulation({
    plants: plants.map((p) => p.code),
    seed,
    log,
    // The target system's connector reports its hop; when the simulator holds no key of it (other
    // tests rotate keys), another connector of the plant does.
    reporterFor: (plantCode, system) => (connectorOf(plantCode, system) ?? connectors.find((c) => c.plantCode === plantCode))?.client,
  });
  const stats = { outages: 0 };

  // Replays: every connector receives signed push replays and delivers them into its own system
  // with its system's handler (replay.ts), then tells Andon where it listens.
  const pushServers: { close: () => Promise<void> }[] = [];
  for (const c of connectors) {
    const secret = randomBytes(24).toString("hex");
    const push = await startReplayPushServer({ secret, handler: sim.handlerFor(c.system) });
    pushServers.push(push);
    const res = await fetch(`${opts.portalUrl}/api/connectors/v1/replay-endpoint`, {
      method: "POST",
      headers: { authorization: `Bearer ${opts.keys[c.id]!.key}`, "content-type": "application/json" },
      body: JSON.stringify({ url: push.url, secret }),
    }).catch((err: unknown) => ({ ok: false, status: 0, text: async () => (err as Error).message }));
    if (!res.ok) log(`could not register the replay endpoint of ${c.plantCode}/${c.system}: ${res.status} ${await res.text()}`);
  }

  // Traffic: per plant, rate/plants events per second (≈ 2.2 events per message), × 3 at shift changes.
  const TICK_MS = 200;
  const owed = new Map(plants.map((p) => [p.code, 0]));
  // Flows stopped at their source ("plant|interface"): no new messages, while every connector keeps its heartbeats.
  const stoppedFlows = new Set<string>();
  let inFlight = 0;
  const ticker = setInterval(() => {
    for (const plant of plants) {
      const perPlantMessages = opts.rate / 2.2 / plants.length;
      let due = owed.get(plant.code)! + perPlantMessages * (TICK_MS / 1000) * shiftFactor(plant.timezone);
      const mix = TRAFFIC.filter((t) => plant.interfaces.includes(t.code) && !stoppedFlows.has(`${plant.code}|${t.code}`)).map((t) => ({
        ...t,
        weight: t.weight * sim.weightFactor(t.code),
      }));
      while (due >= 1 && inFlight < 200 && mix.length) {
        due -= 1;
        inFlight++;
        sim
          .runInterface(plant.code, weighted(r, mix).code)
          .catch((err: unknown) => log(`message failed in the simulator itself: ${(err as Error).stack ?? err}`))
          .finally(() => inFlight--);
      }
      owed.set(plant.code, Math.min(due, 50));
    }
  }, TICK_MS);

  // Disturbances, checked once a minute.
  const disturbances = setInterval(() => {
    if (opts.disturbances === false) return;
    sim.scenarios.disturb();
    for (const c of connectors) {
      if (r() < 0.02) {
        const seconds = int(r, 30, 90);
        c.offlineUntil = Date.now() + seconds * 1000;
        stats.outages++;
        log(`connector ${c.plantCode}/${c.system} loses its network for ${seconds} s (events wait in its journal)`);
      }
    }
  }, 60_000);

  const report = setInterval(() => {
    const pending = connectors.reduce((n, c) => n + c.client.stats().pending, 0);
    const s = sim.stats;
    log(
      `${s.messages} messages: ${s.delivered} delivered, ${s.failedBusiness} business / ${s.failedTechnical} technical failures, ${s.fixedAtSource} fixed at source, ${s.refusedAtSource} refused at the source, ${pending} events waiting in journals`,
    );
  }, 30_000);

  const l = sim.landscape;
  log(
    `simulating ${plants.map((p) => p.code).join(", ")} at ~${opts.rate} events/s → ${opts.portalUrl} (SAP ${l.sap.url}, Odoo ${l.odoo.url}, MES ${l.mes.url}, PLM ${l.plm.url}, QMS ${l.qms.url}, WMS ${l.wms.url}, CMMS ${l.cmms.url}, supplier portal ${l.edi.url}, planning ${l.planning.url})`,
  );

  /** Per connector, what the portal accepted: kept when a client closes (its journal is released then). */
  const acceptedAtClose = new Map<string, number>();
  const eventsAccepted = () =>
    connectors.reduce((n, c) => {
      if (acceptedAtClose.has(c.id)) return n + acceptedAtClose.get(c.id)!;
      try {
        return n + c.client.stats().accepted;
      } catch {
        return n;
      }
    }, 0);

  return {
    stats: (): SimulatorStats => ({ ...sim.stats, outages: stats.outages, eventsAccepted: eventsAccepted() }),
    pending: () => connectors.reduce((n, c) => n + c.client.stats().pending, 0),
    /**
     * The silent stop: the plant's source system stops producing this interface's messages (an MES that
     * no longer confirms, a batch that never starts) while every connector stays up and heartbeats.
     * The plant's other traffic carries on; resumeFlow starts it again.
     */
    stopFlow(plantCode: string, interfaceCode: string): void {
      if (!runsFlow(opts.plants, plantCode, interfaceCode)) throw new Error(`${plantCode} does not run ${interfaceCode} in this simulation`);
      stoppedFlows.add(`${plantCode}|${interfaceCode}`);
      log(`${interfaceCode} stopped at ${plantCode} (its connectors keep their heartbeats)`);
    },
    resumeFlow(plantCode: string, interfaceCode: string): void {
      if (stoppedFlows.delete(`${plantCode}|${interfaceCode}`)) log(`${interfaceCode} flows again at ${plantCode}`);
    },
    stoppedFlows: () => [...stoppedFlows],
    async stop(): Promise<void> {
      clearInterval(ticker);
      clearInterval(disturbances);
      clearInterval(report);
      for (const c of connectors) c.offlineUntil = 0;
      // Messages under way finish (briefly) before the systems go away.
      const deadline = Date.now() + 5_000;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all(
        connectors.map(async (c) => {
          await c.client.close({ timeoutMs: 5_000 }).catch(() => undefined);
          try {
            acceptedAtClose.set(c.id, c.client.stats().accepted);
          } catch {
            // a closed client that no longer reports: counted as nothing accepted after its last report
          }
        }),
      );
      await Promise.all(pushServers.map((p) => p.close()));
      await sim.stop();
    },
  };
}
