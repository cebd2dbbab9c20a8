/** The HTTP front shared by the REST emulators (QMS/LIMS, WMS, CMMS): routing, idempotency, faults, problem details. */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import canonicalize from "canonicalize";
import { z } from "zod";
import { emulatorFaultSchema, type FaultQueue } from "./faults";

/**
 * A small REST/JSON server for the emulators (node:http only): routing, problem+json errors (RFC
 * 9457), the Idempotency-Key contract and fault injection. Kept in each emulator's directory
 * (connectors/qms, wms, cmms hold the same file) so that each system stays self-contained.
 *
 * Writes (`kind: "write"`) are atomic: from the idempotency check to the stored answer nothing
 * awaits, so concurrent requests with one key apply once. A key's answer is stored whatever the
 * application answered (also a business refusal, as a real system that has judged the request
 * would); faults that stop a request before the application (503, dropped before) do not use it up.
 *
 * Dry run (issue 20): a write with `X-Dry-Run: true` is validated without commit — the application runs
 * every check against the real state, then the state is restored (`snapshot`, taken and restored with
 * nothing awaited in between); no key is stored or used up. An emulator without `snapshot` answers 501
 * DRY_RUN_UNSUPPORTED: it cannot check without writing.
 */

/** A restore point of an emulator's state object (its Maps, arrays and values; functions untouched). */
export function snapshotState(state: object): () => void {
  const fields = state as Record<string, unknown>;
  const saved = new Map<string, unknown>();
  for (const [name, value] of Object.entries(fields)) if (typeof value !== "function") saved.set(name, structuredClone(value));
  return () => {
    for (const [name, value] of saved) {
      const current = fields[name];
      if (current instanceof Map && value instanceof Map) {
        current.clear();
        for (const [k, v] of value) current.set(k, v);
      } else if (Array.isArray(current) && Array.isArray(value)) current.splice(0, current.length, ...value);
      else fields[name] = value;
    }
  };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface Route {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** e.g. `/qms/api/v1/inspection-lots/:lot/results` */
  path: string;
  /** write: idempotency + faults; read: faults; control: neither (`/_emulator/` endpoints). */
  kind: "read" | "write" | "control";
  handle(ctx: RouteContext): ApiResponse;
}

export interface RestServerOptions {
  /** Short system name used in problem `type` URIs, e.g. "qms". */
  system: string;
  port?: number;
  host?: string;
  routes: Route[];
  faults: FaultQueue;
  /** Takes a restore point of the emulator's state (dry runs); without it a dry run is answered 501. */
  snapshot?: () => () => void;
  maxBodyBytes?: number;
}

export interface RestCounters {
  /** API requests received (not counting `/_emulator/`). */
  requests: number;
  /** Writes handed to the application. */
  processed: number;
  /** Writes answered from the Idempotency-Key store. */
  replayed: number;
}

export interface RestServer {
  url: string;
  port: number;
  server: Server;
  /** How often a write with this key reached the application (the contract: never more than 1). */
  applications(key: string): number;
  counters(): RestCounters;
  /** Forgets keys and counters and drops requests still waiting in a hang. */
  reset(): void;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
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

/** RFC 9457 problem details, with the system's own message `code` as an extension member. */
export function problem(system: string, error: ApiError): ApiResponse {
  return {
    status: error.status,
    headers: { "content-type": "application/problem+json" },
    body: {
      type: `urn:${system}:problem:${error.code}`,
      title: REASONS[error.status] ?? "Error",
      status: error.status,
      detail: error.message,
      code: error.code,
      ...(error.details ?? {}),
    },
  };
}

/** Parses with zod; a failure is 400 VALIDATION_FAILED with `errors: [{ path, message }]`. */
export function parseBody<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({ path: `/${issue.path.join("/")}`, message: issue.message }));
  throw new ApiError(400, "VALIDATION_FAILED", errors.map((e) => `${e.path}: ${e.message}`).join("; "), { errors });
}

interface Stored {
  fingerprint: string;
  response: ApiResponse;
}

const faultBodySchema = z.object({ fault: emulatorFaultSchema, count: z.number().int().min(1).optional() }).strict();

function compile(path: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .split("/")
    .map((part) => {
      if (!part.startsWith(":")) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(part.slice(1));
      return "([^/]+)";
    })
    .join("/");
  return { regex: new RegExp(`^${source}$`), names };
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new ApiError(413, "PAYLOAD_TOO_LARGE", `request body exceeds ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, response: ApiResponse, extra: Record<string, string> = {}): void {
  const text = response.body === undefined ? "" : JSON.stringify(response.body);
  res.writeHead(response.status, {
    "content-type": "application/json; charset=utf-8",
    ...response.headers,
    ...extra,
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

export async function startRestServer(options: RestServerOptions): Promise<RestServer> {
  const { system, faults } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1_000_000;
  const prefix = `/${system}`;
  const routes = options.routes.map((route) => ({ ...route, ...compile(route.path) }));
  const answers = new Map<string, Stored>();
  const applications = new Map<string, number>();
  const counters: RestCounters = { requests: 0, processed: 0, replayed: 0 };
  const shutdown = new AbortController();
  let generation = new AbortController();
  const wait = (ms: number) => sleep(ms, undefined, { signal: AbortSignal.any([shutdown.signal, generation.signal]) });

  const controls: Route[] = [
    { method: "GET", path: `${prefix}/_emulator/faults`, kind: "control", handle: () => ({ status: 200, body: { pending: faults.pending() } }) },
    {
      method: "POST",
      path: `${prefix}/_emulator/faults`,
      kind: "control",
      handle: ({ body }) => {
        const parsed = parseBody(faultBodySchema, body);
        faults.add(parsed.fault, parsed.count);
        return { status: 200, body: { pending: faults.pending() } };
      },
    },
    {
      method: "DELETE",
      path: `${prefix}/_emulator/faults`,
      kind: "control",
      handle: () => {
        faults.clear();
        return { status: 200, body: { pending: [] } };
      },
    },
  ];
  const allRoutes = [...routes, ...controls.map((route) => ({ ...route, ...compile(route.path) }))];

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://emulator");
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/\/+$/, "");
    const candidates = allRoutes.flatMap((route) => {
      const match = route.regex.exec(path);
      return match ? [{ route, params: Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? "")])) }] : [];
    });
    const found = candidates.find((candidate) => candidate.route.method === method);
    if (!found) {
      req.resume();
      if (candidates.length > 0) throw new ApiError(405, "METHOD_NOT_ALLOWED", `${method} is not allowed on ${url.pathname}`);
      throw new ApiError(404, "NOT_FOUND", `no resource ${url.pathname}`);
    }
    const { route, params } = found;
    if (route.kind !== "control") counters.requests += 1;
    const fault = route.kind === "control" ? undefined : faults.take();
    if (fault?.kind === "unavailable") {
      req.resume();
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
      const response = problem(system, new ApiError(503, "SERVICE_UNAVAILABLE", `${system.toUpperCase()} is not available`));
      send(res, { ...response, headers: { ...response.headers, ...headers } });
      return;
    }
    if (fault?.kind === "close" && fault.phase !== "after") {
      req.socket.destroy();
      return;
    }
    let body: unknown;
    if (method === "POST" || method === "PUT") {
      const type = req.headers["content-type"] ?? "";
      const text = await readBody(req, maxBodyBytes);
      if (text.trim() !== "" && !/^application\/(.+\+)?json\b/i.test(type)) {
        throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
      }
      try {
        body = text.trim() ? (JSON.parse(text) as unknown) : {};
      } catch {
        throw new ApiError(400, "INVALID_JSON", "request body is not valid JSON");
      }
    } else {
      req.resume();
    }
    // The request has arrived: a slow system still processes it even if the client gives up.
    if (fault?.kind === "hang" && fault.phase !== "after") await wait(fault.ms);

    const keyHeader = req.headers["idempotency-key"];
    const key = (Array.isArray(keyHeader) ? keyHeader[0] : keyHeader)?.trim();
    if (route.kind === "write" && key !== undefined && (key.length === 0 || key.length > 255)) {
      throw new ApiError(400, "INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to 255 characters");
    }
    const run = (): ApiResponse => {
      try {
        return route.handle({ params, query: url.searchParams, body });
      } catch (error) {
        if (error instanceof ApiError) return problem(system, error);
        throw error;
      }
    };

    // From here to the stored answer nothing awaits: a key is checked and applied atomically.
    let response: ApiResponse;
    let replayed = false;
    if (route.kind === "write" && String(req.headers["x-dry-run"] ?? "").toLowerCase() === "true") {
      if (!options.snapshot) throw new ApiError(501, "DRY_RUN_UNSUPPORTED", `The ${system} emulator cannot validate this request without applying it`);
      const restore = options.snapshot();
      try {
        response = run();
      } finally {
        restore();
      }
      response = { ...response, headers: { ...response.headers, "dry-run": "true" } };
    } else if (route.kind === "write" && key !== undefined) {
      const fingerprint = createHash("sha256")
        .update(`${method} ${path}\n${canonicalize(body) ?? ""}`)
        .digest("hex");
      const stored = answers.get(key);
      if (stored && stored.fingerprint !== fingerprint) {
        throw new ApiError(422, "IDEMPOTENCY_KEY_REUSED", `Idempotency-Key ${key} was already used for a different request`);
      }
      if (stored) {
        response = stored.response;
        replayed = true;
        counters.replayed += 1;
      } else {
        response = run();
        counters.processed += 1;
        answers.set(key, { fingerprint, response });
        applications.set(key, (applications.get(key) ?? 0) + 1);
      }
    } else {
      if (route.kind === "write") counters.processed += 1;
      response = run();
    }

    if (fault?.kind === "hang" && fault.phase === "after") await wait(fault.ms);
    if (fault?.kind === "close") {
      req.socket.destroy();
      return;
    }
    send(res, response, replayed ? { "idempotent-replayed": "true" } : {});
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (error instanceof Error && error.name === "AbortError") {
        req.socket.destroy();
        return;
      }
      const apiError = error instanceof ApiError ? error : new ApiError(500, "INTERNAL_ERROR", error instanceof Error ? error.message : String(error));
      if (res.headersSent) res.destroy();
      else send(res, problem(system, apiError));
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

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    applications: (key) => applications.get(key) ?? 0,
    counters: () => ({ ...counters }),
    reset() {
      generation.abort();
      generation = new AbortController();
      answers.clear();
      applications.clear();
      Object.assign(counters, { requests: 0, processed: 0, replayed: 0 });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        shutdown.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** `--name value` from the command line. */
export function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}
