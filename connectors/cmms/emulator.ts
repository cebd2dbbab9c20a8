import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { FaultQueue, faultControls, type FaultControls } from "../rest-emulator/faults";
import { ApiError, argument, parseBody, snapshotState, startRestServer, type RestCounters, type Route } from "../rest-emulator/http";
import { workOrderStatusSchema } from "./schema";
import { createSeededCmms } from "./seed";
import type { CmmsState, OutboundEvent, WorkOrder } from "./state";

/**
 * CMMS emulator: REST/JSON over node:http, state in memory (see README.md).
 *
 *   GET  /cmms/api/v1/equipment, GET /cmms/api/v1/spare-parts
 *   POST /cmms/api/v1/work-orders                           create (201, CREATED)
 *   GET  /cmms/api/v1/work-orders?status=&plant=&equipment=, GET …/{workOrder}
 *   PUT  /cmms/api/v1/work-orders/{workOrder}/status        { status, source?: CMMS | ERP } forward only; same → unchanged
 *   POST /cmms/api/v1/work-orders/{workOrder}/reservations  { material, quantity, unit?, storageLocation? }
 *   POST /cmms/api/v1/work-orders/{workOrder}/consumptions  { material, quantity, unit?, storageLocation?, batch? }
 *   GET  /cmms/api/v1/events?after=&limit=                  outbound feed (MAINT_WORK_ORDER, SPARE_PARTS_USAGE)
 *   GET  /cmms/health
 *   GET|POST|DELETE /cmms/_emulator/faults, POST /cmms/_emulator/reset, GET /cmms/_emulator/state
 */

export interface CmmsEmulatorOptions {
  port?: number;
  host?: string;
  now?: () => Date;
}

export interface CmmsEmulator {
  url: string;
  port: number;
  faults: FaultControls;
  readonly state: CmmsState;
  reset(): void;
  close(): Promise<void>;
  counters(): RestCounters;
  applications(key: string): number;
  workOrder(number: string): WorkOrder | undefined;
  events(after?: number): OutboundEvent[];
}

const BASE = "/cmms/api/v1";
const timestamp = z.iso.datetime({ offset: true });

const createSchema = z
  .object({
    equipment: z.string().min(1).max(18),
    description: z.string().min(1).max(120),
    maintenanceType: z.enum(["CORRECTIVE", "PREVENTIVE"]).optional(),
    priority: z.enum(["1", "2", "3", "4"]).optional(),
    plannedStart: timestamp,
    plannedEnd: timestamp.optional(),
  })
  .strict();
const statusSchema = z.object({ status: workOrderStatusSchema, source: z.enum(["CMMS", "ERP"]).optional() }).strict();
const reserveSchema = z
  .object({
    material: z.string().min(1).max(40),
    quantity: z.number().positive(),
    unit: z.string().min(1).max(3).optional(),
    storageLocation: z.string().min(1).max(4).optional(),
  })
  .strict();
const consumeSchema = reserveSchema.extend({ batch: z.string().min(1).max(10).optional() }).strict();

const messagesOf = (events: (OutboundEvent | undefined)[]) =>
  events.filter((e): e is OutboundEvent => e !== undefined).map((e) => ({ seq: e.seq, interface: e.interface, payload: e.payload }));

export async function startCmmsEmulator(options: CmmsEmulatorOptions = {}): Promise<CmmsEmulator> {
  const now = options.now ?? (() => new Date());
  let cmms = createSeededCmms(now);
  const queue = new FaultQueue();

  const routes: Route[] = [
    { method: "GET", path: "/cmms/health", kind: "read", handle: () => ({ status: 200, body: { status: "UP" } }) },
    { method: "GET", path: `${BASE}/equipment`, kind: "read", handle: () => ({ status: 200, body: { equipment: [...cmms.equipment.values()] } }) },
    { method: "GET", path: `${BASE}/spare-parts`, kind: "read", handle: () => ({ status: 200, body: { spareParts: [...cmms.parts.values()] } }) },
    {
      method: "POST",
      path: `${BASE}/work-orders`,
      kind: "write",
      handle: ({ body }) => {
        const { workOrder, event } = cmms.createWorkOrder(parseBody(createSchema, body));
        return { status: 201, body: { ...workOrder, messages: messagesOf([event]) } };
      },
    },
    {
      method: "GET",
      path: `${BASE}/work-orders`,
      kind: "read",
      handle: ({ query }) => ({
        status: 200,
        body: {
          workOrders: [...cmms.workOrders.values()].filter((wo) =>
            (["status", "plant", "equipment"] as const).every((name) => query.get(name) === null || wo[name] === query.get(name)),
          ),
        },
      }),
    },
    { method: "GET", path: `${BASE}/work-orders/:wo`, kind: "read", handle: ({ params }) => ({ status: 200, body: cmms.requireWorkOrder(params.wo!) }) },
    {
      method: "PUT",
      path: `${BASE}/work-orders/:wo/status`,
      kind: "write",
      handle: ({ params, body }) => {
        const input = parseBody(statusSchema, body);
        const { workOrder, changed, event } = cmms.setStatus(params.wo!, input.status, input.source);
        return { status: 200, body: { ...workOrder, changed, messages: messagesOf([event]) } };
      },
    },
    {
      method: "POST",
      path: `${BASE}/work-orders/:wo/reservations`,
      kind: "write",
      handle: ({ params, body }) => {
        const { reservation, event } = cmms.reserve(params.wo!, parseBody(reserveSchema, body));
        return { status: 201, body: { ...reservation, messages: messagesOf([event]) } };
      },
    },
    {
      method: "POST",
      path: `${BASE}/work-orders/:wo/consumptions`,
      kind: "write",
      handle: ({ params, body }) => {
        const { consumption, event } = cmms.consume(params.wo!, parseBody(consumeSchema, body));
        return { status: 201, body: { ...consumption, messages: messagesOf([event]) } };
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
        const events = cmms.events.filter((e) => e.seq > after).slice(0, limit);
        return { status: 200, body: { events, last: events.at(-1)?.seq ?? after } };
      },
    },
    {
      method: "POST",
      path: "/cmms/_emulator/reset",
      kind: "control",
      handle: () => {
        handle.reset();
        return { status: 200, body: { status: "reset" } };
      },
    },
    {
      method: "GET",
      path: "/cmms/_emulator/state",
      kind: "control",
      handle: () => ({ status: 200, body: { workOrders: [...cmms.workOrders.values()], events: cmms.events.length } }),
    },
  ];

  const rest = await startRestServer({ system: "cmms", port: options.port, host: options.host, routes, faults: queue, snapshot: () => snapshotState(cmms) });

  const handle: CmmsEmulator = {
    url: rest.url,
    port: rest.port,
    faults: faultControls(queue),
    get state() {
      return cmms;
    },
    reset() {
      rest.reset();
      queue.clear();
      cmms = createSeededCmms(now);
    },
    close: () => rest.close(),
    counters: () => rest.counters(),
    applications: (key) => rest.applications(key),
    workOrder: (number) => cmms.workOrders.get(number),
    events: (after = 0) => cmms.events.filter((e) => e.seq > after),
  };
  return handle;
}

// Command line: node --import tsx connectors/cmms/emulator.ts [--port 8030] [--host 127.0.0.1]
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
  const port = Number(argument("port") ?? 8030);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${argument("port")}`);
    process.exit(2);
  }
  const emulator = await startCmmsEmulator({ port, host: argument("host") });
  console.log(`CMMS emulator listening on ${emulator.url} (${emulator.url}${BASE})`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
