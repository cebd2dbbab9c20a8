import { realpathSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { FaultQueue, faultControls, type FaultControls } from "../rest-emulator/faults";
import { ApiError, argument, parseBody, snapshotState, startRestServer, type RestCounters, type Route } from "../rest-emulator/http";
import { supplierAsnPayloadSchema } from "./schema";
import { createSeededWms } from "./seed";
import type { OutboundEvent, StockRow, TransferOrder, WmsState } from "./state";

/**
 * WMS emulator: REST/JSON over node:http, state in memory (see README.md).
 *
 *   GET  /wms/api/v1/materials, GET /wms/api/v1/bins?warehouse=&blocked=
 *   PUT  /wms/api/v1/bins/{bin}/block                       { blocked, reason? }
 *   GET  /wms/api/v1/stock?warehouse=&plant=&storageLocation=&bin=&material=&batch=&groupBy=storageLocation
 *   GET  /wms/api/v1/purchase-orders/{po}
 *   POST /wms/api/v1/expected-receipts                      SUPPLIER_ASN → expected receipt (201)
 *   GET  /wms/api/v1/expected-receipts?asnNumber=&purchaseOrder=&status=, GET …/{number}
 *   POST /wms/api/v1/expected-receipts/{number}/receive     { bin? } → goods movement 101
 *   POST /wms/api/v1/transfer-orders                        create (201)
 *   GET  /wms/api/v1/transfer-orders?status=, GET …/{number}
 *   POST /wms/api/v1/transfer-orders/{number}/confirm       { confirmedQuantity?, batch? } → 261 / 311 / none
 *   GET  /wms/api/v1/events?after=&limit=                   outbound feed (GOODS_MOVEMENT)
 *   GET  /wms/health
 *   GET|POST|DELETE /wms/_emulator/faults, POST /wms/_emulator/reset, GET /wms/_emulator/state,
 *   POST /wms/_emulator/stock, POST /wms/_emulator/purchase-orders
 */

export interface WmsEmulatorOptions {
  port?: number;
  host?: string;
  now?: () => Date;
}

export interface WmsEmulator {
  url: string;
  port: number;
  faults: FaultControls;
  readonly state: WmsState;
  reset(): void;
  close(): Promise<void>;
  counters(): RestCounters;
  applications(key: string): number;
  stock(bin: string, material: string, batch?: string): number;
  stockRows(filter?: Parameters<WmsState["stockRows"]>[0]): StockRow[];
  transferOrder(number: string): TransferOrder | undefined;
  events(after?: number): OutboundEvent[];
}

const BASE = "/wms/api/v1";

const blockSchema = z.object({ blocked: z.boolean(), reason: z.string().min(1).max(80).optional() }).strict();
const receiveSchema = z.object({ bin: z.string().min(1).max(20).optional() }).strict();
const createToSchema = z
  .object({
    material: z.string().min(1).max(40),
    batch: z.string().min(1).max(10).optional(),
    quantity: z.number().positive(),
    unit: z.string().min(1).max(3).optional(),
    sourceBin: z.string().min(1).max(20),
    destinationBin: z.string().min(1).max(20).optional(),
    manufacturingOrder: z
      .string()
      .regex(/^[0-9]{1,12}$/)
      .optional(),
  })
  .strict()
  .refine((to) => (to.destinationBin === undefined) !== (to.manufacturingOrder === undefined), {
    message: "give either destinationBin or manufacturingOrder",
    path: ["destinationBin"],
  });
const confirmSchema = z.object({ confirmedQuantity: z.number().positive().optional(), batch: z.string().max(10).optional() }).strict();
const stockSchema = z
  .object({ bin: z.string().min(1), material: z.string().min(1), batch: z.string().max(10).default(""), quantity: z.number().min(0) })
  .strict();
const purchaseOrderSchema = z
  .object({
    purchaseOrder: z.string().min(1).max(22),
    supplier: z.string().min(1).max(35),
    warehouse: z.string().min(1),
    lines: z
      .array(
        z
          .object({
            poLine: z.string().regex(/^[0-9]{1,6}$/),
            material: z.string().min(1),
            quantity: z.number().positive(),
            unit: z.string().min(1).max(3),
            tolerancePct: z.number().min(0).default(0),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const messagesOf = (events: (OutboundEvent | undefined)[]) =>
  events.filter((e): e is OutboundEvent => e !== undefined).map((e) => ({ seq: e.seq, interface: e.interface, payload: e.payload }));

export async function startWmsEmulator(options: WmsEmulatorOptions = {}): Promise<WmsEmulator> {
  const now = options.now ?? (() => new Date());
  let wms = createSeededWms(now);
  const queue = new FaultQueue();

  const pick = (query: URLSearchParams, names: string[]) =>
    Object.fromEntries(names.flatMap((name) => (query.get(name) === null ? [] : [[name, query.get(name) as string]])));

  const routes: Route[] = [
    { method: "GET", path: "/wms/health", kind: "read", handle: () => ({ status: 200, body: { status: "UP" } }) },
    { method: "GET", path: `${BASE}/materials`, kind: "read", handle: () => ({ status: 200, body: { materials: [...wms.materials.values()] } }) },
    {
      method: "GET",
      path: `${BASE}/bins`,
      kind: "read",
      handle: ({ query }) => ({
        status: 200,
        body: {
          bins: [...wms.bins.values()].filter(
            (b) =>
              (query.get("warehouse") === null || b.warehouse === query.get("warehouse")) &&
              (query.get("blocked") === null || String(b.blocked) === query.get("blocked")),
          ),
        },
      }),
    },
    {
      method: "PUT",
      path: `${BASE}/bins/:bin/block`,
      kind: "write",
      handle: ({ params, body }) => {
        const input = parseBody(blockSchema, body);
        return { status: 200, body: wms.setBinBlocked(params.bin!, input.blocked, input.reason) };
      },
    },
    {
      method: "GET",
      path: `${BASE}/stock`,
      kind: "read",
      handle: ({ query }) => {
        const filter = pick(query, ["warehouse", "plant", "storageLocation", "bin", "material", "batch"]);
        const groupBy = query.get("groupBy");
        if (groupBy !== null && groupBy !== "bin" && groupBy !== "storageLocation")
          throw new ApiError(400, "VALIDATION_FAILED", "groupBy is bin or storageLocation");
        return { status: 200, body: { stock: groupBy === "storageLocation" ? wms.stockByStorageLocation(filter) : wms.stockRows(filter) } };
      },
    },
    {
      method: "GET",
      path: `${BASE}/purchase-orders/:po`,
      kind: "read",
      handle: ({ params }) => {
        const po = wms.purchaseOrders.get(params.po!);
        if (!po) throw new ApiError(404, "ASN-PO-UNKNOWN", `Purchase order ${params.po} does not exist`);
        return { status: 200, body: po };
      },
    },
    {
      method: "POST",
      path: `${BASE}/expected-receipts`,
      kind: "write",
      handle: ({ body }) => ({ status: 201, body: wms.receiveAsn(parseBody(supplierAsnPayloadSchema, body)) }),
    },
    {
      method: "GET",
      path: `${BASE}/expected-receipts`,
      kind: "read",
      handle: ({ query }) => {
        const filter = pick(query, ["asnNumber", "purchaseOrder", "status", "supplier"]);
        const rows = [...wms.expectedReceipts.values()].filter((r) => Object.entries(filter).every(([k, v]) => String(r[k as keyof typeof r]) === v));
        return { status: 200, body: { expectedReceipts: rows } };
      },
    },
    {
      method: "GET",
      path: `${BASE}/expected-receipts/:number`,
      kind: "read",
      handle: ({ params }) => ({ status: 200, body: wms.requireExpectedReceipt(params.number!) }),
    },
    {
      method: "POST",
      path: `${BASE}/expected-receipts/:number/receive`,
      kind: "write",
      handle: ({ params, body }) => {
        const { receipt, event } = wms.receive(params.number!, parseBody(receiveSchema, body).bin);
        return { status: 200, body: { ...receipt, messages: messagesOf([event]) } };
      },
    },
    {
      method: "POST",
      path: `${BASE}/transfer-orders`,
      kind: "write",
      handle: ({ body }) => ({ status: 201, body: wms.createTransferOrder(parseBody(createToSchema, body)) }),
    },
    {
      method: "GET",
      path: `${BASE}/transfer-orders`,
      kind: "read",
      handle: ({ query }) => ({
        status: 200,
        body: { transferOrders: [...wms.transferOrders.values()].filter((t) => query.get("status") === null || t.status === query.get("status")) },
      }),
    },
    {
      method: "GET",
      path: `${BASE}/transfer-orders/:number`,
      kind: "read",
      handle: ({ params }) => ({ status: 200, body: wms.requireTransferOrder(params.number!) }),
    },
    {
      method: "POST",
      path: `${BASE}/transfer-orders/:number/confirm`,
      kind: "write",
      handle: ({ params, body }) => {
        const { to, event } = wms.confirmTransferOrder(params.number!, parseBody(confirmSchema, body));
        return { status: 200, body: { ...to, messages: messagesOf([event]) } };
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
        const events = wms.events.filter((e) => e.seq > after).slice(0, limit);
        return { status: 200, body: { events, last: events.at(-1)?.seq ?? after } };
      },
    },
    {
      method: "POST",
      path: "/wms/_emulator/reset",
      kind: "control",
      handle: () => {
        handle.reset();
        return { status: 200, body: { status: "reset" } };
      },
    },
    {
      method: "GET",
      path: "/wms/_emulator/state",
      kind: "control",
      handle: () => ({
        status: 200,
        body: {
          stock: wms.stockRows(),
          bins: [...wms.bins.values()],
          expectedReceipts: [...wms.expectedReceipts.values()],
          transferOrders: [...wms.transferOrders.values()],
          events: wms.events.length,
        },
      }),
    },
    {
      method: "POST",
      path: "/wms/_emulator/stock",
      kind: "control",
      handle: ({ body }) => {
        const input = parseBody(stockSchema, body);
        wms.setStock(input.bin, input.material, input.batch, input.quantity);
        return { status: 200, body: { quantity: wms.quantity(input.bin, input.material, input.batch) } };
      },
    },
    {
      method: "POST",
      path: "/wms/_emulator/purchase-orders",
      kind: "control",
      handle: ({ body }) => {
        const po = parseBody(purchaseOrderSchema, body);
        if (!wms.warehouses.has(po.warehouse)) throw new ApiError(422, "WM-WAREHOUSE-UNKNOWN", `Warehouse ${po.warehouse} does not exist`);
        wms.purchaseOrders.set(po.purchaseOrder, { ...po, lines: po.lines.map((l) => ({ ...l, poLine: String(Number(l.poLine)).padStart(5, "0") })) });
        return { status: 200, body: wms.purchaseOrders.get(po.purchaseOrder) };
      },
    },
  ];

  // Dry runs: a write with X-Dry-Run: true runs every check on the real state, which is then restored.
  const rest = await startRestServer({ system: "wms", port: options.port, host: options.host, routes, faults: queue, snapshot: () => snapshotState(wms) });

  const handle: WmsEmulator = {
    url: rest.url,
    port: rest.port,
    faults: faultControls(queue),
    get state() {
      return wms;
    },
    reset() {
      rest.reset();
      queue.clear();
      wms = createSeededWms(now);
    },
    close: () => rest.close(),
    counters: () => rest.counters(),
    applications: (key) => rest.applications(key),
    stock: (bin, material, batch = "") => wms.quantity(bin, material, batch),
    stockRows: (filter) => wms.stockRows(filter),
    transferOrder: (number) => wms.transferOrders.get(number),
    events: (after = 0) => wms.events.filter((e) => e.seq > after),
  };
  return handle;
}

// Command line: node --import tsx connectors/wms/emulator.ts [--port 8020] [--host 127.0.0.1]
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
  const port = Number(argument("port") ?? 8020);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${argument("port")}`);
    process.exit(2);
  }
  const emulator = await startWmsEmulator({ port, host: argument("host") });
  console.log(`WMS emulator listening on ${emulator.url} (${emulator.url}${BASE})`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
