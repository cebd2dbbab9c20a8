import { realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { detectSyntax, parseAcknowledgment, type EdiSyntax, type ParsedAcknowledgment } from "./acknowledgments";
import { EdiError } from "./errors";
import { FaultQueue, portalFaultSchema, type PendingFault, type PortalFault } from "./faults";
import {
  HttpProblem,
  IdempotencyStore,
  fingerprint,
  idempotencyKeyOf,
  jsonResponse,
  parseJson,
  parseWith,
  problemResponse,
  readBody,
  send,
  textResponse,
  type StoredResponse,
} from "./http";
import {
  DEFAULT_SEED,
  PortalError,
  PortalState,
  purchaseOrderInputSchema,
  shipAsnInputSchema,
  supplierInputSchema,
  type Asn,
  type PortalSeed,
  type PurchaseOrder,
  type Transmission,
} from "./portal-state";

/**
 * Supplier portal / EDI emulator: the supplier side of ASN exchange, over HTTP (node:http only).
 *
 *   POST /portal/suppliers, GET /portal/suppliers/{id}             suppliers (EDI id, X12 or EDIFACT)
 *   POST /portal/purchase-orders, GET /portal/purchase-orders/{po} orders placed with them (shipped / open)
 *   POST /portal/asns                                              ship an ASN against an order → 201
 *   GET  /portal/asns/{asn}                                        ASN, status, interchanges, answers
 *   GET  /portal/asns/{asn}/edi?syntax=X12|EDIFACT                 its latest interchange as 856 / DESADV
 *   POST /portal/asns/{asn}/retransmit                             send it again under a new control number
 *   GET  /portal/transmissions?after=N, GET /portal/transmissions/{n}  outbound feed / one interchange
 *   POST /portal/edi/inbound                                       997, CONTRL, 824 or APERAK from the buyer
 *   GET  /portal/health
 *   /portal/_emulator/faults|reset|seed|state                      controls for a simulator in another process
 *
 * Errors are RFC 9457 problem details (application/problem+json) with a `code`. Every POST accepts an
 * Idempotency-Key; inbound EDI is also applied once per its own interchange control number.
 */

export interface EdiEmulatorOptions {
  /** 0 (default): a free port. */
  port?: number;
  host?: string;
  now?: () => Date;
  /** The buyer's interchange id (ISA08 / UNB S003), default ANDONBUYER. */
  buyerId?: string;
  /** First control number of outbound interchanges, default 1001. */
  firstControlNumber?: number;
  seed?: PortalSeed;
  maxBodyBytes?: number;
}

export interface EdiFaultControls {
  add(fault: PortalFault, count?: number): void;
  unavailable(count?: number, retryAfterSeconds?: number): void;
  hang(ms: number, options?: { count?: number; phase?: "before" | "after" }): void;
  dropConnection(options?: { count?: number; phase?: "before" | "after" }): void;
  clear(): void;
  pending(): PendingFault[];
}

export interface EdiEmulatorCounters {
  /** Requests to /portal/ (not the controls). */
  requests: number;
  /** Writes applied (a replayed answer is not counted). */
  applied: number;
  /** Answers replayed for a known Idempotency-Key or a duplicate interchange. */
  replayed: number;
}

export interface EdiEmulator {
  readonly url: string;
  readonly port: number;
  readonly state: PortalState;
  readonly faults: EdiFaultControls;
  close(): Promise<void>;
  /** Back to the seed: data, idempotency keys, faults, counters. */
  reset(): void;
  asn(asnNumber: string): Asn | undefined;
  purchaseOrder(poNumber: string): PurchaseOrder | undefined;
  transmission(controlNumber: number): Transmission | undefined;
  /** An interchange as EDI text. */
  edi(controlNumber: number, syntax?: EdiSyntax): string;
  /** How many times a request with this Idempotency-Key was applied (0 or 1). */
  applications(idempotencyKey: string): number;
  counters(): EdiEmulatorCounters;
}

const PROBLEM_TYPE = "urn:supplier-portal:problem:";
const MEDIA_TYPE: Record<EdiSyntax, string> = { X12: "application/edi-x12", EDIFACT: "application/edifact" };
const syntaxSchema = z.enum(["X12", "EDIFACT"]);
const faultBodySchema = z.object({ fault: portalFaultSchema, count: z.number().int().min(1).optional() }).strict();
const seedSchema = z.object({ suppliers: z.array(supplierInputSchema).optional(), purchaseOrders: z.array(purchaseOrderInputSchema).optional() }).strict();

function syntaxParam(value: string | null): EdiSyntax | undefined {
  if (value === null) return undefined;
  const parsed = syntaxSchema.safeParse(value.toUpperCase());
  if (!parsed.success) throw new HttpProblem(400, "INVALID_SYNTAX", "syntax must be X12 or EDIFACT");
  return parsed.data;
}

/**
 * An answer interchange is identified by its content, not its envelope date and time: a sender that
 * retries builds it again (with a new timestamp) under the same control number.
 */
function ackFingerprint(ack: ParsedAcknowledgment): string {
  const { document, acknowledgedControlNumber, asnNumber, status, codes, refusals } = ack;
  return fingerprint(JSON.stringify({ document, acknowledgedControlNumber, asnNumber, status, codes, refusals }));
}

function requestFingerprintOf(method: string, path: string, body: string): string {
  if (path === "/portal/edi/inbound") {
    try {
      return fingerprint(method, path, ackFingerprint(parseAcknowledgment(body)));
    } catch {
      // not readable: the route answers 400; the raw text identifies the request
    }
  }
  return fingerprint(method, path, body);
}

function asnView(state: PortalState, asn: Asn) {
  return {
    asn: asn.payload,
    status: asn.status,
    checks: asn.checks,
    createdAt: asn.createdAt,
    refusals: asn.refusals,
    transmissions: asn.transmissions.map((n) => state.transmissions.get(n)),
  };
}

export async function startEdiEmulator(options: EdiEmulatorOptions = {}): Promise<EdiEmulator> {
  const now = options.now ?? (() => new Date());
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const makeState = () =>
    new PortalState({ now, buyerId: options.buyerId ?? "ANDONBUYER", firstControlNumber: options.firstControlNumber ?? 1001 }, options.seed ?? DEFAULT_SEED);
  let state = makeState();
  const faultQueue = new FaultQueue();
  const idempotency = new IdempotencyStore();
  const counters: EdiEmulatorCounters = { requests: 0, applied: 0, replayed: 0 };
  const shutdown = new AbortController();
  let generation = new AbortController();
  const wait = (ms: number) => sleep(ms, undefined, { signal: AbortSignal.any([shutdown.signal, generation.signal]) });

  /** The business routes; synchronous, so a request is checked and applied without interleaving. */
  function route(method: string, path: string, url: URL, body: string): { response: StoredResponse; duplicate?: boolean } {
    const match = (re: RegExp): string | undefined => {
      const found = re.exec(path);
      return found ? decodeURIComponent(found[1]!) : undefined;
    };
    if (path === "/portal/suppliers" && method === "POST") {
      const { supplier, created } = state.createSupplier(parseWith(supplierInputSchema, parseJson(body)));
      return { response: jsonResponse(created ? 201 : 200, supplier) };
    }
    const supplierId = match(/^\/portal\/suppliers\/([^/]+)$/);
    if (supplierId !== undefined && method === "GET") {
      const supplier = state.suppliers.get(supplierId);
      if (!supplier) throw new HttpProblem(404, "SUPPLIER_NOT_FOUND", `Supplier ${supplierId} does not exist`);
      return { response: jsonResponse(200, supplier) };
    }
    if (path === "/portal/purchase-orders" && method === "POST") {
      const { purchaseOrder, created } = state.createPurchaseOrder(parseWith(purchaseOrderInputSchema, parseJson(body)));
      return { response: jsonResponse(created ? 201 : 200, purchaseOrder) };
    }
    const poNumber = match(/^\/portal\/purchase-orders\/([^/]+)$/);
    if (poNumber !== undefined && method === "GET") {
      const po = state.purchaseOrders.get(poNumber);
      if (!po) throw new HttpProblem(404, "PO_NOT_FOUND", `Purchase order ${poNumber} does not exist`);
      return { response: jsonResponse(200, { ...po, lines: po.lines.map((l) => ({ ...l, open: Math.round((l.quantity - l.shipped) * 1000) / 1000 })) }) };
    }
    if (path === "/portal/asns" && method === "POST") {
      const input = parseWith(shipAsnInputSchema, parseJson(body));
      const { asn, transmission, created } = state.shipAsn(input);
      return {
        response: jsonResponse(created ? 201 : 200, { ...asnView(state, asn), controlNumber: transmission.controlNumber, syntax: transmission.syntax }),
      };
    }
    const asnId = match(/^\/portal\/asns\/([^/]+)$/);
    if (asnId !== undefined && method === "GET") {
      return { response: jsonResponse(200, asnView(state, state.asn(asnId))) };
    }
    const asnForEdi = match(/^\/portal\/asns\/([^/]+)\/edi$/);
    if (asnForEdi !== undefined && method === "GET") {
      const asn = state.asn(asnForEdi);
      const controlNumber = asn.transmissions.at(-1)!;
      const syntax = syntaxParam(url.searchParams.get("syntax")) ?? state.transmission(controlNumber).syntax;
      return { response: textResponse(200, state.render(controlNumber, syntax), MEDIA_TYPE[syntax]) };
    }
    const asnForRetransmit = match(/^\/portal\/asns\/([^/]+)\/retransmit$/);
    if (asnForRetransmit !== undefined && method === "POST") {
      const { asn, transmission } = state.retransmit(asnForRetransmit);
      return { response: jsonResponse(200, { ...asnView(state, asn), controlNumber: transmission.controlNumber, syntax: transmission.syntax }) };
    }
    if (path === "/portal/transmissions" && method === "GET") {
      const after = Number(url.searchParams.get("after") ?? 0);
      const limit = Math.min(Number(url.searchParams.get("limit") ?? 100) || 100, 1000);
      const list = [...state.transmissions.values()].filter((t) => t.controlNumber > after).slice(0, limit);
      return { response: jsonResponse(200, { transmissions: list.map(({ acknowledgments: _, ...t }) => t) }) };
    }
    const controlNumberParam = match(/^\/portal\/transmissions\/(\d{1,9})$/);
    if (controlNumberParam !== undefined && method === "GET") {
      const controlNumber = Number(controlNumberParam);
      const syntax = syntaxParam(url.searchParams.get("syntax")) ?? state.transmission(controlNumber).syntax;
      return { response: textResponse(200, state.render(controlNumber, syntax), MEDIA_TYPE[syntax]) };
    }
    if (path === "/portal/edi/inbound" && method === "POST") {
      detectSyntax(body);
      const ack = parseAcknowledgment(body);
      const { answer, duplicate } = state.receiveAcknowledgment(ack, ackFingerprint(ack));
      return { response: jsonResponse(200, { ...answer, duplicate }), duplicate };
    }
    const known = /^\/portal\/(suppliers|purchase-orders|asns|transmissions|edi)/.test(path);
    if (known) throw new HttpProblem(405, "METHOD_NOT_ALLOWED", `${method} is not allowed on ${path}`);
    throw new HttpProblem(404, "NOT_FOUND", `no route for ${method} ${path}`);
  }

  function toResponse(error: unknown, path: string): StoredResponse {
    if (error instanceof HttpProblem) return problemResponse(error, PROBLEM_TYPE, path);
    if (error instanceof PortalError) return problemResponse(new HttpProblem(error.status, error.code, error.message, error.extra), PROBLEM_TYPE, path);
    if (error instanceof EdiError) {
      const p = error.problem;
      return problemResponse(new HttpProblem(400, "EDI_SYNTAX", p.message, { standard: p.standard, level: p.level, ediCode: p.code }), PROBLEM_TYPE, path);
    }
    if (error instanceof z.ZodError) {
      return problemResponse(
        new HttpProblem(400, "INVALID_REQUEST", error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")),
        PROBLEM_TYPE,
        path,
      );
    }
    throw error;
  }

  async function business(req: IncomingMessage, res: ServerResponse, method: string, path: string, url: URL): Promise<void> {
    counters.requests += 1;
    const fault = faultQueue.take();
    if (fault?.kind === "unavailable") {
      req.resume();
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
      send(res, problemResponse(new HttpProblem(503, "SERVICE_UNAVAILABLE", "The supplier portal is under maintenance"), PROBLEM_TYPE, path), headers);
      return;
    }
    if (fault?.kind === "close" && fault.phase !== "after") {
      req.socket.destroy();
      return;
    }
    if (method !== "POST") req.resume();
    const body = method === "POST" ? await readBody(req, maxBodyBytes) : "";
    if (fault?.kind === "hang" && fault.phase !== "after") await wait(fault.ms);

    let response: StoredResponse;
    let replayed = false;
    const key = method === "POST" ? idempotencyKeyOf(req) : undefined;
    const requestFingerprint = requestFingerprintOf(method, path, body);
    const stored = key === undefined ? undefined : idempotency.lookup(key, requestFingerprint);
    if (stored) {
      response = stored;
      replayed = true;
      counters.replayed += 1;
    } else {
      try {
        const result = route(method, path, url, body);
        response = result.response;
        if (method === "POST") {
          if (result.duplicate) counters.replayed += 1;
          else counters.applied += 1;
        }
        replayed = result.duplicate === true;
      } catch (error) {
        response = toResponse(error, path);
      }
      if (key !== undefined && response.status < 500) idempotency.store(key, requestFingerprint, response);
    }
    if (fault?.kind === "hang" && fault.phase === "after") await wait(fault.ms);
    if (fault?.kind === "close") {
      req.socket.destroy();
      return;
    }
    send(res, response, replayed ? { "idempotent-replayed": "true" } : {});
  }

  async function control(req: IncomingMessage, res: ServerResponse, method: string, path: string): Promise<void> {
    if (method !== "POST") req.resume();
    const body = method === "POST" ? parseJson(await readBody(req, maxBodyBytes)) : {};
    if (path === "/portal/_emulator/faults") {
      if (method === "GET") return send(res, jsonResponse(200, { pending: faultQueue.pending() }));
      if (method === "DELETE") {
        faultQueue.clear();
        return send(res, jsonResponse(200, { pending: [] }));
      }
      if (method === "POST") {
        const parsed = parseWith(faultBodySchema, body);
        faultQueue.add(parsed.fault, parsed.count);
        return send(res, jsonResponse(200, { pending: faultQueue.pending() }));
      }
    }
    if (path === "/portal/_emulator/reset" && method === "POST") {
      handle.reset();
      return send(res, jsonResponse(200, { status: "reset" }));
    }
    if (path === "/portal/_emulator/seed" && method === "POST") {
      const seed = parseWith(seedSchema, body);
      state.seed(seed);
      return send(res, jsonResponse(200, { suppliers: state.suppliers.size, purchaseOrders: state.purchaseOrders.size }));
    }
    if (path === "/portal/_emulator/state" && method === "GET") {
      return send(
        res,
        jsonResponse(200, {
          suppliers: [...state.suppliers.values()],
          purchaseOrders: [...state.purchaseOrders.values()],
          asns: [...state.asns.values()].map((a) => asnView(state, a)),
        }),
      );
    }
    throw new HttpProblem(404, "NOT_FOUND", `no control ${method} ${path}`);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://portal");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/\/+$/, "");
    const work =
      path === "/portal/health"
        ? Promise.resolve(send(res, jsonResponse(200, { status: "ok" })))
        : path.startsWith("/portal/_emulator/")
          ? control(req, res, method, path)
          : business(req, res, method, path, url);
    work.catch((error: unknown) => {
      if (error instanceof Error && error.name === "AbortError") {
        req.socket.destroy();
        return;
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      try {
        send(res, toResponse(error, path));
      } catch {
        send(res, problemResponse(new HttpProblem(500, "INTERNAL_ERROR", error instanceof Error ? error.message : String(error)), PROBLEM_TYPE, path));
      }
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

  const faults: EdiFaultControls = {
    add: (fault, count) => faultQueue.add(fault, count),
    unavailable: (count = 1, retryAfterSeconds) => faultQueue.add({ kind: "unavailable", retryAfterSeconds }, count),
    hang: (ms, { count = 1, phase } = {}) => faultQueue.add({ kind: "hang", ms, phase }, count),
    dropConnection: ({ count = 1, phase } = {}) => faultQueue.add({ kind: "close", phase }, count),
    clear: () => faultQueue.clear(),
    pending: () => faultQueue.pending(),
  };

  const handle: EdiEmulator = {
    url: `http://${host}:${address.port}`,
    port: address.port,
    get state() {
      return state;
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
      state = makeState();
      idempotency.clear();
      faultQueue.clear();
      Object.assign(counters, { requests: 0, applied: 0, replayed: 0 });
    },
    asn: (asnNumber) => state.asns.get(asnNumber),
    purchaseOrder: (poNumber) => state.purchaseOrders.get(poNumber),
    transmission: (controlNumber) => state.transmissions.get(controlNumber),
    edi: (controlNumber, syntax) => state.render(controlNumber, syntax),
    applications: (key) => idempotency.applications(key),
    counters: () => ({ ...counters }),
  };
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Command line: node --import tsx connectors/edi/emulator.ts [--port 8030] [--host 127.0.0.1]
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
  const port = Number(argument("port") ?? 8030);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${argument("port")}`);
    process.exit(2);
  }
  const emulator = await startEdiEmulator({ port, host: argument("host") });
  console.log(`Supplier portal / EDI emulator listening on ${emulator.url} (POST ${emulator.url}/portal/asns)`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
