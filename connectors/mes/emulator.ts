import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import {
  type AcknowledgedRequest,
  type ApplicationArea,
  acknowledgeXml,
  B2mmlError,
  type BodError,
  confirmBodXml,
  formatQuantity,
  type PerformanceRecord,
  parseProductionSchedule,
  readApplicationArea,
  parseDocument,
  showProductionPerformanceXml,
} from "./b2mml";
import { FaultQueue, mesFaultSchema, type MesFault, type PendingFault } from "./faults";
import { snapshotState } from "../rest-emulator/http";
import { type Answer, AnswerStore, argument, BodyTooLarge, fingerprint, idempotencyKeyOf, isMainModule, json, readBody, send } from "./http";
import { prodordReleaseSchema, MES_TO_B2MML_STATE, type ProdordRelease } from "./schema";
import { prodordReleaseToScheduleRequest } from "./release";
import { type ConfirmationInput, type MesConfirmation, MesError, MesErrors, type MesOrder, MesState, normalizeOrder, orderView } from "./state";
import { localDateTime } from "./time";

/**
 * MES emulator: plays a manufacturing execution system that receives production orders from the
 * ERP as B2MML (ISA-95) and publishes operation confirmations as B2MML ProductionPerformance.
 *
 *   POST /mes/b2mml/production-schedule        Process/ChangeProductionSchedule (XML) → 200
 *                                              AcknowledgeProductionSchedule, 422 ConfirmBOD (refused),
 *                                              400 ConfirmBOD (not a valid B2MML schedule)
 *   GET  /mes/b2mml/production-performance?after=&limit=   ShowProductionPerformance (the confirmation feed)
 *   GET  /mes/b2mml/production-performance/{ID}
 *   GET  /mes/api/orders, /mes/api/orders/{order}          the MES's REST view of orders (JSON)
 *   POST /mes/api/orders/{order}/operations/{op}/confirmations   a shop-floor confirmation (JSON)
 *   POST /mes/api/orders/{order}/close
 *   GET  /mes/api/work-centres, /mes/health
 *   /mes/_emulator/faults (GET, POST, DELETE), /mes/_emulator/reset, /mes/_emulator/sites,
 *   /mes/_emulator/orders (seed an order from a PRODORD_RELEASE JSON payload)
 *
 * Writes take an `Idempotency-Key` header; the B2MML BODID (per sender) is the native one when the
 * header is absent. The same key with the same content answers the first answer again (header
 * `Idempotent-Replayed: true`), with different content 422.
 */

export const MES_LOGICAL_ID = "MES";

export interface MesEmulatorOptions {
  /** 0 (default): a free port. */
  port?: number;
  host?: string;
  /** Clock of the emulated MES (confirmation times, BOD creation times). */
  now?: () => Date;
  /** Over-delivery accepted beyond the open quantity, in % of the order quantity (default 10). */
  overDeliveryTolerancePercent?: number;
  maxBodyBytes?: number;
}

export interface MesFaultControls {
  add(fault: MesFault, count?: number): void;
  unavailable(count?: number, retryAfterSeconds?: number): void;
  hang(ms: number, options?: { count?: number; phase?: "before" | "after" }): void;
  dropConnection(options?: { count?: number; phase?: "before" | "after" }): void;
  clear(): void;
  pending(): PendingFault[];
}

export interface MesEmulatorCounters {
  /** Requests to the MES API (B2MML and REST, not the controls). */
  requests: number;
  /** Writes applied (schedules processed, confirmations recorded, orders closed). */
  processed: number;
  /** Answers replayed for a known idempotency key or BODID. */
  replayed: number;
}

export interface MesEmulator {
  readonly url: string;
  readonly port: number;
  readonly state: MesState;
  readonly faults: MesFaultControls;
  close(): Promise<void>;
  /** Back to the seeded state: orders, confirmations, keys, faults and counters. */
  reset(): void;
  order(orderNumber: string): MesOrder | undefined;
  orders(): MesOrder[];
  confirmations(): readonly MesConfirmation[];
  /** Records a confirmation in process (as the terminal endpoint does); throws MesError. */
  confirm(input: ConfirmationInput): MesConfirmation;
  /** The ProductionPerformance record the MES publishes for a confirmation. */
  performanceOf(confirmation: MesConfirmation): PerformanceRecord;
  /** Seeds an order as if the ERP had released it (throws MesErrors when the MES refuses it). */
  seedOrder(payload: ProdordRelease): MesOrder;
  addWorkCentre(plant: string, workCentre: string, timeZone?: string): void;
  /** How many times a request with this idempotency key (or `bod:<sender>:<BODID>`) was applied. */
  applications(key: string): number;
  counters(): MesEmulatorCounters;
}

const confirmationBodySchema = z
  .object({
    yield: z.number().min(0),
    scrap: z.number().min(0).optional(),
    start: z.string().datetime({ offset: true }).optional(),
    end: z.string().datetime({ offset: true }).optional(),
    final: z.boolean().optional(),
  })
  .strict();

const faultBodySchema = z.object({ fault: mesFaultSchema, count: z.number().int().min(1).optional() }).strict();
const siteBodySchema = z
  .object({ plant: z.string().min(1).max(4), timeZone: z.string().min(1).optional(), workCentres: z.array(z.string().min(1)).default([]) })
  .strict();

function parseJson<T>(schema: z.ZodType<T>, text: string): T {
  let value: unknown;
  try {
    value = text.trim() ? JSON.parse(text) : {};
  } catch {
    throw new MesError("MES-API-001", "request body is not valid JSON", 400);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new MesError("MES-API-002", result.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "), 400);
  }
  return result.data;
}

function jsonError(error: MesError): Answer {
  return json(error.status, { error: { code: error.code, message: error.message } });
}

const XML = "application/xml; charset=utf-8";

export async function startMesEmulator(options: MesEmulatorOptions = {}): Promise<MesEmulator> {
  const now = options.now ?? (() => new Date());
  const maxBodyBytes = options.maxBodyBytes;
  const seed = () => new MesState(now, options.overDeliveryTolerancePercent);
  let state = seed();
  const faultQueue = new FaultQueue();
  const answers = new AnswerStore();
  const counters: MesEmulatorCounters = { requests: 0, processed: 0, replayed: 0 };
  let bodCounter = 0;
  const shutdown = new AbortController();
  /** Aborted by reset(): requests still waiting in a "hang" are dropped instead of applying later. */
  let generation = new AbortController();
  const wait = (ms: number) => sleep(ms, undefined, { signal: AbortSignal.any([shutdown.signal, generation.signal]) });

  const area = (): ApplicationArea => {
    bodCounter += 1;
    return { sender: MES_LOGICAL_ID, creationDateTime: now().toISOString(), bodId: `MES-BOD-${String(bodCounter).padStart(8, "0")}` };
  };

  const performanceOf = (c: MesConfirmation): PerformanceRecord => {
    const tz = state.timeZoneOf(c.plant);
    return {
      id: c.performanceId,
      plant: c.plant,
      publishedDate: localDateTime(c.recordedAt, tz),
      confirmationId: c.id,
      orderNumber: c.orderNumber,
      material: c.material,
      bomRevision: c.bomRevision,
      operation: c.operation,
      workCentre: c.workCentre,
      actualStart: localDateTime(c.start, tz),
      actualEnd: localDateTime(c.end, tz),
      yield: formatQuantity(c.yield),
      scrap: formatQuantity(c.scrap),
      unit: c.unit,
      segmentState: c.final ? "Completed" : "Running",
      responseState: MES_TO_B2MML_STATE[c.orderStatus],
      overDelivery: c.overDelivery,
    };
  };

  /** Runs the idempotent part of a write: stored answer, 422 on a reused key, or apply. Nothing awaits. */
  function idempotent(keys: (string | undefined)[], print: string, apply: () => Answer, reused: () => Answer): Answer & { replayed?: boolean } {
    const used = keys.filter((key): key is string => key !== undefined);
    const stored = used.map((key) => answers.get(key)).filter((entry) => entry !== undefined);
    if (stored.some((entry) => entry.fingerprint !== print)) return reused();
    const first = stored[0];
    if (first) {
      counters.replayed += 1;
      return { ...first.answer, replayed: true };
    }
    const answer = apply();
    counters.processed += 1;
    for (const key of used) answers.set(key, print, answer);
    return answer;
  }

  // -------------------------------------------------------------------------------------------
  // Handlers (synchronous: a key is checked and applied atomically)
  // -------------------------------------------------------------------------------------------

  function receiveSchedule(req: IncomingMessage, body: string): Answer {
    const header = idempotencyKeyOf(req);
    const rejection = (status: number, errors: BodError[], original?: ApplicationArea): Answer => ({
      status,
      contentType: XML,
      body: confirmBodXml(area(), original, errors),
    });
    if (header === null) return rejection(400, [{ code: "MES-API-003", message: "Idempotency-Key must be 1 to 255 characters" }]);
    let message: ReturnType<typeof parseProductionSchedule>;
    try {
      message = parseProductionSchedule(body);
    } catch (error) {
      if (error instanceof B2mmlError) {
        let original: ApplicationArea | undefined;
        try {
          original = readApplicationArea(parseDocument(body).node);
        } catch {
          original = undefined;
        }
        return rejection(400, [{ code: error.code, message: error.message }], original);
      }
      throw error;
    }
    const original = message.applicationArea;
    // The BODID is unique per sender: it is a key of its own, also when a header key is given.
    const bodKey = `bod:${original.sender}:${original.bodId}`;
    const print = fingerprint({ verb: message.verb, schedules: message.schedules });
    const apply = (): Answer => {
      try {
        const results = state.receiveSchedule(
          message.verb,
          message.schedules.flatMap((s) => s.requests),
        );
        const requests: AcknowledgedRequest[] = results.map(({ order }) => ({
          orderNumber: order.orderNumber,
          requestState: order.status === "SCHEDULED" ? "Forecast" : "Released",
          mesStatus: order.status,
        }));
        const description = results.map((r) => `Order ${r.order.orderNumber} ${r.outcome} (${r.order.status})`).join("; ");
        const scheduleId = message.schedules[0]?.id ?? requests[0]?.orderNumber ?? "";
        return { status: 200, contentType: XML, body: acknowledgeXml(area(), original, "Accepted", description, scheduleId, requests) };
      } catch (error) {
        if (error instanceof MesErrors)
          return rejection(
            422,
            error.errors.map((e) => ({ code: e.code, message: e.message })),
            original,
          );
        throw error;
      }
    };
    // A dry run (X-Dry-Run: true): every check on the real orders, then the state is restored; no key, no BODID used.
    if (String(req.headers["x-dry-run"] ?? "").toLowerCase() === "true") {
      const restore = snapshotState(state);
      try {
        return apply();
      } finally {
        restore();
      }
    }
    return idempotent([header, bodKey], print, apply, () => {
      const headerReused = header !== undefined && answers.get(header) !== undefined && answers.get(header)?.fingerprint !== print;
      const what = headerReused ? `Idempotency-Key ${header}` : `BODID ${original.bodId} from ${original.sender}`;
      return rejection(422, [{ code: "MES-BOD-001", message: `${what} was already used for a different message` }], original);
    });
  }

  function recordConfirmation(req: IncomingMessage, body: string, orderNumber: string, operation: string): Answer {
    const key = idempotencyKeyOf(req);
    if (key === null) return jsonError(new MesError("MES-API-003", "Idempotency-Key must be 1 to 255 characters", 400));
    let input: z.infer<typeof confirmationBodySchema>;
    try {
      input = parseJson(confirmationBodySchema, body);
    } catch (error) {
      if (error instanceof MesError) return jsonError(error);
      throw error;
    }
    const print = fingerprint({ route: "confirm", orderNumber: normalizeOrder(orderNumber), operation, input });
    return idempotent(
      [key],
      print,
      () => {
        try {
          const confirmation = state.confirm({ ...input, order: orderNumber, operation });
          return json(201, { confirmation, performanceId: confirmation.performanceId, order: orderView(state.order(orderNumber) as MesOrder) });
        } catch (error) {
          if (error instanceof MesError) return jsonError(error);
          throw error;
        }
      },
      () => jsonError(new MesError("MES-API-004", `Idempotency-Key ${key} was already used for a different request`, 422)),
    );
  }

  function closeOrder(req: IncomingMessage, orderNumber: string): Answer {
    const key = idempotencyKeyOf(req);
    if (key === null) return jsonError(new MesError("MES-API-003", "Idempotency-Key must be 1 to 255 characters", 400));
    return idempotent(
      [key],
      fingerprint({ route: "close", orderNumber: normalizeOrder(orderNumber) }),
      () => {
        try {
          return json(200, { order: orderView(state.close(orderNumber)) });
        } catch (error) {
          if (error instanceof MesError) return jsonError(error);
          throw error;
        }
      },
      () => jsonError(new MesError("MES-API-004", `Idempotency-Key ${key} was already used for a different request`, 422)),
    );
  }

  function performanceFeed(url: URL): Answer {
    const after = Number(url.searchParams.get("after") ?? 0);
    const limit = Math.min(Number(url.searchParams.get("limit") ?? 100), 1000);
    if (!Number.isInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1) {
      return jsonError(new MesError("MES-API-002", "after must be an integer ≥ 0 and limit an integer ≥ 1", 400));
    }
    const items = state.confirmations.filter((c) => c.sequence > after).slice(0, limit);
    const last = items.at(-1)?.sequence ?? after;
    return {
      status: 200,
      contentType: XML,
      body: showProductionPerformanceXml(area(), items.map(performanceOf)),
      headers: { "x-mes-next-after": String(last) },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Routing with faults
  // -------------------------------------------------------------------------------------------

  /** A request to the MES API: takes the next fault, reads the body, computes the answer, sends it. */
  async function serve(req: IncomingMessage, res: ServerResponse, handle: (body: string) => Answer & { replayed?: boolean }): Promise<void> {
    counters.requests += 1;
    const fault = faultQueue.take();
    if (fault?.kind === "unavailable") {
      req.resume();
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
      send(res, json(503, { error: { code: "SERVICE_UNAVAILABLE", message: "MES application server is not available" } }, headers));
      return;
    }
    if (fault?.kind === "close" && fault.phase !== "after") {
      req.socket.destroy();
      return;
    }
    const body = await readBody(req, maxBodyBytes);
    // The request has arrived; a slow MES still processes it even if the client gives up meanwhile.
    if (fault?.kind === "hang" && fault.phase !== "after") await wait(fault.ms);
    const answer = handle(body);
    if (fault?.kind === "hang" && fault.phase === "after") await wait(fault.ms);
    if (fault?.kind === "close") {
      req.socket.destroy();
      return;
    }
    const { replayed, ...plain } = answer;
    send(res, plain, replayed ? { "idempotent-replayed": "true" } : {});
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/\/+$/, "");
    const notAllowed = () => send(res, jsonError(new MesError("MES-API-005", `${method} is not allowed on ${path}`, 405)));

    if (path === "/mes/health") return send(res, json(200, { status: "ok" }));

    if (path === "/mes/b2mml/production-schedule") {
      if (method !== "POST") return notAllowed();
      const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      if (type !== "application/xml" && type !== "text/xml") {
        req.resume();
        return send(res, jsonError(new MesError("MES-API-006", "Content-Type must be application/xml or text/xml (B2MML)", 415)));
      }
      return serve(req, res, (body) => receiveSchedule(req, body));
    }
    if (path === "/mes/b2mml/production-performance" && method === "GET") return serve(req, res, () => performanceFeed(url));
    const performance = /^\/mes\/b2mml\/production-performance\/(MESPERF-\d{7})$/.exec(path);
    if (performance && method === "GET") {
      return serve(req, res, () => {
        const found = state.confirmations.find((c) => c.performanceId === performance[1]);
        if (!found) return jsonError(new MesError("MES-API-404", `ProductionPerformance ${performance[1]} does not exist`, 404));
        return { status: 200, contentType: XML, body: showProductionPerformanceXml(area(), [performanceOf(found)]) };
      });
    }
    if (path === "/mes/api/orders" && method === "GET") {
      return serve(req, res, () => {
        const status = url.searchParams.get("status");
        return json(200, { orders: [...state.orders.values()].filter((o) => !status || o.status === status).map(orderView) });
      });
    }
    const confirmation = /^\/mes\/api\/orders\/(\d{1,12})\/operations\/(\d{4})\/confirmations$/.exec(path);
    if (confirmation) {
      if (method !== "POST") return notAllowed();
      return serve(req, res, (body) => recordConfirmation(req, body, confirmation[1] ?? "", confirmation[2] ?? ""));
    }
    const close = /^\/mes\/api\/orders\/(\d{1,12})\/close$/.exec(path);
    if (close) {
      if (method !== "POST") return notAllowed();
      return serve(req, res, () => closeOrder(req, close[1] ?? ""));
    }
    const order = /^\/mes\/api\/orders\/(\d{1,12})$/.exec(path);
    if (order && method === "GET") {
      return serve(req, res, () => {
        const found = state.order(order[1] ?? "");
        return found
          ? json(200, orderView(found))
          : jsonError(new MesError("MES-ORD-002", `Order ${normalizeOrder(order[1] ?? "")} is not known to the MES`, 404));
      });
    }
    if (path === "/mes/api/work-centres" && method === "GET") {
      return serve(req, res, () =>
        json(200, { sites: [...state.sites.values()].map((s) => ({ plant: s.plant, timeZone: s.timeZone, workCentres: [...s.workCentres].sort() })) }),
      );
    }

    // Controls for a simulator in another process (no faults, no counters).
    if (path === "/mes/_emulator/faults") {
      if (method === "GET") return send(res, json(200, { pending: faultQueue.pending() }));
      if (method === "DELETE") {
        faultQueue.clear();
        return send(res, json(200, { pending: [] }));
      }
      if (method === "POST") {
        const body = parseJson(faultBodySchema, await readBody(req, maxBodyBytes));
        faultQueue.add(body.fault, body.count);
        return send(res, json(200, { pending: faultQueue.pending() }));
      }
      return notAllowed();
    }
    if (path === "/mes/_emulator/reset" && method === "POST") {
      handle.reset();
      return send(res, json(200, { status: "reset" }));
    }
    if (path === "/mes/_emulator/sites" && method === "POST") {
      const body = parseJson(siteBodySchema, await readBody(req, maxBodyBytes));
      const site = state.addSite(body.plant, body.timeZone ?? state.sites.get(body.plant)?.timeZone ?? "UTC", body.workCentres);
      return send(res, json(200, { plant: site.plant, timeZone: site.timeZone, workCentres: [...site.workCentres].sort() }));
    }
    if (path === "/mes/_emulator/orders" && method === "POST") {
      const payload = parseJson(prodordReleaseSchema, await readBody(req, maxBodyBytes));
      try {
        return send(res, json(200, orderView(handle.seedOrder(payload))));
      } catch (error) {
        if (error instanceof MesErrors) return send(res, json(422, { error: { code: error.errors[0]?.code, message: error.message } }));
        throw error;
      }
    }
    return send(res, jsonError(new MesError("MES-API-404", `no route for ${method} ${url.pathname}`, 404)));
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof Error && error.name === "AbortError") {
        req.socket.destroy();
        return;
      }
      const answer =
        error instanceof MesError
          ? jsonError(error)
          : error instanceof BodyTooLarge
            ? jsonError(new MesError("MES-API-413", error.message, 413))
            : jsonError(new MesError("MES-API-500", error instanceof Error ? error.message : String(error), 500));
      if (res.headersSent) res.destroy();
      else send(res, answer);
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

  const faults: MesFaultControls = {
    add: (fault, count) => faultQueue.add(fault, count),
    unavailable: (count = 1, retryAfterSeconds) => faultQueue.add({ kind: "unavailable", retryAfterSeconds }, count),
    hang: (ms, { count = 1, phase } = {}) => faultQueue.add({ kind: "hang", ms, phase }, count),
    dropConnection: ({ count = 1, phase } = {}) => faultQueue.add({ kind: "close", phase }, count),
    clear: () => faultQueue.clear(),
    pending: () => faultQueue.pending(),
  };

  const handle: MesEmulator = {
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
      state = seed();
      answers.clear();
      faultQueue.clear();
      bodCounter = 0;
      Object.assign(counters, { requests: 0, processed: 0, replayed: 0 });
    },
    order: (orderNumber) => state.order(orderNumber),
    orders: () => [...state.orders.values()],
    confirmations: () => [...state.confirmations],
    confirm: (input) => state.confirm(input),
    performanceOf,
    seedOrder(payload) {
      const parsed = prodordReleaseSchema.parse(payload);
      const [result] = state.receiveSchedule(parsed.releaseType === "change" ? "Change" : "Process", [prodordReleaseToScheduleRequest(parsed)]);
      if (!result) throw new Error("no order");
      return result.order;
    },
    addWorkCentre(plant, workCentre, timeZone) {
      state.addSite(plant, timeZone ?? state.sites.get(plant)?.timeZone ?? "UTC", [workCentre]);
    },
    applications: (key) => answers.applied(key),
    counters: () => ({ ...counters }),
  };
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Command line: node --import tsx connectors/mes/emulator.ts [--port 8010] [--host 127.0.0.1]
// ---------------------------------------------------------------------------------------------

if (isMainModule(import.meta.url)) {
  const port = Number(argument("port") ?? 8010);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${argument("port")}`);
    process.exit(2);
  }
  const emulator = await startMesEmulator({ port, host: argument("host") });
  console.log(`MES emulator listening on ${emulator.url} (POST ${emulator.url}/mes/b2mml/production-schedule)`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
