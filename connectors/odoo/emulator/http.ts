/**
 * HTTP front of the emulator (`node:http`), answering like Odoo 17's werkzeug application:
 *
 * - `/jsonrpc` is a `type='json'` route: the request must be `Content-Type: application/json`
 *   (or `application/json-rpc`), else 400 (HTML) "Please verify the Content-Type request header".
 * - Unparsable JSON → HTTP 400 `Invalid JSON data`; JSON that is not an object → HTTP 400
 *   `Invalid JSON-RPC data` (text bodies; Odoo answers these before any JSON-RPC handling).
 * - Everything else is HTTP 200: `{"jsonrpc":"2.0","id":<id>,"result":...}` or an `error` with
 *   code 200, message "Odoo Server Error" and `data` = serialised Python exception. Odoo ignores the
 *   request's `jsonrpc` and `method` members and echoes `id` (null when absent).
 * - Any other path → 404 (werkzeug HTML page).
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import { JSONRPC_PATH } from "../protocol";
import { PythonException, raise, serializeException } from "./exceptions";
import type { FaultController } from "./faults";
import { proxyErrorPage } from "./faults";
import { missingArgumentsMessage, pyTypeName } from "./python";
import type { CallInfo, RpcServer } from "./rpc";
import { dispatchRpc } from "./rpc";

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const JSON_MIMETYPES = new Set(["application/json", "application/json-rpc"]);

export type CallOutcome = "result" | "error" | "replayed" | "fault" | "rejected";

/** One HTTP request as the emulator saw it. */
export interface EmulatorCall extends CallInfo {
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
const sendJson = (res: ServerResponse, payload: unknown) => send(res, 200, "application/json; charset=utf-8", JSON.stringify(payload));

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
    const fault = deps.faults.take();
    if (fault?.kind === "http") {
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
      send(res, fault.status, "text/html", proxyErrorPage(fault.status), headers);
      deps.record({ outcome: "fault", detail: `HTTP ${fault.status}` });
      return;
    }
    if (fault?.kind === "reset") {
      req.socket.destroy();
      deps.record({ outcome: "fault", detail: "connection reset" });
      return;
    }
    if (fault?.kind === "hang" && !(await wait(fault.ms))) {
      req.socket.destroy();
      deps.record({ outcome: "fault", detail: `hang ${fault.ms} ms (emulator closed)` });
      return;
    }

    const path = (req.url ?? "/").split("?")[0];
    if (path !== JSONRPC_PATH) {
      sendText(
        res,
        404,
        werkzeugPage(
          404,
          "Not Found",
          "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
        ),
      );
      deps.record({ outcome: "rejected", detail: "HTTP 404" });
      return;
    }
    if (body === "too-large") {
      sendText(res, 413, werkzeugPage(413, "Request Entity Too Large", "The data value transmitted exceeds the capacity limit."));
      deps.record({ outcome: "rejected", detail: "HTTP 413" });
      return;
    }
    const mimetype = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (!JSON_MIMETYPES.has(mimetype)) {
      // Odoo picks the dispatcher from the Content-Type; a json route refuses anything else.
      sendText(
        res,
        400,
        werkzeugPage(
          400,
          "Bad Request",
          `Request inferred type is compatible with ['http'] but '${JSONRPC_PATH}' is type='json'.\n\nPlease verify the Content-Type request header and try again.`,
        ),
      );
      deps.record({ outcome: "rejected", detail: "HTTP 400 content-type" });
      return;
    }
    let request: unknown;
    try {
      request = JSON.parse(body.toString("utf8"));
    } catch {
      sendText(res, 400, "Invalid JSON data");
      deps.record({ outcome: "rejected", detail: "HTTP 400 Invalid JSON data" });
      return;
    }
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      sendText(res, 400, "Invalid JSON-RPC data");
      deps.record({ outcome: "rejected", detail: "HTTP 400 Invalid JSON-RPC data" });
      return;
    }
    const id = (request as { id?: unknown }).id ?? null;
    const info: CallInfo = {};
    try {
      const params = paramsToDict((request as { params?: unknown }).params);
      // RPC.jsonrpc(self, service, method, args); extra params are dropped (filter_kwargs).
      const missing = ["service", "method", "args"].filter((name) => !Object.hasOwn(params, name));
      if (missing.length > 0) throw raise.builtin("TypeError", missingArgumentsMessage("RPC.jsonrpc", missing));
      const result = dispatchRpc(deps.rpc, params.service, params.method, params.args, info);
      // Odoo leaves `result` out when the method returned None.
      sendJson(res, result === undefined || result === null ? { jsonrpc: "2.0", id } : { jsonrpc: "2.0", id, result });
      deps.record({ ...info, outcome: info.replayed ? "replayed" : "result" });
    } catch (error) {
      if (!(error instanceof PythonException)) throw error;
      sendJson(res, { jsonrpc: "2.0", id, error: { code: 200, message: "Odoo Server Error", data: serializeException(error) } });
      deps.record({ ...info, outcome: "error", detail: error.qualifiedName });
    }
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
