/**
 * Client of Odoo's external API. The protocol follows the configured server version:
 *
 * - Odoo 19+ (`version: "19"`): the External JSON-2 API, `POST /json/2/<model>/<method>` with
 *   `Authorization: bearer <API key>` and `X-Odoo-Database`, named arguments, one transaction per
 *   call; errors come as HTTP 4xx/5xx with `{name, message, arguments, context, debug}`.
 * - Older (default, or `version: "17"`, `"18"` …): JSON-RPC (`POST /jsonrpc`, services `common`
 *   and `object.execute_kw`), deprecated since Odoo 19.
 *
 * The methods and the errors are the same for callers. A refused API key (JSON-2: 401
 * `werkzeug.exceptions.Unauthorized` "Invalid apikey") is reported like JSON-RPC's
 * `odoo.exceptions.AccessDenied` (technical); `data` keeps Odoo's own answer.
 *
 * It does not retry: a `create` that timed out may have been applied, so retrying is the caller's
 * decision (with an idempotency key, see `CallOptions.idempotencyKey`). Failures are typed:
 * `OdooRpcError` for an answer of Odoo, `OdooTransportError` for no usable answer; both carry the
 * `business | technical` category.
 */
import { z } from "zod";
import { OdooRpcError, OdooTransportError } from "./errors";
import type { OdooDomain, OdooErrorData, OdooProtocol, OdooRecord, OdooRpcRequest, OdooServerVersion, OdooValues } from "./protocol";
import {
  IDEMPOTENCY_CONTEXT_KEY,
  JSONRPC_PATH,
  OdooExceptionName,
  WEB_VERSION_PATH,
  json2ErrorSchema,
  json2Path,
  protocolFor,
  rpcEnvelopeSchema,
  rpcErrorSchema,
  serverVersionSchema,
  webVersionSchema,
} from "./protocol";

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

interface CommonOptions {
  /** Base URL of the Odoo server, e.g. `https://erp.example.com` (`/jsonrpc` is appended). */
  url: string;
  db: string;
  /** Login of the integration user (JSON-RPC; JSON-2 identifies the user by the API key). */
  login?: string;
  /**
   * Odoo version of the server ("19", "19.0", "18", 17 …): 19 and later speak JSON-2 (an API key is
   * then required), older ones JSON-RPC. Default: JSON-RPC.
   */
  version?: string | number;
  /** Per-request timeout, including reading the answer. Default 30 s. */
  timeoutMs?: number;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: FetchLike;
  /** Context sent with every model call (under the call's own), e.g. the dry-run flag of `withContext`. */
  context?: Record<string, unknown>;
}

/** Either the user's password or an API key (Odoo accepts both in place of the password). */
export type OdooClientOptions = CommonOptions & ({ password: string; apiKey?: undefined } | { apiKey: string; password?: undefined });

const optionsSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    db: z.string().min(1),
    login: z.string().min(1).optional(),
    secret: z.string().min(1, "password or apiKey is required"),
    apiKey: z.string().min(1).optional(),
    protocol: z.enum(["json2", "jsonrpc"]),
    timeoutMs: z.number().int().positive().default(30_000),
  })
  .superRefine((value, ctx) => {
    if (value.protocol === "json2" && value.apiKey === undefined)
      ctx.addIssue({ code: "custom", path: ["apiKey"], message: "Odoo 19+ (JSON-2) needs an API key" });
    if (value.protocol === "jsonrpc" && value.login === undefined) ctx.addIssue({ code: "custom", path: ["login"], message: "JSON-RPC needs the login" });
  });

/**
 * Positional `execute_kw` arguments of the ORM methods as JSON-2 names them, so that `executeKw`
 * works on both protocols. `ids` is the first positional argument of record methods.
 */
const POSITIONAL_NAMES: Readonly<Record<string, readonly string[]>> = {
  create: ["vals_list"],
  write: ["ids", "vals"],
  read: ["ids", "fields", "load"],
  unlink: ["ids"],
  search: ["domain", "offset", "limit", "order"],
  search_count: ["domain", "limit"],
  search_read: ["domain", "fields", "offset", "limit", "order"],
  name_search: ["name", "domain", "operator", "limit"],
  fields_get: ["allfields", "attributes"],
  context_get: [],
};

export interface CallOptions {
  /** Extra context for the call (`kwargs.context`), e.g. `{ lang: "de_DE" }`. */
  context?: Record<string, unknown>;
  /** Sent as `kwargs.context.andon_idempotency_key`: the target applies the call at most once per key. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface SearchReadOptions {
  fields?: readonly string[];
  offset?: number;
  /** Odoo treats 0 / absent as "no limit". */
  limit?: number;
  order?: string;
}

const idSchema = z.number().int().positive();
const recordsSchema = z.array(z.looseObject({ id: idSchema }));
const trueSchema = z.literal(true);

export class OdooClient {
  /** `json2` (Odoo 19+) or `jsonrpc`, from the configured version. */
  readonly protocol: OdooProtocol;
  readonly #base: string;
  readonly #endpoint: string;
  readonly #db: string;
  readonly #login: string;
  readonly #secret: string;
  readonly #timeoutMs: number;
  readonly #fetch: FetchLike;
  readonly #options: OdooClientOptions;
  #nextRequestId = 1;
  /** Pending or settled authentication; shared by concurrent first calls. */
  #uid: Promise<number> | undefined;

  constructor(options: OdooClientOptions) {
    this.#options = options;
    const parsed = optionsSchema.safeParse({
      ...options,
      secret: options.password ?? options.apiKey ?? "",
      protocol: protocolFor(options.version),
    });
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "options"}: ${i.message}`).join("; ");
      throw new TypeError(`Invalid OdooClient options: ${problems}`);
    }
    this.protocol = parsed.data.protocol;
    const base = parsed.data.url.endsWith("/") ? parsed.data.url : `${parsed.data.url}/`;
    this.#base = base;
    this.#endpoint = new URL(JSONRPC_PATH.slice(1), base).toString();
    this.#db = parsed.data.db;
    this.#login = parsed.data.login ?? "";
    this.#secret = parsed.data.secret;
    this.#timeoutMs = parsed.data.timeoutMs;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** The same connection with `context` added to every model call (e.g. `{ andon_dry_run: token }`). */
  withContext(context: Record<string, unknown>): OdooClient {
    return new OdooClient({ ...this.#options, context: { ...this.#options.context, ...context } });
  }

  /** `common.version`: server version, no authentication needed. */
  async version(options: Pick<CallOptions, "signal"> = {}): Promise<OdooServerVersion> {
    if (this.protocol === "json2") {
      // GET /web/version (no authentication); answered in common.version's shape.
      const web = this.#expect(await this.#get(WEB_VERSION_PATH, options.signal), webVersionSchema, "/web/version");
      const [major, minor] = web.version_info;
      return { server_version: web.version, server_version_info: web.version_info, server_serie: `${major}.${minor}`, protocol_version: 1 };
    }
    const result = await this.#call("common", "version", [], options.signal);
    return this.#expect(result, serverVersionSchema, "common.version");
  }

  /**
   * `common.authenticate`: the user id. Odoo answers `false` (not an error) to wrong credentials;
   * the client turns that into an `OdooRpcError` named `odoo.exceptions.AccessDenied` (technical),
   * the same error `execute_kw` raises after a credential rotation.
   */
  async authenticate(options: Pick<CallOptions, "signal"> = {}): Promise<number> {
    const pending = this.#authenticate(options.signal);
    this.#uid = pending;
    try {
      return await pending;
    } catch (error) {
      if (this.#uid === pending) this.#uid = undefined;
      throw error;
    }
  }

  /** `object.execute_kw(db, uid, password, model, method, args, kwargs)`; authenticates first if needed. */
  async executeKw(
    model: string,
    method: string,
    args: readonly unknown[] = [],
    kwargs: Record<string, unknown> = {},
    options: CallOptions = {},
  ): Promise<unknown> {
    if (this.protocol === "json2") return this.call(model, method, namedArguments(model, method, args, kwargs), options);
    const uid = await (this.#uid ?? this.authenticate({ signal: options.signal }));
    const callKwargs = withContext(kwargs, this.#withDefaults(options));
    try {
      return await this.#call("object", "execute_kw", [this.#db, uid, this.#secret, model, method, args, callKwargs], options.signal, { model, method });
    } catch (error) {
      // After a credential rotation the cached uid is worth nothing: authenticate again next time.
      if (error instanceof OdooRpcError && error.name === OdooExceptionName.AccessDenied) this.#uid = undefined;
      throw error;
    }
  }

  /**
   * A model method with named arguments (JSON-2's form): `ids` for record methods, the method's
   * parameters by name, `context` from the options. Over JSON-RPC this is `execute_kw(model,
   * method, ids ? [ids] : [], params)`. Answers the method's JSON result (JSON-2 answers recordsets
   * as id lists).
   */
  async call(model: string, method: string, params: Record<string, unknown> = {}, options: CallOptions = {}): Promise<unknown> {
    if (this.protocol === "json2") {
      const body = withContext(params, this.#withDefaults(options));
      return this.#json2(model, method, body, options.signal);
    }
    const { ids, ...named } = params;
    return this.executeKw(model, method, ids === undefined ? [] : [ids], named, options);
  }

  #withDefaults(options: CallOptions): CallOptions {
    const base = this.#options.context;
    return base ? { ...options, context: { ...base, ...options.context } } : options;
  }

  /** `create` with one vals dict: Odoo answers the new id. */
  async create(model: string, values: OdooValues, options?: CallOptions): Promise<number> {
    if (this.protocol === "json2") {
      const ids = this.#expect(await this.call(model, "create", { vals_list: [values] }, options), z.array(idSchema).length(1), `${model}.create`);
      return ids[0] as number;
    }
    return this.#expect(await this.executeKw(model, "create", [values], {}, options), idSchema, `${model}.create`);
  }

  /** `create` with a list of vals dicts: Odoo answers the list of new ids, in order. */
  async createMany(model: string, values: readonly OdooValues[], options?: CallOptions): Promise<number[]> {
    const result =
      this.protocol === "json2"
        ? await this.call(model, "create", { vals_list: values }, options)
        : await this.executeKw(model, "create", [values], {}, options);
    return this.#expect(result, z.array(idSchema), `${model}.create`);
  }

  async write(model: string, ids: readonly number[], values: OdooValues, options?: CallOptions): Promise<true> {
    const result =
      this.protocol === "json2"
        ? await this.call(model, "write", { ids, vals: values }, options)
        : await this.executeKw(model, "write", [ids, values], {}, options);
    return this.#expect(result, trueSchema, `${model}.write`);
  }

  /** `read`: records in the order of `ids`; ids that do not exist are left out (as Odoo does). */
  async read(model: string, ids: readonly number[], fields?: readonly string[], options?: CallOptions): Promise<OdooRecord[]> {
    const kwargs = fields ? { fields } : {};
    const result =
      this.protocol === "json2" ? await this.call(model, "read", { ids, ...kwargs }, options) : await this.executeKw(model, "read", [ids], kwargs, options);
    return this.#expect(result, recordsSchema, `${model}.read`);
  }

  async searchRead(model: string, domain: OdooDomain = [], query: SearchReadOptions = {}, options?: CallOptions): Promise<OdooRecord[]> {
    const kwargs = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
    const result =
      this.protocol === "json2"
        ? await this.call(model, "search_read", { domain, ...kwargs }, options)
        : await this.executeKw(model, "search_read", [domain], kwargs, options);
    return this.#expect(result, recordsSchema, `${model}.search_read`);
  }

  async searchCount(model: string, domain: OdooDomain = [], options?: CallOptions): Promise<number> {
    const result =
      this.protocol === "json2"
        ? await this.call(model, "search_count", { domain }, options)
        : await this.executeKw(model, "search_count", [domain], {}, options);
    return this.#expect(result, z.number().int().nonnegative(), `${model}.search_count`);
  }

  async unlink(model: string, ids: readonly number[], options?: CallOptions): Promise<true> {
    const result = this.protocol === "json2" ? await this.call(model, "unlink", { ids }, options) : await this.executeKw(model, "unlink", [ids], {}, options);
    return this.#expect(result, trueSchema, `${model}.unlink`);
  }

  async #authenticate(signal: AbortSignal | undefined): Promise<number> {
    if (this.protocol === "json2") {
      // The API key identifies the user: res.users.context_get answers its uid.
      const context = await this.#json2("res.users", "context_get", {}, signal);
      return this.#expect(context, z.looseObject({ uid: idSchema }), "res.users.context_get").uid;
    }
    // user_agent_env is a required positional argument of common.authenticate since Odoo 10.
    const result = await this.#call("common", "authenticate", [this.#db, this.#login, this.#secret, {}], signal);
    if (result === false) {
      // Mirrors the AccessDenied that execute_kw raises, so callers handle one shape.
      const message = "Access Denied";
      const data: OdooErrorData = {
        name: OdooExceptionName.AccessDenied,
        message,
        arguments: [message],
        context: {},
        debug: "common.authenticate answered false (wrong login, password or API key)",
      };
      throw new OdooRpcError({ ...data, code: 200, data, service: "common", method: "authenticate" });
    }
    return this.#expect(result, idSchema, "common.authenticate");
  }

  async #call(
    service: string,
    method: string,
    args: readonly unknown[],
    signal: AbortSignal | undefined,
    target?: { model: string; method: string },
  ): Promise<unknown> {
    const id = this.#nextRequestId++;
    const request: OdooRpcRequest = { jsonrpc: "2.0", method: "call", id, params: { service, method, args: [...args] } };
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await this.#fetch(this.#endpoint, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify(request),
        signal: combined,
      });
      status = response.status;
      retryAfter = response.headers.get("retry-after");
      text = await response.text();
    } catch (error) {
      throw this.#transportFailure(error, timeout, signal);
    }

    if (status !== 200) {
      throw new OdooTransportError({
        kind: "http",
        status,
        retryAfterMs: parseRetryAfter(retryAfter),
        message: `Odoo answered HTTP ${status} to ${service}.${method}: ${snippet(text)}`,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new OdooTransportError({ kind: "protocol", message: `Odoo answered non-JSON: ${snippet(text)}`, cause: error });
    }
    const envelope = rpcEnvelopeSchema.safeParse(json);
    if (!envelope.success) {
      throw new OdooTransportError({ kind: "protocol", message: `Not a JSON-RPC 2.0 answer: ${snippet(text)}` });
    }
    if (envelope.data.id !== id) {
      throw new OdooTransportError({
        kind: "protocol",
        message: `JSON-RPC answer id ${JSON.stringify(envelope.data.id)} does not match request id ${id}`,
      });
    }
    if (envelope.data.error !== undefined) {
      const error = rpcErrorSchema.safeParse(envelope.data.error);
      if (!error.success) {
        throw new OdooTransportError({ kind: "protocol", message: `Malformed JSON-RPC error: ${snippet(text)}` });
      }
      const { code, data } = error.data;
      throw new OdooRpcError({
        name: data.name,
        message: data.message,
        code,
        data,
        service,
        method,
        model: target?.model,
        modelMethod: target?.method,
      });
    }
    return envelope.data.result;
  }

  /** One HTTP exchange; answers status, Retry-After and body text, or throws a transport error. */
  async #http(url: string, init: RequestInit, signal: AbortSignal | undefined): Promise<{ status: number; retryAfter: string | null; text: string }> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      const response = await this.#fetch(url, { ...init, signal: combined });
      return { status: response.status, retryAfter: response.headers.get("retry-after"), text: await response.text() };
    } catch (error) {
      throw this.#transportFailure(error, timeout, signal, url);
    }
  }

  async #get(path: string, signal: AbortSignal | undefined): Promise<unknown> {
    const url = new URL(path.slice(1), this.#base).toString();
    const { status, retryAfter, text } = await this.#http(url, { method: "GET", headers: { accept: "application/json" } }, signal);
    if (status !== 200) {
      throw new OdooTransportError({
        kind: "http",
        status,
        retryAfterMs: parseRetryAfter(retryAfter),
        message: `Odoo answered HTTP ${status} to GET ${path}: ${snippet(text)}`,
      });
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new OdooTransportError({ kind: "protocol", message: `Odoo answered non-JSON: ${snippet(text)}`, cause: error });
    }
  }

  /** `POST /json/2/<model>/<method>` with the bearer API key. */
  async #json2(model: string, method: string, body: Record<string, unknown>, signal: AbortSignal | undefined): Promise<unknown> {
    const url = new URL(json2Path(model, method).slice(1), this.#base).toString();
    const { status, retryAfter, text } = await this.#http(
      url,
      {
        method: "POST",
        headers: {
          authorization: `bearer ${this.#secret}`,
          "content-type": "application/json; charset=utf-8",
          accept: "application/json",
          "x-odoo-database": this.#db,
          "user-agent": "andon-odoo-connector",
        },
        body: JSON.stringify(body),
      },
      signal,
    );
    let json: unknown;
    let parsed = false;
    try {
      json = JSON.parse(text);
      parsed = true;
    } catch {
      parsed = false;
    }
    if (status === 200) {
      if (!parsed) throw new OdooTransportError({ kind: "protocol", message: `Odoo answered non-JSON: ${snippet(text)}` });
      return json;
    }
    const error = parsed ? json2ErrorSchema.safeParse(json) : undefined;
    if (!error?.success) {
      // Not an Odoo error object: a proxy page, werkzeug's HTML 404 for an unknown database, …
      throw new OdooTransportError({
        kind: "http",
        status,
        retryAfterMs: parseRetryAfter(retryAfter),
        message: `Odoo answered HTTP ${status} to ${model}.${method}: ${snippet(text)}`,
      });
    }
    const data: OdooErrorData = error.data;
    // A refused API key answers like JSON-RPC's AccessDenied (technical); data keeps Odoo's body.
    const name = status === 401 ? OdooExceptionName.AccessDenied : data.name;
    throw new OdooRpcError({ name, message: data.message, code: status, data, service: "json2", method: `${model}.${method}`, model, modelMethod: method });
  }

  #transportFailure(error: unknown, timeout: AbortSignal, signal: AbortSignal | undefined, url: string = this.#endpoint): OdooTransportError {
    if (timeout.aborted) {
      return new OdooTransportError({
        kind: "timeout",
        message: `No answer from Odoo within ${this.#timeoutMs} ms (the call may still have been applied)`,
        cause: error,
      });
    }
    if (signal?.aborted) return new OdooTransportError({ kind: "aborted", message: "Call aborted by the caller", cause: error });
    const code = systemErrorCode(error);
    const reason = code ?? (error instanceof Error ? error.message : String(error));
    // Refused or unresolvable: the call never reached Odoo. Anything else (reset, closed mid-answer) may
    // have been applied — say so, an operator must not read "not reached" after a lost answer.
    const neverSent = code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EHOSTUNREACH";
    const message = neverSent ? `Cannot reach Odoo at ${url}: ${reason}` : `No answer from Odoo at ${url} (the call may have been applied): ${reason}`;
    return new OdooTransportError({ kind: "network", code, message, cause: error });
  }

  #expect<T>(value: unknown, schema: z.ZodType<T>, what: string): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new OdooTransportError({
        kind: "protocol",
        message: `Unexpected result of ${what}: ${snippet(JSON.stringify(value) ?? "undefined")}`,
      });
    }
    return parsed.data;
  }
}

/** `execute_kw` positional arguments + kwargs as JSON-2 named arguments. */
function namedArguments(model: string, method: string, args: readonly unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  const names = POSITIONAL_NAMES[method] ?? (args.length <= 1 ? ["ids"] : undefined);
  if (!names || args.length > names.length) {
    throw new TypeError(`executeKw(${model}, ${method}) with ${args.length} positional arguments cannot be sent over JSON-2: use call() with named arguments`);
  }
  const named: Record<string, unknown> = {};
  args.forEach((value, index) => {
    named[names[index] as string] = value;
  });
  return { ...named, ...kwargs };
}

/** kwargs with `context` extended by the call options (Odoo pops `context` out of kwargs). */
function withContext(kwargs: Record<string, unknown>, options: CallOptions): Record<string, unknown> {
  if (options.context === undefined && options.idempotencyKey === undefined) return kwargs;
  const given = kwargs.context;
  const base = typeof given === "object" && given !== null && !Array.isArray(given) ? given : {};
  const context: Record<string, unknown> = { ...base, ...options.context };
  if (options.idempotencyKey !== undefined) context[IDEMPOTENCY_CONTEXT_KEY] = options.idempotencyKey;
  return { ...kwargs, context };
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** `ECONNREFUSED` & co. from undici's `TypeError: fetch failed` (possibly nested / aggregated). */
function systemErrorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
  if (error instanceof AggregateError) {
    for (const inner of error.errors) {
      const found = systemErrorCode(inner, depth + 1);
      if (found) return found;
    }
  }
  return systemErrorCode((error as { cause?: unknown }).cause, depth + 1);
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || "(empty body)";
}
