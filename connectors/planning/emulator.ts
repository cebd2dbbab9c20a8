import { realpathSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { FaultQueue, planningFaultSchema, type PendingFault, type PlanningFault } from "./faults";
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
  type StoredResponse,
} from "./http";
import {
  DEFAULT_SEED,
  PlanningError,
  PlanningState,
  actualInputSchema,
  bucketInputSchema,
  versionInputSchema,
  type ForecastVersion,
  type PlanningSeed,
  type PlannedOrder,
} from "./planning-state";
import { ALL_PLANTS, PLANNING_UNITS } from "./uom";

/**
 * Planning / APS emulator: REST/JSON of a planning engine, over HTTP (node:http only). Base /planning/api/v1.
 *
 *   POST /forecast-versions                      create a DRAFT version (weekly buckets, planning units)
 *   GET  /forecast-versions?plant=&status=       list; GET /forecast-versions/{id} one version
 *   PUT  /forecast-versions/{id}/buckets         replace the buckets of a draft
 *   POST /forecast-versions/{id}/release         DRAFT → RELEASED (supersedes the plant's previous one),
 *                                                derives planned orders, answers the FORECAST_IMPORT payload
 *   GET  /forecast-versions/{id}/export          the FORECAST_IMPORT payload of a released version
 *   GET  /planned-orders?plant=&version=&material=
 *   POST /actuals, GET /actuals?plant=&material=  actuals back from the ERP (closed loop), per material and week
 *   GET  /uom-mappings, PUT|DELETE /uom-mappings/{planningUnit}?plant=   unit mapping to the ERP
 *   GET  /planning/health; /planning/_emulator/faults|reset|seed|state  controls for a simulator
 *
 * Errors are RFC 9457 problem details (application/problem+json) with a `code`. Every write accepts an
 * Idempotency-Key (the same key and body: the first answer again, once applied; another body: 422).
 */

export interface PlanningEmulatorOptions {
  /** 0 (default): a free port. */
  port?: number;
  host?: string;
  now?: () => Date;
  seed?: PlanningSeed;
  leadTimeDays?: number;
  maxBodyBytes?: number;
}

export interface PlanningFaultControls {
  add(fault: PlanningFault, count?: number): void;
  unavailable(count?: number, retryAfterSeconds?: number): void;
  hang(ms: number, options?: { count?: number; phase?: "before" | "after" }): void;
  dropConnection(options?: { count?: number; phase?: "before" | "after" }): void;
  clear(): void;
  pending(): PendingFault[];
}

export interface PlanningEmulatorCounters {
  requests: number;
  applied: number;
  replayed: number;
}

export interface PlanningEmulator {
  readonly url: string;
  readonly port: number;
  readonly state: PlanningState;
  readonly faults: PlanningFaultControls;
  close(): Promise<void>;
  reset(): void;
  version(versionId: string): ForecastVersion | undefined;
  plannedOrders(filter?: { plant?: string; versionId?: string; material?: string }): PlannedOrder[];
  applications(idempotencyKey: string): number;
  counters(): PlanningEmulatorCounters;
}

const API = "/planning/api/v1";
const PROBLEM_TYPE = "urn:planning-engine:problem:";
const faultBodySchema = z.object({ fault: planningFaultSchema, count: z.number().int().min(1).optional() }).strict();
const seedSchema = z.object({ versions: z.array(versionInputSchema.and(z.object({ release: z.boolean().optional() }))) }).strict();
const mappingBodySchema = z.object({ erpUnit: z.string().regex(/^[A-Z0-9]{1,3}$/) }).strict();

export async function startPlanningEmulator(options: PlanningEmulatorOptions = {}): Promise<PlanningEmulator> {
  const now = options.now ?? (() => new Date());
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const makeState = () => new PlanningState({ now, leadTimeDays: options.leadTimeDays }, options.seed ?? DEFAULT_SEED);
  let state = makeState();
  const faultQueue = new FaultQueue();
  const idempotency = new IdempotencyStore();
  const counters: PlanningEmulatorCounters = { requests: 0, applied: 0, replayed: 0 };
  const shutdown = new AbortController();
  let generation = new AbortController();
  const wait = (ms: number) => sleep(ms, undefined, { signal: AbortSignal.any([shutdown.signal, generation.signal]) });

  const plannedOrders = (filter: { plant?: string; versionId?: string; material?: string } = {}) =>
    [...state.plannedOrders.values()].filter(
      (o) =>
        (filter.plant === undefined || o.plant === filter.plant) &&
        (filter.versionId === undefined || o.versionId === filter.versionId) &&
        (filter.material === undefined || o.material === filter.material),
    );

  /** The API routes; synchronous, so a request is checked and applied without interleaving. */
  function route(method: string, path: string, url: URL, body: string): StoredResponse {
    const match = (re: RegExp): string | undefined => {
      const found = re.exec(path);
      return found ? decodeURIComponent(found[1]!) : undefined;
    };
    const q = (name: string) => url.searchParams.get(name) ?? undefined;
    if (path === `${API}/forecast-versions`) {
      if (method === "POST") {
        const { version, created } = state.createVersion(parseWith(versionInputSchema, parseJson(body)));
        return jsonResponse(created ? 201 : 200, version);
      }
      if (method === "GET") {
        const list = [...state.versions.values()].filter((v) => (q("plant") ?? v.plant) === v.plant && (q("status") ?? v.status) === v.status);
        return jsonResponse(200, { versions: list.map(({ buckets, ...v }) => ({ ...v, buckets: buckets.length })) });
      }
    }
    const versionId = match(/^\/planning\/api\/v1\/forecast-versions\/([^/]+)$/);
    if (versionId !== undefined && method === "GET") return jsonResponse(200, state.version(versionId));
    const bucketsOf = match(/^\/planning\/api\/v1\/forecast-versions\/([^/]+)\/buckets$/);
    if (bucketsOf !== undefined && method === "PUT") {
      const parsed = parseWith(z.object({ buckets: z.array(bucketInputSchema) }).strict(), parseJson(body));
      return jsonResponse(200, state.replaceBuckets(bucketsOf, parsed.buckets));
    }
    const toRelease = match(/^\/planning\/api\/v1\/forecast-versions\/([^/]+)\/release$/);
    if (toRelease !== undefined && method === "POST") {
      const result = state.release(toRelease);
      return jsonResponse(200, {
        version: { ...result.version, buckets: result.version.buckets.length },
        alreadyReleased: result.alreadyReleased,
        ...(result.superseded ? { superseded: result.superseded } : {}),
        payload: result.payload,
      });
    }
    const toExport = match(/^\/planning\/api\/v1\/forecast-versions\/([^/]+)\/export$/);
    if (toExport !== undefined && method === "GET") return jsonResponse(200, state.export(toExport));
    if (path === `${API}/planned-orders` && method === "GET") {
      return jsonResponse(200, { plannedOrders: plannedOrders({ plant: q("plant"), versionId: q("version"), material: q("material") }) });
    }
    if (path === `${API}/actuals`) {
      if (method === "POST") {
        const { actual, status } = state.recordActual(parseWith(actualInputSchema, parseJson(body)));
        return jsonResponse(status === "created" ? 201 : 200, { status, actual });
      }
      if (method === "GET") {
        const list = [...state.actuals.values()].filter((a) => (q("plant") ?? a.plant) === a.plant && (q("material") ?? a.material) === a.material);
        return jsonResponse(200, { actuals: list });
      }
    }
    if (path === `${API}/uom-mappings` && method === "GET") {
      return jsonResponse(200, { planningUnits: PLANNING_UNITS, mappings: state.uom.list() });
    }
    const unit = match(/^\/planning\/api\/v1\/uom-mappings\/([^/]+)$/);
    if (unit !== undefined && (method === "PUT" || method === "DELETE")) {
      if (!(unit in PLANNING_UNITS)) throw new PlanningError(404, "UOM_UNKNOWN", `Unit of measure "${unit}" is not defined in the planning model`);
      const plant = q("plant") ?? ALL_PLANTS;
      if (method === "PUT") {
        state.uom.set(unit, parseWith(mappingBodySchema, parseJson(body)).erpUnit, plant);
      } else if (!state.uom.remove(unit, plant)) {
        throw new PlanningError(404, "MAPPING_NOT_FOUND", `No mapping of "${unit}" for plant ${plant}`);
      }
      return jsonResponse(200, { mappings: state.uom.list() });
    }
    throw new HttpProblem(404, "NOT_FOUND", `no route for ${method} ${path}`);
  }

  function toResponse(error: unknown, path: string): StoredResponse {
    if (error instanceof HttpProblem) return problemResponse(error, PROBLEM_TYPE, path);
    if (error instanceof PlanningError) return problemResponse(new HttpProblem(error.status, error.code, error.message, error.extra), PROBLEM_TYPE, path);
    if (error instanceof z.ZodError) {
      return problemResponse(
        new HttpProblem(400, "INVALID_REQUEST", error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")),
        PROBLEM_TYPE,
        path,
      );
    }
    throw error;
  }

  async function api(req: IncomingMessage, res: ServerResponse, method: string, path: string, url: URL): Promise<void> {
    counters.requests += 1;
    const fault = faultQueue.take();
    if (fault?.kind === "unavailable") {
      req.resume();
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
      send(
        res,
        problemResponse(new HttpProblem(503, "SERVICE_UNAVAILABLE", "The planning engine is busy (solver run in progress)"), PROBLEM_TYPE, path),
        headers,
      );
      return;
    }
    if (fault?.kind === "close" && fault.phase !== "after") {
      req.socket.destroy();
      return;
    }
    const write = method !== "GET";
    if (!write) req.resume();
    const body = write ? await readBody(req, maxBodyBytes) : "";
    if (fault?.kind === "hang" && fault.phase !== "after") await wait(fault.ms);

    let response: StoredResponse;
    let replayed = false;
    const key = write ? idempotencyKeyOf(req) : undefined;
    const requestFingerprint = fingerprint(method, path, url.search, body);
    const stored = key === undefined ? undefined : idempotency.lookup(key, requestFingerprint);
    if (stored) {
      response = stored;
      replayed = true;
      counters.replayed += 1;
    } else {
      try {
        response = route(method, path, url, body);
        if (write) counters.applied += 1;
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
    if (path === "/planning/_emulator/faults") {
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
    if (path === "/planning/_emulator/reset" && method === "POST") {
      handle.reset();
      return send(res, jsonResponse(200, { status: "reset" }));
    }
    if (path === "/planning/_emulator/seed" && method === "POST") {
      for (const { release, ...version } of parseWith(seedSchema, body).versions) {
        const created = state.createVersion(version).version;
        if (release) state.release(created.versionId);
      }
      return send(res, jsonResponse(200, { versions: state.versions.size }));
    }
    if (path === "/planning/_emulator/state" && method === "GET") {
      return send(
        res,
        jsonResponse(200, {
          versions: [...state.versions.values()],
          plannedOrders: [...state.plannedOrders.values()],
          actuals: [...state.actuals.values()],
          uomMappings: state.uom.list(),
        }),
      );
    }
    throw new HttpProblem(404, "NOT_FOUND", `no control ${method} ${path}`);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://planning");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/\/+$/, "");
    const work =
      path === "/planning/health"
        ? Promise.resolve(send(res, jsonResponse(200, { status: "ok" })))
        : path.startsWith("/planning/_emulator/")
          ? control(req, res, method, path)
          : api(req, res, method, path, url);
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

  const faults: PlanningFaultControls = {
    add: (fault, count) => faultQueue.add(fault, count),
    unavailable: (count = 1, retryAfterSeconds) => faultQueue.add({ kind: "unavailable", retryAfterSeconds }, count),
    hang: (ms, { count = 1, phase } = {}) => faultQueue.add({ kind: "hang", ms, phase }, count),
    dropConnection: ({ count = 1, phase } = {}) => faultQueue.add({ kind: "close", phase }, count),
    clear: () => faultQueue.clear(),
    pending: () => faultQueue.pending(),
  };

  const handle: PlanningEmulator = {
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
    version: (versionId) => state.versions.get(versionId),
    plannedOrders,
    applications: (key) => idempotency.applications(key),
    counters: () => ({ ...counters }),
  };
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Command line: node --import tsx connectors/planning/emulator.ts [--port 8040] [--host 127.0.0.1]
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
  const port = Number(argument("port") ?? 8040);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${argument("port")}`);
    process.exit(2);
  }
  const emulator = await startPlanningEmulator({ port, host: argument("host") });
  console.log(`Planning emulator listening on ${emulator.url} (${emulator.url}${API}/forecast-versions)`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
