import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import {
  normalizeMaterial,
  normalizeOrder,
  type ErpState,
  type InspectionLot,
  type MaterialDocument,
  type MaterialMaster,
  type Order,
  type OrderConfirmation,
  type PostingPeriod,
  type PurchaseOrder,
  type StockType,
  type SupplierInvoice,
} from "./erp-state";
import { FaultQueue, sapFaultSchema, type PendingFault, type SapFault } from "./faults";
import { IdocParseError, parseIdoc, type Idoc, type IdocFormat } from "./idoc";
import { IdocInbound, type SapInboundResponse } from "./inbound";
import { createODataHandler, ODATA_ROOT, type ODataCounters } from "./odata";
import { fromMilli, toMilli } from "./sap-format";
import { createSeededErp } from "./seed";
import { createStatusRecord, type IdocStatusRecord } from "./status";

/**
 * SAP inbound emulator: plays SAP ERP receiving IDocs over HTTP (node:http only).
 *
 *   POST /sap/idoc/inbound            IDoc as JSON (application/json) or IDoc XML (application/xml,
 *                                     text/xml); answers 200 with the status records (53 or 51, 68
 *                                     for an IDoc already posted), 400 for input that is no valid IDoc
 *   GET  /sap/idoc/{DOCNUM}?sender=   status log of an IDoc (as WE02 shows it)
 *   GET  /sap/stock?material=&plant=&storageLocation=&batch=
 *   GET  /sap/health
 *   GET|POST|DELETE /sap/_emulator/faults, POST /sap/_emulator/stock, POST /sap/_emulator/reset,
 *   POST /sap/_emulator/csrf           the controls below, for a plant simulator in another process
 *   /sap/opu/odata/sap/<SERVICE>/…     S/4HANA OData v2 APIs on the same ERP state (see odata.ts)
 *
 * Idempotency: a request may carry an `Idempotency-Key` header, the HTTP counterpart of the tRFC
 * transaction ID (TID) with which SAP executes an IDoc transfer exactly once: a key is applied at
 * most once, and a repeat returns the original answer (header `Idempotent-Replayed: true`) without
 * posting again. The same key with a different IDoc is refused (422). Without a key, the same IDoc
 * (sender SNDPRN + DOCNUM) is still not posted twice: see IdocInbound.process.
 *
 * Test run: header `X-SAP-TestRun: X` (the TESTRUN = 'X' of BAPI_GOODSMVT_CREATE and the other write
 * BAPIs, here on every inbound and OData write): the application runs every check against the real
 * data as it is now and answers as it would post (53 / 201, or its refusal), but the writes land in a
 * scratch copy that is thrown away — no stock, document, number, status record or idempotency key changes.
 */
export const SAP_TESTRUN_HEADER = "x-sap-testrun";
export const isTestRun = (req: IncomingMessage) =>
  String(req.headers[SAP_TESTRUN_HEADER] ?? "")
    .trim()
    .toUpperCase() === "X";

export interface SapEmulatorOptions {
  /** 0 (default): a free port. */
  port?: number;
  host?: string;
  /** Clock of the emulated system (status record times, default posting date, open period). */
  now?: () => Date;
  /** Open MM period of every company code; default: the month of `now()` (and the previous one). */
  postingPeriod?: PostingPeriod;
  maxBodyBytes?: number;
  /** Lifetime of an OData CSRF token (default 30 minutes, as SAP's security session). */
  csrfTokenTtlMs?: number;
}

export interface StockQuery {
  material: string;
  plant: string;
  storageLocation: string;
  /** For batch-managed materials. */
  batch?: string;
}

/** A stock row with the quantities of each stock type as plain numbers (base unit). */
export interface StockTypesRow extends Required<StockQuery> {
  /** Unrestricted use (01). */
  quantity: number;
  /** Quality inspection (02). */
  qualityInspection: number;
  /** Blocked (07). */
  blocked: number;
}

export interface SapFaultControls {
  inject(fault: SapFault, count?: number): void;
  /** The next `count` requests get HTTP 503. */
  unavailable(count?: number, retryAfterSeconds?: number): void;
  /** The next `count` requests are answered `ms` late (see SapFault "hang"). */
  hang(ms: number, options?: { count?: number; phase?: "before" | "after" }): void;
  /** The next `count` requests lose their connection without an answer. */
  dropConnection(options?: { count?: number; phase?: "before" | "after" }): void;
  /** The next `count` IDocs end in status 02 without reaching the application (OData: HTTP 500). */
  status02(count?: number, text?: string): void;
  /** Expires every OData CSRF token: the next write gets 403 with x-csrf-token: Required. */
  expireCsrfTokens(): void;
  clear(): void;
  pending(): PendingFault[];
}

export interface SapEmulatorCounters {
  /** POST /sap/idoc/inbound requests received. */
  requests: number;
  /** IDocs handed to the inbound processing (status records written). */
  processed: number;
  /** Answers replayed for a known Idempotency-Key. */
  replayed: number;
}

export interface SapEmulator {
  readonly url: string;
  readonly port: number;
  /** The emulated ERP (replaced by reset()). */
  readonly erp: ErpState;
  readonly faults: SapFaultControls;
  close(): Promise<void>;
  /** Back to the seeded state: ERP data, IDoc log, idempotency keys, faults and counters. */
  reset(): void;
  /** Unrestricted-use stock in the material's base unit. */
  stock(query: StockQuery): number;
  setStock(query: StockQuery, quantity: number): void;
  /** Adds (negative: removes) stock; returns the new quantity. */
  adjustStock(query: StockQuery, delta: number): number;
  stockRows(filter?: Partial<StockQuery>): StockTypesRow[];
  /** Stock of one stock type: 01 unrestricted use, 02 quality inspection, 07 blocked. */
  stockOf(query: StockQuery, type: StockType): number;
  setStockOf(query: StockQuery, type: StockType, quantity: number): void;
  /** How many times a request with this Idempotency-Key was applied (0 or 1). */
  applications(idempotencyKey: string): number;
  counters(): SapEmulatorCounters;
  /** Requests to the OData services (writes), separately from the IDoc counters. */
  odataCounters(): ODataCounters;
  /** Status log of an IDoc, oldest first. */
  idocStatus(docnum: string, sender?: string): IdocStatusRecord[];
  materialDocuments(): readonly MaterialDocument[];
  order(aufnr: string): Order | undefined;
  material(matnr: string): MaterialMaster | undefined;
  setPostingPeriod(companyCode: string, period: PostingPeriod): void;
  inspectionLot(lot: string): InspectionLot | undefined;
  purchaseOrder(number: string): PurchaseOrder | undefined;
  supplierInvoices(): readonly SupplierInvoice[];
  confirmations(): readonly OrderConfirmation[];
}

interface StoredAnswer {
  fingerprint: string;
  response: SapInboundResponse;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** JSON with sorted keys, so that the same IDoc always has the same fingerprint. */
function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function fingerprintOf(idoc: Idoc): string {
  return createHash("sha256").update(stableStringify(idoc)).digest("hex");
}

function formatOf(contentType: string | undefined): IdocFormat | undefined {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json" || type.endsWith("+json")) return "json";
  if (type === "application/xml" || type === "text/xml" || type.endsWith("+xml")) return "xml";
  return undefined;
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new HttpError(413, "PAYLOAD_TOO_LARGE", `request body exceeds ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, error: HttpError, headers: Record<string, string> = {}): void {
  const details = error.details === undefined ? {} : { details: error.details };
  sendJson(res, error.status, { error: { code: error.code, message: error.message, ...details } }, headers);
}

async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const text = await readBody(req, limit);
  try {
    return text.trim() ? (JSON.parse(text) as unknown) : {};
  } catch {
    throw new HttpError(400, "INVALID_JSON", "request body is not valid JSON");
  }
}

const stockBodySchema = z
  .object({
    material: z.string().min(1),
    plant: z.string().min(1),
    storageLocation: z.string().min(1),
    batch: z.string().optional(),
    quantity: z.number().min(0).optional(),
    delta: z.number().optional(),
    stockType: z.enum(["01", "02", "07"]).optional(),
  })
  .strict()
  .refine((body) => (body.quantity === undefined) !== (body.delta === undefined), "give either quantity or delta");

const faultBodySchema = z.object({ fault: sapFaultSchema, count: z.number().int().min(1).optional() }).strict();

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(400, "INVALID_REQUEST", result.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  }
  return result.data;
}

export async function startSapEmulator(options: SapEmulatorOptions = {}): Promise<SapEmulator> {
  const now = options.now ?? (() => new Date());
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const seed = () => createSeededErp({ today: now(), postingPeriod: options.postingPeriod });

  let erp = seed();
  const inbound = new IdocInbound(() => erp, now);
  const faultQueue = new FaultQueue();
  const answers = new Map<string, StoredAnswer>();
  /** Counted independently of `answers`, so a broken key check would show up as 2. */
  const applicationsByKey = new Map<string, number>();
  const counters: SapEmulatorCounters = { requests: 0, processed: 0, replayed: 0 };
  const shutdown = new AbortController();
  /** Aborted by reset(): requests still waiting in a "hang" are dropped instead of posting later. */
  let generation = new AbortController();
  const wait = (ms: number) => sleep(ms, undefined, { signal: AbortSignal.any([shutdown.signal, generation.signal]) });
  const odata = createODataHandler({
    erp: () => erp,
    now,
    faults: faultQueue,
    wait,
    readBody: (req) => readBody(req, maxBodyBytes),
    applied: (key) => applicationsByKey.set(key, (applicationsByKey.get(key) ?? 0) + 1),
    csrfTokenTtlMs: options.csrfTokenTtlMs ?? 30 * 60 * 1000,
  });

  const stockKey = (query: StockQuery) => ({ ...query, material: normalizeMaterial(query.material), batch: query.batch ?? "" });

  /** A status 02 answer: the IDoc never reached the receiving application. */
  function status02(idoc: Idoc, text: string | undefined): SapInboundResponse {
    const record = createStatusRecord({ docnum: idoc.control.DOCNUM, status: "02", counter: 1, at: now(), text });
    return { docnum: idoc.control.DOCNUM, idocType: idoc.idocType, sender: idoc.control.SNDPRN, status: "02", statusRecords: [record] };
  }

  async function receiveIdoc(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests += 1;
    const fault = faultQueue.take();
    if (fault?.kind === "unavailable") {
      req.resume();
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
      sendError(res, new HttpError(503, "SERVICE_UNAVAILABLE", "SAP system is not available (no free work process)"), headers);
      return;
    }
    if (fault?.kind === "close" && fault.phase !== "after") {
      req.socket.destroy();
      return;
    }
    const format = formatOf(req.headers["content-type"]);
    if (!format) {
      req.resume();
      throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json (IDoc JSON) or application/xml / text/xml (IDoc XML)");
    }
    const body = await readBody(req, maxBodyBytes);
    // The request has arrived; a slow system still processes it even if the client gives up meanwhile.
    if (fault?.kind === "hang" && fault.phase !== "after") await wait(fault.ms);
    let idoc: Idoc;
    try {
      idoc = parseIdoc(body, { format });
    } catch (error) {
      if (error instanceof IdocParseError) throw new HttpError(400, "INVALID_IDOC", error.message, { issues: error.issues });
      throw error;
    }
    const keyHeader = req.headers["idempotency-key"];
    const key = (Array.isArray(keyHeader) ? keyHeader[0] : keyHeader)?.trim();
    if (key !== undefined && (key.length === 0 || key.length > 255)) {
      throw new HttpError(400, "INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to 255 characters");
    }

    // From here to the stored answer nothing awaits: a key is checked and applied atomically.
    let response: SapInboundResponse;
    let replayed = false;
    if (fault?.kind === "status02") {
      response = status02(idoc, fault.text);
    } else if (isTestRun(req)) {
      // Test run (TESTRUN = 'X'): checked against the real data, nothing stored, no key used up.
      response = inbound.process(idoc, { testRun: true });
    } else {
      const stored = key === undefined ? undefined : answers.get(key);
      const fingerprint = fingerprintOf(idoc);
      if (stored && stored.fingerprint !== fingerprint) {
        const message = `Idempotency-Key ${key} was already used for a different IDoc (DOCNUM ${stored.response.docnum})`;
        throw new HttpError(422, "IDEMPOTENCY_KEY_REUSED", message);
      }
      if (stored) {
        response = stored.response;
        replayed = true;
        counters.replayed += 1;
      } else {
        response = inbound.process(idoc);
        counters.processed += 1;
        if (key !== undefined) {
          answers.set(key, { fingerprint, response });
          applicationsByKey.set(key, (applicationsByKey.get(key) ?? 0) + 1);
        }
      }
    }

    if (fault?.kind === "hang" && fault.phase === "after") await wait(fault.ms);
    if (fault?.kind === "close") {
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, response, replayed ? { "idempotent-replayed": "true" } : {});
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/\/+$/, "");

    if (url.pathname.startsWith(ODATA_ROOT)) return odata.handle(req, res, url);
    if (path === "/sap/idoc/inbound") {
      if (method !== "POST") throw new HttpError(405, "METHOD_NOT_ALLOWED", "use POST");
      return receiveIdoc(req, res);
    }
    const idocMatch = /^\/sap\/idoc\/(\d{1,16})$/.exec(path);
    if (idocMatch && method === "GET") {
      const records = inbound.statusLog(idocMatch[1] ?? "", url.searchParams.get("sender") ?? undefined);
      if (records.length === 0) throw new HttpError(404, "IDOC_NOT_FOUND", `IDoc ${idocMatch[1]} has not been received`);
      return sendJson(res, 200, { statusRecords: records });
    }
    if (path === "/sap/stock" && method === "GET") {
      const filter = Object.fromEntries(
        ["material", "plant", "storageLocation", "batch"].flatMap((name) => {
          const value = url.searchParams.get(name);
          return value === null ? [] : [[name, name === "material" ? normalizeMaterial(value) : value]];
        }),
      ) as Partial<StockQuery>;
      return sendJson(res, 200, { stock: handle.stockRows(filter) });
    }
    if (path === "/sap/health" && method === "GET") return sendJson(res, 200, { status: "ok" });
    if (path === "/sap/_emulator/faults") {
      if (method === "GET") return sendJson(res, 200, { pending: faultQueue.pending() });
      if (method === "DELETE") {
        faultQueue.clear();
        return sendJson(res, 200, { pending: [] });
      }
      if (method === "POST") {
        const body = parseOrThrow(faultBodySchema, await readJson(req, maxBodyBytes));
        faultQueue.add(body.fault, body.count);
        return sendJson(res, 200, { pending: faultQueue.pending() });
      }
    }
    if (path === "/sap/_emulator/stock" && method === "POST") {
      const body = parseOrThrow(stockBodySchema, await readJson(req, maxBodyBytes));
      const query = { material: body.material, plant: body.plant, storageLocation: body.storageLocation, batch: body.batch };
      const type = body.stockType ?? "01";
      if (body.quantity !== undefined) handle.setStockOf(query, type, body.quantity);
      else handle.setStockOf(query, type, handle.stockOf(query, type) + (body.delta ?? 0));
      return sendJson(res, 200, { quantity: handle.stockOf(query, type), ...(body.stockType && { stockType: type }) });
    }
    if (path === "/sap/_emulator/csrf" && method === "POST") {
      const body = parseOrThrow(z.object({ action: z.literal("expire") }).strict(), await readJson(req, maxBodyBytes));
      if (body.action === "expire") odata.expireCsrfTokens();
      return sendJson(res, 200, { status: "expired" });
    }
    if (path === "/sap/_emulator/reset" && method === "POST") {
      handle.reset();
      return sendJson(res, 200, { status: "reset" });
    }
    throw new HttpError(404, "NOT_FOUND", `no route for ${method} ${url.pathname}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof Error && error.name === "AbortError") {
        req.socket.destroy();
        return;
      }
      const httpError = error instanceof HttpError ? error : new HttpError(500, "INTERNAL_ERROR", error instanceof Error ? error.message : String(error));
      if (res.headersSent) res.destroy();
      else sendError(res, httpError);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  const faults: SapFaultControls = {
    inject: (fault, count) => faultQueue.add(fault, count),
    unavailable: (count = 1, retryAfterSeconds) => faultQueue.add({ kind: "unavailable", retryAfterSeconds }, count),
    hang: (ms, { count = 1, phase } = {}) => faultQueue.add({ kind: "hang", ms, phase }, count),
    dropConnection: ({ count = 1, phase } = {}) => faultQueue.add({ kind: "close", phase }, count),
    status02: (count = 1, text) => faultQueue.add({ kind: "status02", text }, count),
    expireCsrfTokens: () => odata.expireCsrfTokens(),
    clear: () => faultQueue.clear(),
    pending: () => faultQueue.pending(),
  };

  const handle: SapEmulator = {
    url: `http://${host}:${address.port}`,
    port: address.port,
    get erp() {
      return erp;
    },
    faults,
    close: () =>
      new Promise<void>((resolve, reject) => {
        shutdown.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    reset() {
      generation.abort();
      generation = new AbortController();
      erp = seed();
      inbound.clear();
      answers.clear();
      applicationsByKey.clear();
      faultQueue.clear();
      odata.reset();
      Object.assign(counters, { requests: 0, processed: 0, replayed: 0 });
    },
    stock: (query) => fromMilli(erp.stock(stockKey(query))),
    setStock: (query, quantity) => erp.setStock(stockKey(query), toMilli(quantity)),
    adjustStock: (query, delta) => fromMilli(erp.addStock(stockKey(query), toMilli(delta))),
    stockRows: (filter = {}) =>
      erp.stockRows(filter).map((row) => ({
        ...row,
        quantity: fromMilli(row.quantity),
        qualityInspection: fromMilli(row.qualityInspection),
        blocked: fromMilli(row.blocked),
      })),
    stockOf: (query, type) => fromMilli(erp.stockOf(stockKey(query), type)),
    setStockOf: (query, type, quantity) => erp.setStockOf(stockKey(query), type, toMilli(quantity)),
    applications: (key) => applicationsByKey.get(key) ?? 0,
    counters: () => ({ ...counters }),
    odataCounters: () => odata.counters(),
    idocStatus: (docnum, sender) => inbound.statusLog(docnum, sender),
    materialDocuments: () => [...erp.materialDocuments],
    order: (aufnr) => erp.orders.get(normalizeOrder(aufnr)),
    material: (matnr) => erp.materials.get(normalizeMaterial(matnr)),
    setPostingPeriod(companyCode, period) {
      const entry = erp.companyCodes.get(companyCode);
      if (!entry) throw new Error(`unknown company code ${companyCode}`);
      entry.postingPeriod = { ...period };
    },
    inspectionLot: (lot) => erp.inspectionLots.get(lot.padStart(12, "0")),
    purchaseOrder: (number) => erp.purchaseOrders.get(number),
    supplierInvoices: () => [...erp.supplierInvoices],
    confirmations: () => [...erp.confirmations],
  };
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Command line: node --import tsx connectors/sap/emulator.ts [--port 8000] [--host 127.0.0.1]
// ---------------------------------------------------------------------------------------------

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

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
  const port = Number(argument("port") ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${argument("port")}`);
    process.exit(2);
  }
  const emulator = await startSapEmulator({ port, host: argument("host") });
  console.log(`SAP emulator listening on ${emulator.url} (IDoc: POST ${emulator.url}/sap/idoc/inbound; OData: ${emulator.url}/sap/opu/odata/sap/<SERVICE>/)`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
