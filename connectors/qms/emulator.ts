import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { FaultQueue, faultControls, type FaultControls } from "../rest-emulator/faults";
import { ApiError, argument, parseBody, snapshotState, startRestServer, type RestCounters, type Route } from "../rest-emulator/http";
import { stockTypeSchema } from "./schema";
import { createSeededQms } from "./seed";
import type { InspectionLot, OutboundEvent, QmsBatch, QmsState, QualityHold } from "./state";

/**
 * QMS/LIMS emulator: REST/JSON over node:http, state in memory (see README.md).
 *
 *   GET  /qms/api/v1/materials                              materials with their inspection plans
 *   GET  /qms/api/v1/batches?material=&plant=&batch=&stockType=
 *   POST /qms/api/v1/inspection-lots                        create (origin 01 goods receipt / 04 production)
 *   GET  /qms/api/v1/inspection-lots?material=&plant=&batch=&status=,  GET …/inspection-lots/{lot}
 *   POST /qms/api/v1/inspection-lots/{lot}/results          record results
 *   POST /qms/api/v1/inspection-lots/{lot}/usage-decision   usage decision (same decision again: 200, unchanged)
 *   POST /qms/api/v1/quality-holds                          hold a batch
 *   POST /qms/api/v1/quality-holds/release                  release a batch
 *   GET  /qms/api/v1/quality-holds?status=&material=&batch=, GET …/quality-holds/{holdNumber}
 *   GET  /qms/api/v1/events?after=&limit=                   outbound feed (QUALITY_HOLD, INSPECTION_RESULT)
 *   GET  /qms/health
 *   GET|POST|DELETE /qms/_emulator/faults, POST /qms/_emulator/reset, GET /qms/_emulator/state,
 *   POST /qms/_emulator/batches                             controls for a simulator in another process
 */

export interface QmsEmulatorOptions {
  port?: number;
  host?: string;
  now?: () => Date;
}

export interface QmsEmulator {
  url: string;
  port: number;
  faults: FaultControls;
  readonly state: QmsState;
  reset(): void;
  close(): Promise<void>;
  counters(): RestCounters;
  /** How often a write with this Idempotency-Key was applied (never more than 1). */
  applications(key: string): number;
  batch(material: string, plant: string, batch: string): QmsBatch | undefined;
  lot(inspectionLot: string): InspectionLot | undefined;
  hold(holdNumber: string): QualityHold | undefined;
  /** Outbound messages after `after` (a seq), oldest first. */
  events(after?: number): OutboundEvent[];
}

const BASE = "/qms/api/v1";

const createLotSchema = z
  .object({
    origin: z.enum(["01", "04"]),
    material: z.string().min(1).max(40),
    plant: z.string().min(1).max(4),
    batch: z.string().min(1).max(10),
    storageLocation: z.string().min(1).max(4).optional(),
    quantity: z.number().positive(),
    unit: z.string().min(1).max(3),
  })
  .strict();

const resultsSchema = z
  .object({
    results: z
      .array(z.object({ characteristic: z.string().regex(/^[0-9]{4}$/), measuredValue: z.number(), remark: z.string().max(255).optional() }).strict())
      .min(1),
    recordedBy: z.string().min(1).max(40).optional(),
  })
  .strict();

const usageDecisionSchema = z
  .object({ code: z.string().min(1).max(3), text: z.string().max(255).optional(), decidedBy: z.string().min(1).max(40).optional() })
  .strict();

const batchRefSchema = { material: z.string().min(1).max(40), plant: z.string().min(1).max(4), batch: z.string().min(1).max(10) };

const holdSchema = z
  .object({
    ...batchRefSchema,
    reason: z.string().min(1).max(255),
    reasonCode: z.string().min(1).max(20).optional(),
    inspectionLot: z.string().min(1).optional(),
    targetStockType: z.enum(["BLOCKED", "QUALITY_INSPECTION"]).optional(),
  })
  .strict();

const releaseSchema = z.object({ ...batchRefSchema, reason: z.string().min(1).max(255).optional() }).strict();

const seedBatchSchema = z
  .object({
    ...batchRefSchema,
    storageLocation: z.string().min(1).max(4).default("0001"),
    quantity: z.number().positive(),
    unit: z.string().min(1).max(3),
    stockType: stockTypeSchema.default("UNRESTRICTED"),
  })
  .strict();

const messagesOf = (events: OutboundEvent[]) => events.map((e) => ({ seq: e.seq, interface: e.interface, payload: e.payload }));

export async function startQmsEmulator(options: QmsEmulatorOptions = {}): Promise<QmsEmulator> {
  const now = options.now ?? (() => new Date());
  let qms = createSeededQms(now);
  const queue = new FaultQueue();

  const filter = <T extends object>(rows: T[], query: URLSearchParams, names: (keyof T & string)[]) =>
    rows.filter((row) => names.every((name) => query.get(name) === null || String(row[name]) === query.get(name)));

  const routes: Route[] = [
    { method: "GET", path: "/qms/health", kind: "read", handle: () => ({ status: 200, body: { status: "UP" } }) },
    { method: "GET", path: `${BASE}/materials`, kind: "read", handle: () => ({ status: 200, body: { materials: [...qms.materials.values()] } }) },
    {
      method: "GET",
      path: `${BASE}/batches`,
      kind: "read",
      handle: ({ query }) => ({ status: 200, body: { batches: filter([...qms.batches.values()], query, ["material", "plant", "batch", "stockType"]) } }),
    },
    {
      method: "POST",
      path: `${BASE}/inspection-lots`,
      kind: "write",
      handle: ({ body }) => ({ status: 201, body: qms.createInspectionLot(parseBody(createLotSchema, body)) }),
    },
    {
      method: "GET",
      path: `${BASE}/inspection-lots`,
      kind: "read",
      handle: ({ query }) => ({ status: 200, body: { inspectionLots: filter([...qms.lots.values()], query, ["material", "plant", "batch", "status"]) } }),
    },
    { method: "GET", path: `${BASE}/inspection-lots/:lot`, kind: "read", handle: ({ params }) => ({ status: 200, body: qms.requireLot(params.lot!) }) },
    {
      method: "POST",
      path: `${BASE}/inspection-lots/:lot/results`,
      kind: "write",
      handle: ({ params, body }) => {
        const input = parseBody(resultsSchema, body);
        const { lot, event } = qms.recordResults(params.lot!, input.results, input.recordedBy);
        return { status: 200, body: { ...lot, messages: messagesOf(event ? [event] : []) } };
      },
    },
    {
      method: "POST",
      path: `${BASE}/inspection-lots/:lot/usage-decision`,
      kind: "write",
      handle: ({ params, body }) => {
        const { lot, unchanged, events } = qms.makeUsageDecision(params.lot!, parseBody(usageDecisionSchema, body));
        return {
          status: unchanged ? 200 : 201,
          body: { inspectionLot: lot.inspectionLot, status: lot.status, usageDecision: lot.usageDecision, unchanged, messages: messagesOf(events) },
        };
      },
    },
    {
      method: "POST",
      path: `${BASE}/quality-holds`,
      kind: "write",
      handle: ({ body }) => {
        const { hold, event } = qms.placeHold(parseBody(holdSchema, body));
        return { status: 201, body: { ...hold, messages: messagesOf([event]) } };
      },
    },
    {
      method: "POST",
      path: `${BASE}/quality-holds/release`,
      kind: "write",
      handle: ({ body }) => {
        const { hold, event } = qms.releaseHold(parseBody(releaseSchema, body));
        return { status: 200, body: { ...hold, messages: messagesOf([event]) } };
      },
    },
    {
      method: "GET",
      path: `${BASE}/quality-holds`,
      kind: "read",
      handle: ({ query }) => ({ status: 200, body: { qualityHolds: filter([...qms.holds.values()], query, ["status", "material", "plant", "batch"]) } }),
    },
    {
      method: "GET",
      path: `${BASE}/quality-holds/:holdNumber`,
      kind: "read",
      handle: ({ params }) => {
        const hold = qms.holds.get(params.holdNumber!);
        if (!hold) throw new ApiError(404, "QA-HOLD-UNKNOWN", `Quality hold ${params.holdNumber} does not exist`);
        return { status: 200, body: hold };
      },
    },
    {
      method: "GET",
      path: `${BASE}/events`,
      kind: "read",
      handle: ({ query }) => {
        const after = Number(query.get("after") ?? 0);
        const limit = Math.min(Number(query.get("limit") ?? 100), 1000);
        if (!Number.isInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1) {
          throw new ApiError(400, "VALIDATION_FAILED", "after must be an integer ≥ 0 and limit an integer ≥ 1");
        }
        const events = qms.events.filter((e) => e.seq > after).slice(0, limit);
        return { status: 200, body: { events, last: events.at(-1)?.seq ?? after } };
      },
    },
    {
      method: "POST",
      path: "/qms/_emulator/reset",
      kind: "control",
      handle: () => {
        handle.reset();
        return { status: 200, body: { status: "reset" } };
      },
    },
    {
      method: "GET",
      path: "/qms/_emulator/state",
      kind: "control",
      handle: () => ({
        status: 200,
        body: { batches: [...qms.batches.values()], inspectionLots: [...qms.lots.values()], qualityHolds: [...qms.holds.values()], events: qms.events.length },
      }),
    },
    {
      method: "POST",
      path: "/qms/_emulator/batches",
      kind: "control",
      handle: ({ body }) => ({ status: 200, body: qms.putBatch(parseBody(seedBatchSchema, body)) }),
    },
  ];

  const rest = await startRestServer({ system: "qms", port: options.port, host: options.host, routes, faults: queue, snapshot: () => snapshotState(qms) });

  const handle: QmsEmulator = {
    url: rest.url,
    port: rest.port,
    faults: faultControls(queue),
    get state() {
      return qms;
    },
    reset() {
      rest.reset();
      queue.clear();
      qms = createSeededQms(now);
    },
    close: () => rest.close(),
    counters: () => rest.counters(),
    applications: (key) => rest.applications(key),
    batch: (material, plant, batch) => qms.batch(material, plant, batch),
    lot: (inspectionLot) => qms.lots.get(inspectionLot),
    hold: (holdNumber) => qms.holds.get(holdNumber),
    events: (after = 0) => qms.events.filter((e) => e.seq > after),
  };
  return handle;
}

// Command line: node --import tsx connectors/qms/emulator.ts [--port 8010] [--host 127.0.0.1]
function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMainModule()) {
  const port = Number(argument("port") ?? 8010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${argument("port")}`);
    process.exit(2);
  }
  const emulator = await startQmsEmulator({ port, host: argument("host") });
  console.log(`QMS/LIMS emulator listening on ${emulator.url} (${emulator.url}${BASE})`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
