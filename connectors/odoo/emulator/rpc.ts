/**
 * The RPC services behind `/jsonrpc` (`odoo.http.dispatch_rpc`): `common` (version, login,
 * authenticate), `db` (list, db_exist, server_version) and `object` (execute_kw, execute), with
 * Odoo 17's checks in Odoo's order: service, credentials, method, private names, model, method.
 */
import canonicalize from "canonicalize";
import { DRY_RUN_CONTEXT_KEY, IDEMPOTENCY_CONTEXT_KEY } from "../protocol";
import { raise } from "./exceptions";
import type { Env, EmulatorSettings, Registry } from "./model";
import type { PreparedCall, PublicMethod } from "./methods";
import { invokeMethod, lookupMethod, prepareCall } from "./methods";
import { flush } from "./orm";
import { missingArgumentsMessage, pyRepr, pyTypeName } from "./python";
import type { Store } from "./store";

/** `common.version()` / `db.server_version()`: the emulator answers as an Odoo 19.0 server. */
export const SERVER_VERSION = {
  server_version: "19.0",
  server_version_info: [19, 0, 0, "final", 0, ""],
  server_serie: "19.0",
  protocol_version: 1,
} as const;

export interface Credentials {
  password: string;
  /** An API key accepted in place of the password (`res.users.apikeys`); null when none. */
  apiKey: string | null;
}

export interface IdempotencyEntry {
  readonly model: string;
  readonly method: string;
  /** Canonical JSON of the bound call (ids, arguments; context left out). */
  readonly fingerprint: string;
  readonly result: unknown;
}

/** Keys applied so far, and how often each key was seen / applied. */
export class IdempotencyLedger {
  readonly #entries = new Map<string, IdempotencyEntry>();
  readonly #applied = new Map<string, number>();
  readonly #requests = new Map<string, number>();

  noteRequest(key: string): void {
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
  }
  lookup(key: string): IdempotencyEntry | undefined {
    return this.#entries.get(key);
  }
  record(key: string, entry: IdempotencyEntry): void {
    this.#entries.set(key, { ...entry, result: structuredClone(entry.result) });
    this.#applied.set(key, (this.#applied.get(key) ?? 0) + 1);
  }
  applied(key: string): number {
    return this.#applied.get(key) ?? 0;
  }
  requests(key: string): number {
    return this.#requests.get(key) ?? 0;
  }
  keys(): string[] {
    return [...this.#requests.keys()];
  }
  clear(): void {
    this.#entries.clear();
    this.#applied.clear();
    this.#requests.clear();
  }
}

export interface RpcServer {
  readonly db: string;
  readonly login: string;
  readonly uid: number;
  readonly registry: Registry;
  readonly settings: EmulatorSettings;
  readonly idempotency: IdempotencyLedger;
  credentials(): Credentials;
  store(): Store;
  now(): Date;
}

/** What a dispatched call was about, for the emulator's call log. */
export interface CallInfo {
  service?: string;
  method?: string;
  model?: string;
  modelMethod?: string;
  idempotencyKey?: string;
  replayed?: boolean;
  /** Exception name when the call failed (JSON-2 answers errors itself). */
  error?: string;
  /** The request's `Idempotency-Key` header: the key when the context carries none. */
  headerIdempotencyKey?: string;
}

/** Python's TypeError for a call with the wrong number of positional arguments. */
function arity(fn: string, params: readonly string[], optional: number, args: readonly unknown[]): void {
  const required = params.length - optional;
  if (args.length < required) throw raise.builtin("TypeError", missingArgumentsMessage(fn, params.slice(args.length, required)));
  if (args.length > params.length) {
    const takes = optional === 0 ? `${params.length}` : `from ${required} to ${params.length}`;
    const noun = params.length === 1 && optional === 0 ? "argument" : "arguments";
    const were = args.length === 1 ? "was" : "were";
    throw raise.builtin("TypeError", `${fn}() takes ${takes} positional ${noun} but ${args.length} ${were} given`);
  }
}

function openRegistry(server: RpcServer, db: unknown): void {
  // odoo.registry(db) connects to the database: an unknown name is a PostgreSQL error.
  if (db !== server.db) {
    throw raise.operational(`connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: FATAL:  database "${String(db)}" does not exist\n`);
  }
}

function credentialsMatch(server: RpcServer, secret: unknown): boolean {
  const { password, apiKey } = server.credentials();
  return typeof secret === "string" && secret !== "" && (secret === password || (apiKey !== null && secret === apiKey));
}

/** `odoo.http.dispatch_rpc(service, method, params)`. */
export function dispatchRpc(server: RpcServer, service: unknown, method: unknown, params: unknown, info: CallInfo): unknown {
  if (typeof service !== "string") throw raise.builtin("TypeError", `unhashable type: '${pyTypeName(service)}'`);
  info.service = service;
  if (typeof method === "string") info.method = method;
  if (service !== "common" && service !== "db" && service !== "object") throw raise.key(service);
  if (!Array.isArray(params)) {
    throw raise.builtin("TypeError", `dispatch() argument after * must be an iterable, not ${pyTypeName(params)}`);
  }
  const name = typeof method === "string" ? method : pyRepr(method);
  switch (service) {
    case "common":
      return dispatchCommon(server, name, params);
    case "db":
      return dispatchDb(server, name, params);
    case "object":
      return dispatchObject(server, name, params, info);
  }
}

/** `odoo.service.common.dispatch`: `exp_<method>` or `Exception("Method not found: ...")`. */
function dispatchCommon(server: RpcServer, method: string, args: readonly unknown[]): unknown {
  switch (method) {
    case "version":
      arity("exp_version", [], 0, args);
      return SERVER_VERSION;
    case "login":
      arity("exp_login", ["db", "login", "password"], 0, args);
      return authenticate(server, args[0], args[1], args[2]);
    case "authenticate":
      arity("exp_authenticate", ["db", "login", "password", "user_agent_env"], 0, args);
      return authenticate(server, args[0], args[1], args[2]);
    default:
      throw raise.builtin("Exception", `Method not found: ${method}`);
  }
}

/** `exp_authenticate`: the uid, or False (not an error) when Odoo raises AccessDenied inside. */
function authenticate(server: RpcServer, db: unknown, login: unknown, password: unknown): number | false {
  openRegistry(server, db);
  return login === server.login && credentialsMatch(server, password) ? server.uid : false;
}

const DB_PRIVILEGED = new Set(["create_database", "duplicate_database", "drop", "dump", "restore", "rename", "change_admin_password", "migrate_databases"]);

/** `odoo.service.db.dispatch`. The emulator has no master password: privileged methods are refused. */
function dispatchDb(server: RpcServer, method: string, args: readonly unknown[]): unknown {
  switch (method) {
    case "list":
      arity("exp_list", ["document"], 1, args);
      return [server.db];
    case "db_exist":
      arity("exp_db_exist", ["db_name"], 0, args);
      return args[0] === server.db;
    case "server_version":
      arity("exp_server_version", [], 0, args);
      return SERVER_VERSION.server_version;
    default:
      if (DB_PRIVILEGED.has(method)) throw raise.accessDenied();
      throw raise.key(`Method not found: ${method}`);
  }
}

/** `int(params[1])` */
function toUid(value: unknown): number {
  if (typeof value === "number") return Math.trunc(value);
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value);
  if (typeof value === "string") throw raise.builtin("ValueError", `invalid literal for int() with base 10: ${pyRepr(value)}`);
  throw raise.builtin("TypeError", `int() argument must be a string, a bytes-like object or a real number, not '${pyTypeName(value)}'`);
}

/** `odoo.service.model.dispatch` → `execute_kw` / `execute` → `execute_cr` → `odoo.api.call_kw`. */
function dispatchObject(server: RpcServer, method: string, params: readonly unknown[], info: CallInfo): unknown {
  if (params.length < 3) throw raise.builtin("IndexError", "list index out of range");
  const [db, rawUid, password] = params;
  const uid = toUid(rawUid);
  openRegistry(server, db);
  // security.check → res.users.check: wrong uid or password (rotated, revoked key) is AccessDenied.
  if (uid !== server.uid || !credentialsMatch(server, password)) throw raise.accessDenied();

  let model: unknown;
  let modelMethod: unknown;
  let args: unknown;
  let kwargs: unknown = {};
  const rest = params.slice(3);
  if (method === "execute_kw") {
    arity("execute_kw", ["db", "uid", "obj", "method", "args", "kw"], 1, [db, uid, ...rest]);
    [model, modelMethod, args] = rest;
    kwargs = rest[3] ?? {};
    if (kwargs === false) kwargs = {};
    if (!Array.isArray(args)) throw raise.builtin("TypeError", `execute() argument after * must be an iterable, not ${pyTypeName(args)}`);
    if (typeof kwargs !== "object" || kwargs === null || Array.isArray(kwargs)) {
      throw raise.builtin("TypeError", `execute() argument after ** must be a mapping, not ${pyTypeName(kwargs)}`);
    }
  } else if (method === "execute") {
    arity("execute", ["db", "uid", "obj", "method"], 0, [db, uid, ...rest.slice(0, 2)]);
    [model, modelMethod] = rest;
    args = rest.slice(2);
  } else {
    throw raise.builtin("NameError", `Method not available ${method}`);
  }
  return executeModelMethod(server, uid, model, modelMethod, args as unknown[], kwargs as Record<string, unknown>, info);
}

function executeModelMethod(
  server: RpcServer,
  uid: number,
  model: unknown,
  method: unknown,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  info: CallInfo,
): unknown {
  // odoo.models.check_method_name: private methods cannot be called remotely.
  if (typeof method !== "string") throw raise.builtin("TypeError", `expected string or bytes-like object, got '${pyTypeName(method)}'`);
  if (/^(_.*|init)$/.test(method)) throw raise.accessError(`Private methods (such as ${method}) cannot be called remotely.`);
  if (typeof model !== "string" || !server.registry.has(model)) {
    throw raise.user(`Object ${typeof model === "string" ? model : pyRepr(model)} doesn't exist`);
  }
  info.model = model;
  info.modelMethod = method;

  // split_context: `context` is popped from kwargs.
  const { context: rawContext, ...methodKwargs } = kwargs;
  const context = typeof rawContext === "object" && rawContext !== null && !Array.isArray(rawContext) ? (rawContext as Record<string, unknown>) : {};
  const env = callEnv(server, uid, context);

  const lookup = lookupMethod(env, model, method);
  if (!lookup.found) {
    if (!lookup.emulated) throw raise.builtin("NotImplementedError", `${model}.${method}() is not implemented by the Odoo emulator`);
    throw raise.builtin("AttributeError", `The method '${method}' does not exist on the model '${model}'`);
  }
  return applyOnce(server, env, model, method, lookup.method, prepareCall(model, lookup.qualname, lookup.method, args, methodKwargs), info);
}

/** The call environment of a request (`odoo.api.Environment`). */
export function callEnv(server: RpcServer, uid: number, context: Record<string, unknown>): Env {
  const token = context[DRY_RUN_CONTEXT_KEY];
  const store = typeof token === "string" && token.length > 0 ? dryRunStore(server, token) : server.store();
  return { uid, context, store, registry: server.registry, settings: server.settings, now: () => server.now() };
}

/** Dry-run databases per server and token (see DRY_RUN_CONTEXT_KEY): at most 32, each kept 5 minutes after its last call. */
const dryRuns = new WeakMap<RpcServer, Map<string, { base: Store; store: Store; usedAt: number }>>();
const DRY_RUN_TTL_MS = 5 * 60_000;

function dryRunStore(server: RpcServer, token: string): Store {
  let sessions = dryRuns.get(server);
  if (!sessions) {
    sessions = new Map();
    dryRuns.set(server, sessions);
  }
  const now = Date.now();
  for (const [t, s] of sessions) if (now - s.usedAt > DRY_RUN_TTL_MS) sessions.delete(t);
  const real = server.store();
  let session = sessions.get(token);
  // After a reset the real database is another one: the dry run starts again from it.
  if (!session || session.base !== real) {
    if (sessions.size >= 32) sessions.delete(sessions.keys().next().value as string);
    session = { base: real, store: real.clone(), usedAt: now };
    sessions.set(token, session);
  }
  session.usedAt = now;
  return session.store;
}

/**
 * Runs a prepared call in one transaction, applying Andon's idempotency contract: a key is applied
 * at most once; a repeat with the same call answers the first result, a repeat with another
 * model/method or other arguments is a UserError. A failed call does not use up its key.
 */
export function applyOnce(
  server: RpcServer,
  env: Env,
  model: string,
  method: string,
  definition: PublicMethod,
  prepared: PreparedCall,
  info: CallInfo,
): unknown {
  // A dry run: on its scratch database, never near the real idempotency ledger.
  if (typeof env.context[DRY_RUN_CONTEXT_KEY] === "string") {
    return env.store.transaction(() => {
      const value = invokeMethod(env, model, definition, prepared);
      flush(env);
      return value;
    });
  }
  // The context key, else the request's Idempotency-Key header (the emulators' common contract).
  const key = env.context[IDEMPOTENCY_CONTEXT_KEY] ?? info.headerIdempotencyKey;
  if (key !== undefined && typeof key !== "string") {
    throw raise.builtin("TypeError", `${IDEMPOTENCY_CONTEXT_KEY} must be a string, not ${pyTypeName(key)}`);
  }
  const fingerprint = canonicalize({ ids: prepared.ids, args: prepared.bound, extra: prepared.extra }) ?? "";
  if (key !== undefined) {
    info.idempotencyKey = key;
    server.idempotency.noteRequest(key);
    const previous = server.idempotency.lookup(key);
    if (previous) {
      if (previous.model !== model || previous.method !== method) {
        throw raise.user(`Idempotency key '${key}' was already used for ${previous.model}.${previous.method}`);
      }
      if (previous.fingerprint !== fingerprint) {
        throw raise.user(`Idempotency key '${key}' was already used for ${model}.${method} with other values`);
      }
      info.replayed = true;
      return structuredClone(previous.result);
    }
  }

  // One transaction per call (odoo.service.model.retrying): any error rolls everything back.
  const result = env.store.transaction(() => {
    const value = invokeMethod(env, model, definition, prepared);
    flush(env);
    return value;
  });
  if (key !== undefined) server.idempotency.record(key, { model, method, fingerprint, result });
  return result;
}
