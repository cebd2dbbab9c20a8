import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { FaultQueue, type PendingFault, type PlmFault, plmFaultSchema } from "./faults";
import { type Answer, AnswerStore, argument, BodyTooLarge, fingerprint, idempotencyKeyOf, isMainModule, json, readBody, send } from "./http";
import { type BomRelease, ecoCreateSchema, ecoPatchSchema, isoDate, partCreateSchema } from "./schema";
import { type BomRevision, type Eco, type Part, PlmError, PlmState } from "./state";

/**
 * PLM emulator: plays a PLM system's REST/JSON API (parts, BOM revisions with date effectivity,
 * engineering change orders). Errors are RFC 9457 problem details (application/problem+json).
 *
 *   GET  /plm/api/v1/parts[?number=], /plm/api/v1/parts/{number}, POST /plm/api/v1/parts
 *   GET  /plm/api/v1/boms/{material}/revisions, …/revisions/{revision}
 *   GET  /plm/api/v1/boms/{material}/effective?date=YYYY-MM-DD         the revision effective that day
 *   GET  /plm/api/v1/boms/{material}/revisions/{revision}/effectivity?date=   is it effective that day?
 *   PUT|PATCH|DELETE …/revisions/{revision}                              409 (released: immutable; in work: via its ECO)
 *   GET  /plm/api/v1/ecos[?state=], POST /plm/api/v1/ecos, GET|PATCH /plm/api/v1/ecos/{number}
 *   POST /plm/api/v1/ecos/{number}/approve, POST /plm/api/v1/ecos/{number}/release
 *   GET  /plm/api/v1/bom-releases?after=&limit=                          released revisions as BOM_RELEASE payloads (feed)
 *   GET  /plm/health; /plm/_emulator/faults (GET, POST, DELETE), /plm/_emulator/reset
 *
 * Every write accepts an `Idempotency-Key`: the same key with the same request answers the first
 * answer again (`Idempotent-Replayed: true`), with another request 422 IDEMPOTENCY_KEY_REUSED. The
 * ECO number is the native key of ECO creation (same number and content: the existing ECO).
 */

export interface PlmEmulatorOptions {
  port?: number;
  host?: string;
  /** Clock of the PLM (ECO dates; the default date of effectivity queries). */
  now?: () => Date;
  /** false: start without the seeded parts, BOMs and ECOs. */
  seed?: boolean;
  maxBodyBytes?: number;
}

export interface PlmFaultControls {
  add(fault: PlmFault, count?: number): void;
  unavailable(count?: number, retryAfterSeconds?: number): void;
  hang(ms: number, options?: { count?: number; phase?: "before" | "after" }): void;
  dropConnection(options?: { count?: number; phase?: "before" | "after" }): void;
  clear(): void;
  pending(): PendingFault[];
}

export interface PlmEmulatorCounters {
  requests: number;
  processed: number;
  replayed: number;
}

export interface PlmEmulator {
  readonly url: string;
  readonly port: number;
  readonly state: PlmState;
  readonly faults: PlmFaultControls;
  close(): Promise<void>;
  reset(): void;
  part(number: string): Part | undefined;
  eco(number: string): Eco | undefined;
  revision(material: string, revision: string): BomRevision | undefined;
  /** The released revision effective on the date (default today). */
  effectiveRevision(material: string, date?: string): BomRevision | undefined;
  /** Released revisions as BOM_RELEASE payloads, in release order. */
  bomReleases(): BomRelease[];
  applications(key: string): number;
  counters(): PlmEmulatorCounters;
}

const PROBLEM = "application/problem+json; charset=utf-8";
const API = "/plm/api/v1";

function problem(error: PlmError): Answer {
  return json(
    error.status,
    {
      type: `${API}/problems/${error.code.toLowerCase().replaceAll("_", "-")}`,
      title: TITLES[error.status] ?? "Error",
      status: error.status,
      detail: error.message,
      code: error.code,
      ...(error.errors.length > 0 ? { errors: error.errors } : {}),
    },
    {},
    PROBLEM,
  );
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

function parseBody<T>(schema: z.ZodType<T>, text: string): T {
  let value: unknown;
  try {
    value = text.trim() ? JSON.parse(text) : {};
  } catch {
    throw new PlmError(400, "INVALID_JSON", "request body is not valid JSON");
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = result.error.issues.map((i) => ({ code: "INVALID_FIELD", message: i.message, field: i.path.join(".") || "body" }));
    throw new PlmError(400, "VALIDATION_FAILED", errors.map((e) => `${e.field}: ${e.message}`).join("; "), errors);
  }
  return result.data;
}

const approveSchema = z.object({ approver: z.string().min(1).max(80).optional(), comment: z.string().max(500).optional() }).strict();
const faultBodySchema = z.object({ fault: plmFaultSchema, count: z.number().int().min(1).optional() }).strict();

export async function startPlmEmulator(options: PlmEmulatorOptions = {}): Promise<PlmEmulator> {
  const now = options.now ?? (() => new Date());
  const today = () => now().toISOString().slice(0, 10);
  const seed = () => new PlmState(options.seed ?? true);
  let state = seed();
  const faultQueue = new FaultQueue();
  const answers = new AnswerStore();
  const counters: PlmEmulatorCounters = { requests: 0, processed: 0, replayed: 0 };
  const shutdown = new AbortController();
  let generation = new AbortController();
  const wait = (ms: number) => sleep(ms, undefined, { signal: AbortSignal.any([shutdown.signal, generation.signal]) });

  const revisionView = (r: BomRevision) => ({ ...r, effectiveTo: r.effectiveTo ?? null, components: r.components.map((c) => ({ ...c })) });

  const dateParam = (url: URL): string => {
    const date = url.searchParams.get("date") ?? today();
    if (!isoDate.safeParse(date).success) throw new PlmError(400, "VALIDATION_FAILED", `date must be YYYY-MM-DD (got ${date})`);
    return date;
  };

  /** GETs and the computation of writes; synchronous, so a key is checked and applied atomically. */
  function handleApi(method: string, path: string, url: URL, body: string): Answer {
    const segments = path
      .slice(API.length)
      .split("/")
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
    const [collection, id, sub, subId, leaf] = segments;
    const at = now().toISOString();

    if (collection === "parts") {
      if (segments.length === 1 && method === "GET") {
        const number = url.searchParams.get("number");
        return json(200, { parts: [...state.parts.values()].filter((p) => !number || p.number === number) });
      }
      if (segments.length === 1 && method === "POST") {
        const { part, created } = state.createPart(parseBody(partCreateSchema, body), at);
        return json(created ? 201 : 200, part);
      }
      if (segments.length === 2 && method === "GET") {
        const part = state.parts.get(id ?? "");
        if (!part) throw new PlmError(404, "PART_NOT_FOUND", `Part ${id} does not exist`);
        return json(200, part);
      }
    }

    if (collection === "boms" && id !== undefined) {
      if (sub === "effective" && segments.length === 3 && method === "GET") {
        const date = dateParam(url);
        const revision = state.effectiveAt(id, date);
        if (!revision) throw new PlmError(404, "NO_EFFECTIVE_REVISION", `No released BOM revision of ${id} is effective on ${date}`);
        return json(200, { date, ...revisionView(revision) });
      }
      if (sub === "revisions" && segments.length === 3 && method === "GET")
        return json(200, { material: id, revisions: state.revisionsOf(id).map(revisionView) });
      if (sub === "revisions" && subId !== undefined && segments.length === 4) {
        const revision = state.revision(id, subId);
        if (!revision) throw new PlmError(404, "REVISION_NOT_FOUND", `BOM revision ${id}/${subId} does not exist`);
        if (method === "GET") return json(200, revisionView(revision));
        if (method === "PUT" || method === "PATCH" || method === "DELETE") {
          if (revision.state === "RELEASED")
            throw new PlmError(409, "REVISION_IMMUTABLE", `BOM revision ${id}/${subId} is released and cannot be changed; revise it with a new revision`);
          throw new PlmError(409, "ECO_CONTROLLED", `BOM revision ${id}/${subId} is in work in ${revision.ecoNumber}; change it through that ECO`);
        }
      }
      if (sub === "revisions" && subId !== undefined && leaf === "effectivity" && segments.length === 5 && method === "GET") {
        return json(200, state.effectivity(id, subId, dateParam(url)));
      }
    }

    if (collection === "ecos") {
      if (segments.length === 1 && method === "GET") {
        const wanted = url.searchParams.get("state");
        return json(200, { ecos: [...state.ecos.values()].filter((e) => !wanted || e.state === wanted) });
      }
      if (segments.length === 1 && method === "POST") {
        const { eco, created } = state.createEco(parseBody(ecoCreateSchema, body), at);
        return json(created ? 201 : 200, eco);
      }
      if (segments.length === 2 && method === "GET") return json(200, state.eco(id ?? ""));
      if (segments.length === 2 && method === "PATCH") return json(200, state.patchEco(id ?? "", parseBody(ecoPatchSchema, body)));
      if (segments.length === 3 && sub === "approve" && method === "POST") {
        const input = parseBody(approveSchema, body);
        return json(200, state.approve(id ?? "", input.approver ?? "plm.user", at));
      }
      if (segments.length === 3 && sub === "release" && method === "POST") {
        const { eco, revisions } = state.release(id ?? "", at);
        return json(200, { eco, releasedRevisions: revisions.map(revisionView), bomReleases: revisions.map((r) => state.bomRelease(r)) });
      }
    }

    if (collection === "bom-releases" && segments.length === 1 && method === "GET") {
      const after = Number(url.searchParams.get("after") ?? 0);
      const limit = Math.min(Number(url.searchParams.get("limit") ?? 100), 1000);
      if (!Number.isInteger(after) || after < 0 || !Number.isInteger(limit) || limit < 1) {
        throw new PlmError(400, "VALIDATION_FAILED", "after must be an integer ≥ 0 and limit an integer ≥ 1");
      }
      const released = state.releasedAfter(after, limit);
      return json(200, {
        items: released.map((r) => ({ sequence: r.releaseSequence ?? 0, payload: state.bomRelease(r) })),
        next: released.at(-1)?.releaseSequence ?? after,
      });
    }

    const known = ["parts", "boms", "ecos", "bom-releases"].includes(collection ?? "");
    throw new PlmError(known ? 405 : 404, known ? "METHOD_NOT_ALLOWED" : "NOT_FOUND", `no route for ${method} ${path}`);
  }

  function answerOf(compute: () => Answer): Answer {
    try {
      return compute();
    } catch (error) {
      if (error instanceof PlmError) return problem(error);
      throw error;
    }
  }

  async function serveApi(req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
    counters.requests += 1;
    const method = req.method ?? "GET";
    const fault = faultQueue.take();
    if (fault?.kind === "unavailable") {
      req.resume();
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
      send(res, problem(new PlmError(503, "SERVICE_UNAVAILABLE", "The PLM server is not available")), headers);
      return;
    }
    if (fault?.kind === "close" && fault.phase !== "after") {
      req.socket.destroy();
      return;
    }
    const body = await readBody(req, options.maxBodyBytes);
    if (fault?.kind === "hang" && fault.phase !== "after") await wait(fault.ms);

    let answer: Answer;
    let replayed = false;
    const write = method !== "GET" && method !== "HEAD";
    const key = idempotencyKeyOf(req);
    if (write && key === null) {
      answer = problem(new PlmError(400, "INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to 255 characters"));
    } else if (write) {
      let parsedBody: unknown = body;
      try {
        parsedBody = body.trim() ? JSON.parse(body) : null;
      } catch {
        parsedBody = body;
      }
      const print = fingerprint({ method, path, body: parsedBody });
      const stored = key ? answers.get(key) : undefined;
      if (stored && stored.fingerprint !== print) {
        answer = problem(new PlmError(422, "IDEMPOTENCY_KEY_REUSED", `Idempotency-Key ${key} was already used for a different request`));
      } else if (stored) {
        answer = stored.answer;
        replayed = true;
        counters.replayed += 1;
      } else {
        answer = answerOf(() => handleApi(method, path, url, body));
        counters.processed += 1;
        if (key) answers.set(key, print, answer);
      }
    } else {
      answer = answerOf(() => handleApi(method, path, url, body));
    }

    if (fault?.kind === "hang" && fault.phase === "after") await wait(fault.ms);
    if (fault?.kind === "close") {
      req.socket.destroy();
      return;
    }
    send(res, answer, replayed ? { "idempotent-replayed": "true" } : {});
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/\/+$/, "");
    if (path === "/plm/health") return send(res, json(200, { status: "ok" }));
    if (path === API || path.startsWith(`${API}/`)) {
      if (method !== "GET" && method !== "DELETE") {
        const type = (req.headers["content-type"] ?? "application/json").split(";")[0]?.trim().toLowerCase();
        if (type !== "application/json" && (req.headers["content-length"] ?? "0") !== "0") {
          req.resume();
          return send(res, problem(new PlmError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json")));
        }
      }
      return serveApi(req, res, url, path);
    }
    if (path === "/plm/_emulator/faults") {
      if (method === "GET") return send(res, json(200, { pending: faultQueue.pending() }));
      if (method === "DELETE") {
        faultQueue.clear();
        return send(res, json(200, { pending: [] }));
      }
      if (method === "POST") {
        const body = parseBody(faultBodySchema, await readBody(req, options.maxBodyBytes));
        faultQueue.add(body.fault, body.count);
        return send(res, json(200, { pending: faultQueue.pending() }));
      }
    }
    if (path === "/plm/_emulator/reset" && method === "POST") {
      handle.reset();
      return send(res, json(200, { status: "reset" }));
    }
    return send(res, problem(new PlmError(404, "NOT_FOUND", `no route for ${method} ${url.pathname}`)));
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (error instanceof Error && error.name === "AbortError") {
        req.socket.destroy();
        return;
      }
      const plmError =
        error instanceof PlmError
          ? error
          : error instanceof BodyTooLarge
            ? new PlmError(413, "PAYLOAD_TOO_LARGE", error.message)
            : new PlmError(500, "INTERNAL_ERROR", error instanceof Error ? error.message : String(error));
      if (res.headersSent) res.destroy();
      else send(res, problem(plmError));
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

  const handle: PlmEmulator = {
    url: `http://${host}:${address.port}`,
    port: address.port,
    get state() {
      return state;
    },
    faults: {
      add: (fault, count) => faultQueue.add(fault, count),
      unavailable: (count = 1, retryAfterSeconds) => faultQueue.add({ kind: "unavailable", retryAfterSeconds }, count),
      hang: (ms, { count = 1, phase } = {}) => faultQueue.add({ kind: "hang", ms, phase }, count),
      dropConnection: ({ count = 1, phase } = {}) => faultQueue.add({ kind: "close", phase }, count),
      clear: () => faultQueue.clear(),
      pending: () => faultQueue.pending(),
    },
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
      Object.assign(counters, { requests: 0, processed: 0, replayed: 0 });
    },
    part: (number) => state.parts.get(number),
    eco: (number) => state.ecos.get(number),
    revision: (material, revision) => state.revision(material, revision),
    effectiveRevision: (material, date) => state.effectiveAt(material, date ?? today()),
    bomReleases: () => state.releasedAfter(0, Number.MAX_SAFE_INTEGER).map((r) => state.bomRelease(r)),
    applications: (key) => answers.applied(key),
    counters: () => ({ ...counters }),
  };
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Command line: node --import tsx connectors/plm/emulator.ts [--port 8020] [--host 127.0.0.1]
// ---------------------------------------------------------------------------------------------

if (isMainModule(import.meta.url)) {
  const port = Number(argument("port") ?? 8020);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`invalid --port ${argument("port")}`);
    process.exit(2);
  }
  const emulator = await startPlmEmulator({ port, host: argument("host") });
  console.log(`PLM emulator listening on ${emulator.url} (REST ${emulator.url}${API})`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
