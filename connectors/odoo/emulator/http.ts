/**
 * HTTP front of the emulator (`node:http`), answering like Odoo's werkzeug application:
 *
 * - `POST /json/2/<model>/<method>`: the External JSON-2 API of Odoo 19 (see json2.ts).
 * - `/jsonrpc` is a `type='json'` route: the request must be `Content-Type: application/json`
 *   (or `application/json-rpc`), else 400 (HTML) "Please verify the Content-Type request header".
 *   Unparsable JSON → HTTP 400 `Invalid JSON data`; JSON that is not an object → HTTP 400
 *   `Invalid JSON-RPC data`. Everything else is HTTP 200: `{"jsonrpc":"2.0","id":<id>,"result":...}`
 *   or an `error` with code 200, message "Odoo Server Error" and `data` = serialised Python
 *   exception. Odoo ignores the request's `jsonrpc` and `method` members and echoes `id`.
 * - `POST /xmlrpc/2/<service>` (faultCode int: 1 application error with traceback, 2 UserError,
 *   3 AccessDenied, 4 AccessError) and the historical `/xmlrpc/<service>` (faultCode strings).
 *   Deprecated since Odoo 19 like `/jsonrpc`, still served.
 * - `GET /web/version` (and `/json/version`): `{version_info, version}` without authentication.
 * - `/_emulator/*`: control endpoints (faults, reset, state) for a simulator in another process.
 * - Any other path → 404 (werkzeug HTML page).
 *
 * Faults (faults.ts) hit whole requests to the Odoo routes: "before" faults answer or drop before
 * anything is processed; "after" faults process (and apply) the call, then hold or lose the answer.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { JSONRPC_PATH, OdooExceptionName } from "../protocol";
import { PythonException, formatTraceback, raise, serializeException } from "./exceptions";
import type { FaultController } from "./faults";
import { proxyErrorPage } from "./faults";
import { missingArgumentsMessage, pyTypeName } from "./python";
import { JSON2_ROUTE, dispatchJson2 } from "./json2";
import type { CallInfo, RpcServer } from "./rpc";
import { SERVER_VERSION, dispatchRpc } from "./rpc";
import { XmlRpcDecodeError, XmlRpcEncodeError, decodeMethodCall, encodeFault, encodeResponse } from "./xmlrpc-codec";

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const JSON_MIMETYPES = new Set(["application/json", "application/json-rpc"]);

export type CallOutcome = "result" | "error" | "replayed" | "fault" | "rejected";

/** One HTTP request as the emulator saw it. */
export interface EmulatorCall extends CallInfo {
  /** `jsonrpc`, `json2`, `xmlrpc/2` or `xmlrpc` (absent for requests refused before routing). */
  readonly protocol?: string;
  readonly seq: number;
  readonly at: Date;
  readonly outcome: CallOutcome;
  /** Exception name (`error`) or fault description (`fault`) or HTTP status (`rejected`). */
  readonly detail?: string;
}

export interface HttpDeps {
  readonly rpc: RpcServer;
  readonly faults: FaultController;
  readonly record: (call: Omit<EmulatorCall, "seq" | "at">) => void;
  /** Emulator defects (not Odoo errors) are reported here. */
  readonly onInternalError: (error: unknown) => void;
  /** `/_emulator/*` control endpoints; undefined answers 404. */
  readonly control?: (method: string, path: string, body: Buffer) => Reply | undefined;
}

export interface OdooHttpServer {
  readonly server: Server;
  /** Stops accepting, drops open connections and pending hangs. */
  close(): Promise<void>;
}

/** werkzeug's HTML error page. */
function werkzeugPage(status: number, title: string, description: string): string {
  const escaped = description.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&#34;").replace(/'/g, "&#x27;");
  return `<!doctype html>\n<html lang=en>\n<title>${status} ${title}</title>\n<h1>${title}</h1>\n<p>${escaped}</p>\n`;
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

const sendText = (res: ServerResponse, status: number, body: string) => send(res, status, "text/html; charset=utf-8", body);

function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? "too-large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** `dict(params, **args)` of the dispatcher: what Python makes of a non-object `params`. */
function paramsToDict(params: unknown): Record<string, unknown> {
  if (params === undefined) return {};
  if (typeof params === "object" && params !== null && !Array.isArray(params)) return params as Record<string, unknown>;
  if (!Array.isArray(params) && typeof params !== "string") throw raise.builtin("TypeError", `'${pyTypeName(params)}' object is not iterable`);
  const out: Record<string, unknown> = {};
  [...params].forEach((element: unknown, index) => {
    if (typeof element !== "string" && !Array.isArray(element)) {
      throw raise.builtin("TypeError", `cannot convert dictionary update sequence element #${index} to a sequence`);
    }
    if (element.length !== 2) {
      throw raise.builtin("ValueError", `dictionary update sequence element #${index} has length ${element.length}; 2 is required`);
    }
    out[String(element[0])] = element[1];
  });
  return out;
}

/** An answer about to be written (or dropped by an "after" fault). */
export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a route made of a request: the answer and what to log. */
interface Served {
  readonly reply: Reply;
  readonly call: Omit<EmulatorCall, "seq" | "at">;
}

const NOT_FOUND_TEXT = "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.";
const htmlReply = (status: number, body: string): Reply => ({ status, contentType: "text/html; charset=utf-8", body });
const notFound = (): Served => ({ reply: htmlReply(404, werkzeugPage(404, "Not Found", NOT_FOUND_TEXT)), call: { outcome: "rejected", detail: "HTTP 404" } });
const mimetypeOf = (req: IncomingMessage) => (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
/** `Idempotency-Key` header, handed to the call as its key when the context has none. */
function headerKey(req: IncomingMessage): CallInfo {
  const value = req.headers["idempotency-key"];
  return typeof value === "string" && value !== "" ? { headerIdempotencyKey: value } : {};
}
const jsonBody = (payload: unknown): Reply => ({ status: 200, contentType: "application/json; charset=utf-8", body: JSON.stringify(payload) });

/** Odoo's `_set_request_dispatcher` refusal when the Content-Type does not fit the route type. */
function wrongContentType(route: string, type: string, compatible: string): Served {
  return {
    reply: htmlReply(
      400,
      werkzeugPage(
        400,
        "Bad Request",
        `Request inferred type is compatible with [${compatible}] but '${route}' is type='${type}'.\n\nPlease verify the Content-Type request header and try again.`,
      ),
    ),
    call: { outcome: "rejected", detail: "HTTP 400 content-type" },
  };
}

/** `POST /jsonrpc` (`type='json'` route). */
function serveJsonRpc(deps: HttpDeps, req: IncomingMessage, body: Buffer): Served {
  if (!JSON_MIMETYPES.has(mimetypeOf(req))) return wrongContentType(JSONRPC_PATH, "json", "'http'");
  let request: unknown;
  try {
    request = JSON.parse(body.toString("utf8"));
  } catch {
    return { reply: htmlReply(400, "Invalid JSON data"), call: { outcome: "rejected", detail: "HTTP 400 Invalid JSON data" } };
  }
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    return { reply: htmlReply(400, "Invalid JSON-RPC data"), call: { outcome: "rejected", detail: "HTTP 400 Invalid JSON-RPC data" } };
  }
  const id = (request as { id?: unknown }).id ?? null;
  const info: CallInfo = headerKey(req);
  try {
    const params = paramsToDict((request as { params?: unknown }).params);
    // RPC.jsonrpc(self, service, method, args); extra params are dropped (filter_kwargs).
    const missing = ["service", "method", "args"].filter((name) => !Object.hasOwn(params, name));
    if (missing.length > 0) throw raise.builtin("TypeError", missingArgumentsMessage("RPC.jsonrpc", missing));
    const result = dispatchRpc(deps.rpc, params.service, params.method, params.args, info);
    // Odoo leaves `result` out when the method returned None.
    return {
      reply: jsonBody(result === undefined || result === null ? { jsonrpc: "2.0", id } : { jsonrpc: "2.0", id, result }),
      call: { ...info, protocol: "jsonrpc", outcome: info.replayed ? "replayed" : "result" },
    };
  } catch (error) {
    if (!(error instanceof PythonException)) throw error;
    return {
      reply: jsonBody({ jsonrpc: "2.0", id, error: { code: 200, message: "Odoo Server Error", data: serializeException(error) } }),
      call: { ...info, protocol: "jsonrpc", outcome: "error", detail: error.qualifiedName },
    };
  }
}

/** `xmlrpc_handle_exception_int` (`/xmlrpc/2/*`) and `xmlrpc_handle_exception_string` (`/xmlrpc/*`). */
function xmlRpcFault(error: PythonException, intCodes: boolean): string {
  const name = error.qualifiedName;
  const userErrors: readonly string[] = [OdooExceptionName.UserError, OdooExceptionName.ValidationError, OdooExceptionName.MissingError];
  if (intCodes) {
    if (name === OdooExceptionName.AccessError) return encodeFault(4, error.message);
    if (name === OdooExceptionName.AccessDenied) return encodeFault(3, error.message);
    if (userErrors.includes(name)) return encodeFault(2, error.message);
    return encodeFault(1, formatTraceback(error));
  }
  if (name === OdooExceptionName.MissingError) return encodeFault(`warning -- MissingError\n\n${error.message}`, "");
  if (name === OdooExceptionName.AccessError) return encodeFault(`warning -- AccessError\n\n${error.message}`, "");
  if (name === OdooExceptionName.AccessDenied) return encodeFault("AccessDenied", error.message);
  if (userErrors.includes(name)) return encodeFault(`warning -- UserError\n\n${error.message}`, "");
  return encodeFault(error.message, formatTraceback(error));
}

/** `POST /xmlrpc/2/<service>` (faultCode int) and the historical `/xmlrpc/<service>` (faultCode string). */
function serveXmlRpc(deps: HttpDeps, req: IncomingMessage, body: Buffer, service: string, intCodes: boolean): Served {
  if (req.method !== "POST") {
    return {
      reply: htmlReply(405, werkzeugPage(405, "Method Not Allowed", "The method is not allowed for the requested URL.")),
      call: { outcome: "rejected", detail: "HTTP 405" },
    };
  }
  const info: CallInfo = headerKey(req);
  const xml = (payload: string): Reply => ({ status: 200, contentType: "text/xml; charset=utf-8", body: payload });
  try {
    let call: { methodName: string; params: unknown[] };
    try {
      call = decodeMethodCall(body.toString("utf8"));
    } catch (error) {
      if (!(error instanceof XmlRpcDecodeError)) throw error;
      throw new PythonException(error.pythonName, error.message);
    }
    const result = dispatchRpc(deps.rpc, service, call.methodName, call.params, info);
    try {
      return {
        reply: xml(encodeResponse(result)),
        call: { ...info, protocol: intCodes ? "xmlrpc/2" : "xmlrpc", outcome: info.replayed ? "replayed" : "result" },
      };
    } catch (error) {
      if (!(error instanceof XmlRpcEncodeError)) throw error;
      throw new PythonException(error.pythonName, error.message);
    }
  } catch (error) {
    if (!(error instanceof PythonException)) throw error;
    return {
      reply: xml(xmlRpcFault(error, intCodes)),
      call: { ...info, protocol: intCodes ? "xmlrpc/2" : "xmlrpc", outcome: "error", detail: error.qualifiedName },
    };
  }
}

/** `/json/2/<model>/<method>` (Odoo 19). */
function serveJson2(deps: HttpDeps, req: IncomingMessage, body: Buffer, model: string, method: string): Served {
  // X-Odoo-Database naming another database: Odoo serves the request without a database, where
  // the bearer route does not exist (werkzeug's 404 page).
  const database = req.headers["x-odoo-database"];
  if (typeof database === "string" && database !== deps.rpc.db) return notFound();
  if (mimetypeOf(req) !== "application/json") return wrongContentType("/json/2/<model>/<method>", "/json/2/rpc", "'http'");
  const info: CallInfo = headerKey(req);
  const reply = dispatchJson2(deps.rpc, { httpMethod: req.method ?? "GET", model, method, headers: req.headers, body }, info);
  const outcome: CallOutcome = info.error ? "error" : info.replayed ? "replayed" : "result";
  return { reply, call: { ...info, protocol: "json2", outcome, ...(info.error ? { detail: info.error } : {}) } };
}

/** `/web/version` and `/json/version` (type http, auth none): the version without authentication. */
function serveVersion(): Served {
  return {
    reply: jsonBody({ version_info: SERVER_VERSION.server_version_info, version: SERVER_VERSION.server_version }),
    call: { service: "web", method: "version", outcome: "result" },
  };
}

function route(deps: HttpDeps, req: IncomingMessage, body: Buffer, path: string): Served {
  if (path === JSONRPC_PATH) return serveJsonRpc(deps, req, body);
  const xmlrpc = /^\/xmlrpc\/(2\/)?([^/]+)\/?$/.exec(path);
  if (xmlrpc) return serveXmlRpc(deps, req, body, decodeURIComponent(xmlrpc[2] ?? ""), xmlrpc[1] !== undefined);
  const json2 = JSON2_ROUTE.exec(path);
  if (json2) return serveJson2(deps, req, body, decodeURIComponent(json2[1] ?? ""), decodeURIComponent(json2[2] ?? ""));
  if (path === "/web/version" || path === "/json/version") return serveVersion();
  return notFound();
}

export function createOdooHttpServer(deps: HttpDeps): OdooHttpServer {
  const sockets = new Set<Socket>();
  const hangs = new Set<() => void>();
  let closing = false;

  /** Waits `ms`; resolves false when the emulator closes meanwhile. */
  const wait = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const done = (completed: boolean) => {
        clearTimeout(timer);
        hangs.delete(cancel);
        resolve(completed);
      };
      const cancel = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      hangs.add(cancel);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: Buffer | "too-large";
    try {
      body = await readBody(req);
    } catch {
      req.socket.destroy(); // the client went away while sending: nobody to answer
      return;
    }
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    if (path.startsWith("/_emulator/")) {
      // Control endpoints (simulator in another process): no faults, not logged.
      const reply = body === "too-large" ? undefined : deps.control?.(req.method ?? "GET", path, body);
      const answer = reply ?? htmlReply(404, werkzeugPage(404, "Not Found", NOT_FOUND_TEXT));
      send(res, answer.status, answer.contentType, answer.body, { ...answer.headers });
      return;
    }

    const fault = deps.faults.take();
    if (fault?.kind === "http") {
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
      send(res, fault.status, "text/html", proxyErrorPage(fault.status), headers);
      deps.record({ outcome: "fault", detail: `HTTP ${fault.status}` });
      return;
    }
    if (fault?.kind === "reset" && fault.phase !== "after") {
      req.socket.destroy();
      deps.record({ outcome: "fault", detail: "connection reset" });
      return;
    }
    if (fault?.kind === "hang" && fault.phase !== "after" && !(await wait(fault.ms))) {
      req.socket.destroy();
      deps.record({ outcome: "fault", detail: `hang ${fault.ms} ms (emulator closed)` });
      return;
    }

    let served: Served;
    if (body === "too-large") {
      served = {
        reply: htmlReply(413, werkzeugPage(413, "Request Entity Too Large", "The data value transmitted exceeds the capacity limit.")),
        call: { outcome: "rejected", detail: "HTTP 413" },
      };
    } else {
      served = route(deps, req, body, path);
    }

    if (fault?.kind === "reset") {
      // Processed (and applied), then the answer is lost.
      req.socket.destroy();
      deps.record({ ...served.call, outcome: "fault", detail: `connection reset after ${served.call.outcome}` });
      return;
    }
    if (fault?.kind === "hang" && !(await wait(fault.ms))) {
      req.socket.destroy();
      deps.record({ ...served.call, outcome: "fault", detail: `answer held ${fault.ms} ms (emulator closed)` });
      return;
    }
    send(res, served.reply.status, served.reply.contentType, served.reply.body, { ...served.reply.headers });
    deps.record(served.call);
  }

  const server = createServer((req, res) => {
    res.on("error", () => undefined); // the client may be gone (timeouts): nothing to tell it
    handle(req, res).catch((error: unknown) => {
      deps.onInternalError(error);
      sendText(
        res,
        500,
        werkzeugPage(
          500,
          "Internal Server Error",
          "The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.",
        ),
      );
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  return {
    server,
    close: () => {
      if (closing) return Promise.resolve();
      closing = true;
      for (const cancel of [...hangs]) cancel();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
