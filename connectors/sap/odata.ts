import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ErpState } from "./erp-state";
import type { FaultQueue } from "./faults";
import { errorBody, ODataError, sapMessageHeader } from "./odata-format";
import { normalizeKeyValue, ODATA_SERVICES, type EntitySetDef, type ODataContext, type ServiceDef } from "./odata-services";
import { sapMessage } from "./messages";
import { toSapDate } from "./sap-format";

/**
 * The OData v2 side of the emulator: /sap/opu/odata/sap/<SERVICE>/… as SAP Gateway serves it.
 *
 * - JSON only (`$format=json` or `Accept: application/json`; responses in the `d` wrapper, entity
 *   sets as `{ d: { results: [...] } }`, each entity with `__metadata`); `$format=xml`/`atom` → 406.
 * - CSRF: a GET or HEAD with `x-csrf-token: Fetch` answers the session's token in `x-csrf-token`
 *   and sets the session cookie; a modifying request (POST/PUT/PATCH/MERGE/DELETE) without that
 *   cookie and a valid, unexpired token gets 403 with `x-csrf-token: Required` and nothing happens.
 * - Reads: entity set (with `$filter` of `Property eq 'value'` terms joined by `and`, `$top`,
 *   `$skip`), entity by key, navigation (`/to_…`), `$expand` of navigation properties.
 * - Writes: POST (deep insert) on the creatable entity sets; 201 with the created entity, a
 *   Location header and, where the application reports messages, `sap-message`. Business refusals
 *   are 400 with SAP's error body; the T100 message is the error code ("M7/021").
 * - `Idempotency-Key` on writes: applied once, the first answer (also a 400) is answered again with
 *   `Idempotent-Replayed: true`; the same key with another request → 422.
 * - Fault injection (the emulator's FaultQueue) applies to modifying requests that passed the CSRF
 *   check: unavailable (503), hang, close before/after processing; status02 → 500 (nothing applied).
 */

export const ODATA_ROOT = "/sap/opu/odata/sap/";
export const SESSION_COOKIE = "SAP_SESSIONID_S4H_100";

export interface ODataCounters {
  /** Modifying requests that passed the CSRF check. */
  requests: number;
  /** Requests handed to the application (applied or refused by it). */
  processed: number;
  /** Answers replayed for a known Idempotency-Key. */
  replayed: number;
  /** Writes refused with 403 (CSRF token missing, invalid or expired). */
  csrfRejected: number;
}

export interface ODataDeps {
  erp(): ErpState;
  now(): Date;
  faults: FaultQueue;
  /** Waits in a "hang" fault; rejects with AbortError on reset/close. */
  wait(ms: number): Promise<void>;
  readBody(req: IncomingMessage): Promise<string>;
  /** Counts an application of an Idempotency-Key (shared with the IDoc inbound). */
  applied(key: string): void;
  csrfTokenTtlMs: number;
}

interface StoredAnswer {
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface Session {
  token: string;
  expiresAt: number;
}

const MODIFYING = new Set(["POST", "PUT", "PATCH", "MERGE", "DELETE"]);

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function cookies(req: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (header(req, "cookie") ?? "").split(";")) {
    const index = part.indexOf("=");
    if (index > 0) jar.set(part.slice(0, index).trim(), part.slice(index + 1).trim());
  }
  return jar;
}

/** Splits `Name='a',Other='b'` (or `'a'`) into key/value pairs; '' inside a literal is a quote. */
export function parseKeyPredicate(text: string): Map<string, string> | undefined {
  const result = new Map<string, string>();
  const pattern = /\s*(?:([A-Za-z_][A-Za-z0-9_]*)\s*=\s*)?(?:'((?:[^']|'')*)'|([^,']+))\s*(?:,|$)/y;
  let position = 0;
  let index = 0;
  while (position < text.length) {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (!match) return undefined;
    const value = match[2] !== undefined ? match[2].replaceAll("''", "'") : (match[3] ?? "").trim();
    result.set(match[1] ?? `#${index}`, value);
    index += 1;
    position = pattern.lastIndex;
  }
  return result;
}

/** `$filter`: `Property eq 'value'` terms joined by `and` (parentheses ignored). */
export function parseFilter(filter: string): [string, string][] | undefined {
  const terms = filter
    .replace(/[()]/g, " ")
    .split(/\s+and\s+/i)
    .map((t) => t.trim())
    .filter(Boolean);
  const parsed: [string, string][] = [];
  for (const term of terms) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s+eq\s+(?:'((?:[^']|'')*)'|(true|false|-?\d+(?:\.\d+)?))$/i.exec(term);
    if (!m?.[1]) return undefined;
    parsed.push([m[1], m[2] !== undefined ? m[2].replaceAll("''", "'") : (m[3] ?? "")]);
  }
  return parsed;
}

function keyPredicateOf(set: EntitySetDef, entity: Record<string, unknown>): string {
  if (set.keys.length === 1) return `'${String(entity[set.keys[0] ?? ""] ?? "").replaceAll("'", "''")}'`;
  return set.keys.map((k) => `${k}='${String(entity[k] ?? "").replaceAll("'", "''")}'`).join(",");
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function createODataHandler(deps: ODataDeps) {
  const sessions = new Map<string, Session>();
  const answers = new Map<string, StoredAnswer>();
  const counters: ODataCounters = { requests: 0, processed: 0, replayed: 0, csrfRejected: 0 };

  const context = (): ODataContext => {
    const now = deps.now();
    return { erp: deps.erp(), now, today: toSapDate(now) };
  };

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
      "content-length": String(Buffer.byteLength(text)),
      dataserviceversion: "2.0",
      ...headers,
    });
    res.end(text);
  }

  function sendError(res: ServerResponse, service: ServiceDef | undefined, error: ODataError, headers: Record<string, string> = {}): void {
    const application = service ?? { componentId: "OPU-GW-COR", serviceId: "" };
    send(res, error.status, errorBody(error, application, deps.now()), { ...error.headers, ...headers });
  }

  /** The session of the request's cookie, or a new one (its cookie is then set on the answer). */
  function session(req: IncomingMessage): { id: string; session: Session; isNew: boolean } {
    const id = cookies(req).get(SESSION_COOKIE);
    const existing = id ? sessions.get(id) : undefined;
    if (id && existing) return { id, session: existing, isNew: false };
    const created = randomBytes(18).toString("base64url");
    const fresh = { token: "", expiresAt: 0 };
    sessions.set(created, fresh);
    return { id: created, session: fresh, isNew: true };
  }

  /** Token fetch: the session's valid token, or a new one. */
  function fetchToken(req: IncomingMessage): Record<string, string> {
    const { id, session: s, isNew } = session(req);
    const now = Date.now();
    if (!s.token || s.expiresAt <= now) {
      s.token = randomBytes(18).toString("base64");
      s.expiresAt = now + deps.csrfTokenTtlMs;
    }
    const headers: Record<string, string> = { "x-csrf-token": s.token };
    if (isNew) headers["set-cookie"] = `${SESSION_COOKIE}=${id}; path=/; HttpOnly`;
    return headers;
  }

  function csrfValid(req: IncomingMessage): boolean {
    const token = header(req, "x-csrf-token");
    const id = cookies(req).get(SESSION_COOKIE);
    const s = id ? sessions.get(id) : undefined;
    return Boolean(token && s && s.token === token && s.expiresAt > Date.now());
  }

  function resolveSet(service: ServiceDef, name: string): EntitySetDef {
    const set = service.entitySets[name];
    if (!set) throw new ODataError(404, "/IWBEP/CM_MGW_RT/021", `Resource not found for segment '${name}'`);
    return set;
  }

  function withMetadata(root: string, serviceId: string, set: EntitySetDef, entity: Record<string, unknown>, expand: Set<string>): Record<string, unknown> {
    const uri = `${root}${set.name}(${keyPredicateOf(set, entity)})`;
    const result: Record<string, unknown> = { __metadata: { id: uri, uri, type: `${serviceId}.${set.type}` } };
    for (const [name, value] of Object.entries(entity)) {
      if (set.navigation?.[name]) continue;
      result[name] = value;
    }
    for (const [name, nav] of Object.entries(set.navigation ?? {})) {
      const target = ODATA_SERVICES[serviceId]?.entitySets[nav.target];
      const inline = entity[name];
      if ((expand.has(name) || Array.isArray(inline)) && target) {
        const items = Array.isArray(inline) ? (inline as Record<string, unknown>[]) : nav.list(context(), entity);
        result[name] = { results: items.map((item) => withMetadata(root, serviceId, target, item, new Set())) };
      } else {
        result[name] = { __deferred: { uri: `${uri}/${name}` } };
      }
    }
    return result;
  }

  function findByKey(set: EntitySetDef, predicate: string): Record<string, unknown> {
    const keys = parseKeyPredicate(predicate);
    if (!keys) throw new ODataError(400, "/IWBEP/CM_MGW_RT/022", `Invalid key predicate '${predicate}'`);
    const wanted = set.keys.map((k, i) => [k, keys.get(k) ?? (set.keys.length === 1 ? keys.get(`#${i}`) : undefined)] as const);
    if (wanted.some(([, v]) => v === undefined)) throw new ODataError(400, "/IWBEP/CM_MGW_RT/022", `Invalid key predicate '${predicate}'`);
    const entity = set.list(context()).find((e) => wanted.every(([k, v]) => String(e[k]) === normalizeKeyValue(k, v ?? "")));
    if (!entity) throw new ODataError(404, "/IWBEP/CM_MGW_RT/021", `Resource not found for segment '${set.type}'`);
    return entity;
  }

  function read(service: ServiceDef, root: string, resource: string, url: URL): unknown {
    const expand = new Set(
      (url.searchParams.get("$expand") ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?(?:\/([A-Za-z_][A-Za-z0-9_]*))?$/.exec(resource);
    if (!m?.[1]) throw new ODataError(404, "/IWBEP/CM_MGW_RT/021", `Resource not found for segment '${resource}'`);
    const set = resolveSet(service, m[1]);
    let results: Record<string, unknown>[];
    let target = set;
    if (m[2] !== undefined) {
      const entity = findByKey(set, m[2]);
      if (!m[3]) return { d: withMetadata(root, service.serviceId, set, entity, expand) };
      const nav = set.navigation?.[m[3]];
      if (!nav) throw new ODataError(404, "/IWBEP/CM_MGW_RT/021", `Resource not found for segment '${m[3]}'`);
      target = resolveSet(service, nav.target);
      results = nav.list(context(), entity);
    } else {
      if (m[3]) throw new ODataError(400, "/IWBEP/CM_MGW_RT/022", "Navigation requires a key predicate");
      results = set.list(context());
    }
    const filter = url.searchParams.get("$filter");
    if (filter) {
      const terms = parseFilter(filter);
      if (!terms)
        throw new ODataError(400, "/IWBEP/CM_MGW_RT/022", `The emulator supports $filter with 'Property eq value' terms joined by 'and' only: ${filter}`);
      results = results.filter((e) => terms.every(([k, v]) => String(e[k]) === normalizeKeyValue(k, v)));
    }
    const skip = Number(url.searchParams.get("$skip") ?? 0) || 0;
    const top = url.searchParams.get("$top");
    results = results.slice(skip, top === null ? undefined : skip + (Number(top) || 0));
    return { d: { results: results.map((e) => withMetadata(root, service.serviceId, target, e, expand)) } };
  }

  function metadataDocument(service: ServiceDef): string {
    const types = Object.values(service.entitySets)
      .map(
        (set) =>
          `<EntityType Name="${set.type}"><Key>${set.keys.map((k) => `<PropertyRef Name="${k}"/>`).join("")}</Key>${set.keys
            .map((k) => `<Property Name="${k}" Type="Edm.String" Nullable="false"/>`)
            .join("")}</EntityType>`,
      )
      .join("");
    const sets = Object.values(service.entitySets)
      .map((set) => `<EntitySet Name="${set.name}" EntityType="${service.serviceId}.${set.type}"/>`)
      .join("");
    return `<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx"><edmx:DataServices m:DataServiceVersion="2.0" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><Schema Namespace="${service.serviceId}" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">${types}<EntityContainer Name="${service.serviceId}_Entities" m:IsDefaultEntityContainer="true">${sets}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`;
  }

  async function write(req: IncomingMessage, res: ServerResponse, service: ServiceDef, root: string, resource: string): Promise<void> {
    counters.requests += 1;
    const fault = deps.faults.take();
    if (fault?.kind === "unavailable") {
      req.resume();
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
      return sendError(res, service, new ODataError(503, "SERVICE_UNAVAILABLE", "SAP system is not available (no free work process)"), headers);
    }
    if (fault?.kind === "close" && fault.phase !== "after") {
      req.socket.destroy();
      return;
    }
    const method = req.method ?? "POST";
    const set = /^[A-Za-z_][A-Za-z0-9_]*$/.test(resource) ? service.entitySets[resource] : undefined;
    if (method !== "POST" || !set?.create) {
      req.resume();
      const what = resource.replace(/\(.*$/, "");
      return sendError(res, service, new ODataError(405, "ZSAPEMU/091", `Method ${method} is not allowed for '${what}' (the emulator creates entities only)`));
    }
    const type = (header(req, "content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    if (type !== "application/json") {
      req.resume();
      return sendError(res, service, new ODataError(415, "ZSAPEMU/092", "Content-Type must be application/json (the emulator speaks OData JSON only)"));
    }
    const text = await deps.readBody(req);
    if (fault?.kind === "hang" && fault.phase !== "after") await deps.wait(fault.ms);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return sendError(res, service, new ODataError(400, "ZSAPEMU/093", "The request body is not valid JSON"));
    }
    const key = header(req, "idempotency-key")?.trim();
    if (key !== undefined && (key.length === 0 || key.length > 255)) {
      return sendError(res, service, new ODataError(400, "ZSAPEMU/094", "Idempotency-Key must be 1 to 255 characters"));
    }

    // From here to the stored answer nothing awaits: a key is checked and applied atomically.
    let answer: StoredAnswer;
    let replayed = false;
    if (
      fault?.kind !== "status02" &&
      String(header(req, "x-sap-testrun") ?? "")
        .trim()
        .toUpperCase() === "X"
    ) {
      // Test run: the entity set's create runs every check on a scratch copy of the real ERP, which is
      // thrown away; the answer is what the posting would answer. No key is stored or used up.
      try {
        const created = set.create({ ...context(), erp: deps.erp().clone() }, body);
        const entity = withMetadata(root, service.serviceId, set, created.entity, new Set());
        const message = sapMessageHeader([...created.messages, sapMessage("testRunChecked")]);
        answer = {
          fingerprint: "",
          status: 201,
          headers: { "sap-testrun": "X", ...(message ? { "sap-message": message } : {}) },
          body: JSON.stringify({ d: entity }),
        };
      } catch (error) {
        if (!(error instanceof ODataError)) throw error;
        answer = {
          fingerprint: "",
          status: error.status,
          headers: { ...error.headers, "sap-testrun": "X" },
          body: JSON.stringify(errorBody(error, service, deps.now())),
        };
      }
    } else if (fault?.kind === "status02") {
      answer = {
        fingerprint: "",
        status: 500,
        headers: {},
        body: JSON.stringify(errorBody(new ODataError(500, "ZSAPEMU/098", fault.text ?? "Error passing data to the application"), service, deps.now())),
      };
    } else {
      const fingerprint = createHash("sha256")
        .update(`${service.serviceId}/${resource}\n${stableStringify(body)}`)
        .digest("hex");
      const stored = key === undefined ? undefined : answers.get(key);
      if (stored && stored.fingerprint !== fingerprint) {
        return sendError(res, service, new ODataError(422, "ZSAPEMU/095", `Idempotency-Key ${key} was already used for a different request`));
      }
      if (stored) {
        answer = stored;
        replayed = true;
        counters.replayed += 1;
      } else {
        counters.processed += 1;
        try {
          const created = set.create(context(), body);
          const entity = withMetadata(root, service.serviceId, set, created.entity, new Set());
          const message = sapMessageHeader(created.messages);
          const location = (entity.__metadata as { uri: string }).uri;
          answer = { fingerprint, status: 201, headers: { location, ...(message ? { "sap-message": message } : {}) }, body: JSON.stringify({ d: entity }) };
        } catch (error) {
          if (!(error instanceof ODataError)) throw error;
          answer = { fingerprint, status: error.status, headers: { ...error.headers }, body: JSON.stringify(errorBody(error, service, deps.now())) };
        }
        if (key !== undefined) {
          answers.set(key, answer);
          deps.applied(key);
        }
      }
    }

    if (fault?.kind === "hang" && fault.phase === "after") await deps.wait(fault.ms);
    if (fault?.kind === "close") {
      req.socket.destroy();
      return;
    }
    res.writeHead(answer.status, {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(Buffer.byteLength(answer.body)),
      dataserviceversion: "2.0",
      ...answer.headers,
      ...(replayed ? { "idempotent-replayed": "true" } : {}),
    });
    res.end(answer.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const rest = url.pathname.slice(ODATA_ROOT.length);
    const slash = rest.indexOf("/");
    const serviceName = (slash === -1 ? rest : rest.slice(0, slash)).split(";")[0] ?? "";
    const service = ODATA_SERVICES[serviceName.toUpperCase()];
    const resource = decodeURIComponent(slash === -1 ? "" : rest.slice(slash + 1)).replace(/\/+$/, "");
    const root = `http://${header(req, "host") ?? "localhost"}${ODATA_ROOT}${serviceName}/`;
    const fetching = header(req, "x-csrf-token")?.toLowerCase() === "fetch";
    const tokenHeaders = (method === "GET" || method === "HEAD") && fetching && service ? fetchToken(req) : {};

    if (!service) {
      req.resume();
      return sendError(res, undefined, new ODataError(404, "/IWFND/MED/170", `No service found for namespace '/SAP/', name '${serviceName}', version '0001'`));
    }

    if (MODIFYING.has(method)) {
      if (!csrfValid(req)) {
        req.resume();
        counters.csrfRejected += 1;
        const text = "CSRF token validation failed";
        res.writeHead(403, { "content-type": "text/plain; charset=utf-8", "content-length": String(Buffer.byteLength(text)), "x-csrf-token": "Required" });
        res.end(text);
        return;
      }
      if (resource === "$batch") {
        req.resume();
        return sendError(res, service, new ODataError(501, "ZSAPEMU/096", "$batch is not supported by the emulator"));
      }
      return write(req, res, service, root, resource);
    }

    if (method === "HEAD") {
      res.writeHead(200, { ...tokenHeaders, dataserviceversion: "2.0", "content-length": "0" });
      res.end();
      return;
    }
    if (method !== "GET") {
      req.resume();
      return sendError(res, service, new ODataError(405, "ZSAPEMU/091", `Method ${method} is not allowed`), tokenHeaders);
    }
    const format = url.searchParams.get("$format")?.toLowerCase();
    if (format && format !== "json") {
      return sendError(res, service, new ODataError(406, "ZSAPEMU/097", `$format=${format}: the emulator answers JSON only`), tokenHeaders);
    }
    try {
      if (resource === "") {
        return send(res, 200, { d: { EntitySets: Object.keys(service.entitySets) } }, tokenHeaders);
      }
      if (resource === "$metadata") {
        const xml = metadataDocument(service);
        res.writeHead(200, { "content-type": "application/xml", "content-length": String(Buffer.byteLength(xml)), dataserviceversion: "2.0", ...tokenHeaders });
        res.end(xml);
        return;
      }
      return send(res, 200, read(service, root, resource, url), tokenHeaders);
    } catch (error) {
      if (error instanceof ODataError) return sendError(res, service, error, tokenHeaders);
      throw error;
    }
  }

  return {
    handle,
    counters: (): ODataCounters => ({ ...counters }),
    /** Expires every CSRF token (sessions stay): the next write gets 403 Required. */
    expireCsrfTokens(): void {
      for (const s of sessions.values()) s.expiresAt = 0;
    },
    reset(): void {
      sessions.clear();
      answers.clear();
      Object.assign(counters, { requests: 0, processed: 0, replayed: 0, csrfRejected: 0 });
    },
  };
}

export type ODataHandler = ReturnType<typeof createODataHandler>;
