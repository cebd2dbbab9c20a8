import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { PLANTS } from "../../prisma/seed";
import { OdooClient } from "../odoo/client";
import { startOdooEmulator } from "../odoo/emulator";
import { odooReplayHandler } from "../odoo/replay-handler";
import { sapReplayHandler, startSapEmulator } from "../sap";
import { createIngestClient, type IngestClient, startReplayPushServer } from "../sdk";
import type { ReplayHandler } from "../sdk/replay";
import { type Attempt, buildMessage } from "./deliver";
import { type InterfaceTraffic, type Rng, type System, TRAFFIC, int, latencyMs, rng, shiftFactor, weighted } from "./traffic";

/**
 * The plant simulator: 4 plants × their interfaces, each plant system represented by its own
 * connector process-equivalent (an SDK client with its own key and on-disk journal), delivering real
 * messages to the SAP and Odoo emulators and reporting every outcome to Andon through the ingest API.
 * Now and then: shift-change bursts, SAP downtime, and a connector that loses its network for a minute.
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
  /** Connector network outages and target downtime (default on). */
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
  outages: number;
};

type Connector = { id: string; plantCode: string; system: System; client: IngestClient; offlineUntil: number };

export async function startSimulator(opts: SimulatorOptions) {
  const log = opts.log ?? ((line: string) => console.log(`[sim] ${line}`));
  const r: Rng = rng(opts.seed ?? Date.now());
  const plants = PLANTS.slice(0, opts.plants ?? PLANTS.length);
  const sap = await startSapEmulator({ port: 0 });
  const odooEmulator = await startOdooEmulator({ port: 0 });
  const odoo = new OdooClient({
    url: odooEmulator.url,
    db: odooEmulator.db,
    login: odooEmulator.login,
    password: odooEmulator.credentials().password ?? "admin",
    timeoutMs: 15_000,
  });
  const stats: SimulatorStats = { messages: 0, delivered: 0, failedBusiness: 0, failedTechnical: 0, fixedAtSource: 0, retried: 0, outages: 0 };
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

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

  // Replays: every connector receives signed push replays and delivers them to its system (the
  // emulators), then tells Andon where it listens. Interfaces we do not emulate object by object
  // are accepted by the simulated target.
  const sapReplay = sapReplayHandler(sap.url);
  const odooReplay = odooReplayHandler(odoo, {
    PRODORD_RELEASE: "mrp.production",
    MATERIAL_MASTER: "product.product",
    MAINT_WORK_ORDER: "maintenance.request",
  });
  const replayHandler: ReplayHandler = {
    deliver: (job) =>
      ["GOODS_MOVEMENT", "SPARE_PARTS_USAGE"].includes(job.interface)
        ? sapReplay.deliver(job)
        : ["PRODORD_RELEASE", "MATERIAL_MASTER", "MAINT_WORK_ORDER"].includes(job.interface)
          ? odooReplay.deliver(job)
          : Promise.resolve({ status: "delivered" as const, response: { simulatedTarget: true }, durationMs: 0 }),
  };
  const pushServers: { close: () => Promise<void> }[] = [];
  for (const c of connectors) {
    const secret = randomBytes(24).toString("hex");
    const push = await startReplayPushServer({ secret, handler: replayHandler });
    pushServers.push(push);
    const res = await fetch(`${opts.portalUrl}/api/connectors/v1/replay-endpoint`, {
      method: "POST",
      headers: { authorization: `Bearer ${opts.keys[c.id]!.key}`, "content-type": "application/json" },
      body: JSON.stringify({ url: push.url, secret }),
    }).catch((err: unknown) => ({ ok: false, status: 0, text: async () => (err as Error).message }));
    if (!res.ok) log(`could not register the replay endpoint of ${c.plantCode}/${c.system}: ${res.status} ${await res.text()}`);
  }

  /** The connector that reports a hop: the target system's at the plant, else the source's, else any. */
  const reporter = (plantCode: string, source: System, target: System) =>
    connectors.find((c) => c.plantCode === plantCode && c.system === target) ??
    connectors.find((c) => c.plantCode === plantCode && c.system === source) ??
    connectors.find((c) => c.plantCode === plantCode);

  const later = (ms: number, fn: () => void) => {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };

  async function runMessage(plantCode: string, traffic: InterfaceTraffic) {
    stats.messages++;
    const messageId = `${traffic.code.slice(0, 4)}-${plantCode}-${randomUUID().slice(0, 13)}`;
    const correlationId = randomUUID();
    const businessKey = `${plantCode.slice(0, 2)}${int(r, 100000, 999999)}`;
    for (const target of traffic.targets) {
      const connector = reporter(plantCode, traffic.source, target);
      if (!connector) continue;
      const hop = { source: traffic.source, target };
      const message = buildMessage(r, traffic, plantCode, { sapUrl: sap.url, odoo }, `${messageId}-${target}`);
      const report = (
        outcome: "received" | "delivered" | "failed" | "retrying",
        attempt: number,
        latency: number,
        result?: Attempt,
        payload = message.payload,
      ) =>
        connector.client
          .send({
            eventId: randomUUID(),
            correlationId,
            messageId,
            interface: traffic.code,
            hop,
            businessKey,
            occurredAt: new Date().toISOString(),
            outcome,
            latencyMs: latency,
            attempt,
            ...(result && !result.ok ? { error: result.failure, payload } : {}),
          })
          .catch((err: unknown) => log(`journal refused an event: ${(err as Error).message}`));

      await report("received", 1, int(r, 5, 60));
      const deliver = async (attempt: number, payload: Record<string, unknown>) => {
        const started = Date.now();
        const result = await message.send(payload, attempt);
        const latency = Date.now() - started + latencyMs(r, traffic.sloMs);
        if (result.ok) {
          stats.delivered++;
          await report("delivered", attempt, latency);
          return;
        }
        await report("failed", attempt, latency, result, payload);
        if (result.failure.category === "technical") {
          stats.failedTechnical++;
          if (attempt < 4) {
            // The connector retries technical failures itself, with backoff.
            later(int(r, 15, 60) * 1000 * attempt, () => {
              stats.retried++;
              void report("retrying", attempt + 1, 0).then(() => deliver(attempt + 1, payload));
            });
          }
        } else {
          stats.failedBusiness++;
          // Some causes get fixed in the source system and the message is resent (Andon then
          // resolves the exception "recovered at source"); the rest wait for support in Andon.
          if (attempt === 1 && message.fix && r() < 0.3) {
            later(int(r, 60, 240) * 1000, () => {
              stats.fixedAtSource++;
              void deliver(attempt + 1, message.fix!(payload));
            });
          }
        }
      };
      await deliver(1, message.payload);
    }
  }

  // Traffic: per plant, rate/plants events per second (≈ 2.2 events per message), × 3 at shift changes.
  const TICK_MS = 200;
  const owed = new Map(plants.map((p) => [p.code, 0]));
  let inFlight = 0;
  const ticker = setInterval(() => {
    for (const plant of plants) {
      const perPlantMessages = opts.rate / 2.2 / plants.length;
      let due = owed.get(plant.code)! + perPlantMessages * (TICK_MS / 1000) * shiftFactor(plant.timezone);
      const mix = TRAFFIC.filter((t) => plant.interfaces.includes(t.code));
      while (due >= 1 && inFlight < 200) {
        due -= 1;
        inFlight++;
        runMessage(plant.code, weighted(r, mix))
          .catch((err: unknown) => log(`message failed in the simulator itself: ${(err as Error).message}`))
          .finally(() => inFlight--);
      }
      owed.set(plant.code, Math.min(due, 50));
    }
  }, TICK_MS);

  // Disturbances, checked once a minute.
  const disturbances = setInterval(() => {
    if (opts.disturbances === false) return;
    if (r() < 0.15) {
      const n = int(r, 10, 40);
      sap.faults.unavailable(n, 30);
      log(`SAP inbound goes down for the next ${n} IDocs (503)`);
    }
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
    log(
      `${stats.messages} messages: ${stats.delivered} delivered, ${stats.failedBusiness} business / ${stats.failedTechnical} technical failures, ${stats.fixedAtSource} fixed at source, ${pending} events waiting in journals`,
    );
  }, 30_000);

  log(
    `simulating ${plants.map((p) => p.code).join(", ")} at ~${opts.rate} events/s → ${opts.portalUrl} (SAP emulator ${sap.url}, Odoo emulator ${odooEmulator.url})`,
  );

  return {
    stats: () => ({ ...stats }),
    pending: () => connectors.reduce((n, c) => n + c.client.stats().pending, 0),
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(ticker);
      clearInterval(disturbances);
      clearInterval(report);
      for (const t of timers) clearTimeout(t);
      for (const c of connectors) c.offlineUntil = 0;
      await Promise.all(connectors.map((c) => c.client.close({ timeoutMs: 5_000 }).catch(() => undefined)));
      await Promise.all(pushServers.map((p) => p.close()));
      await Promise.all([sap.close(), odooEmulator.close()]);
    },
  };
}
