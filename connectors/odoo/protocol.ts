/**
 * Wire format of Odoo's external API (`POST /jsonrpc`, JSON-RPC 2.0), shared by the client and
 * the emulator. Shapes follow Odoo 17 (`odoo/http.py` JsonRPCDispatcher, `serialize_exception`).
 */
import { z } from "zod";

/** Fully qualified Python names of the exceptions Odoo's external API reports in `error.data.name`. */
export const OdooExceptionName = {
  ValidationError: "odoo.exceptions.ValidationError",
  UserError: "odoo.exceptions.UserError",
  MissingError: "odoo.exceptions.MissingError",
  AccessDenied: "odoo.exceptions.AccessDenied",
  AccessError: "odoo.exceptions.AccessError",
} as const;

/**
 * Context key carrying Andon's idempotency key (`kwargs.context.andon_idempotency_key`).
 * Odoo ignores unknown context keys, so sending it to a real Odoo is harmless; the emulator (and an
 * Odoo add-on implementing the same contract) applies each key at most once.
 */
export const IDEMPOTENCY_CONTEXT_KEY = "andon_idempotency_key";
/**
 * Andon's dry-run contract (issue 20): calls whose context carries `andon_dry_run: "<token>"` run on a
 * scratch copy of the database taken at the token's first call (like a transaction that is never
 * committed): every constraint, domain and stock check answers from the real data, the calls of one
 * token see each other's writes, and nothing reaches the real database, its ids or its idempotency keys.
 */
export const DRY_RUN_CONTEXT_KEY = "andon_dry_run";

export const JSONRPC_PATH = "/jsonrpc";
/** JSON-2 endpoint of a model method (Odoo 19+). */
export const json2Path = (model: string, method: string) => `/json/2/${encodeURIComponent(model)}/${encodeURIComponent(method)}`;
/** Version without authentication (`type='http'`, Odoo 18+): `{version_info, version}`. */
export const WEB_VERSION_PATH = "/web/version";

/** The protocol a client speaks: JSON-2 from Odoo 19 on, JSON-RPC (`execute_kw`) before. */
export type OdooProtocol = "json2" | "jsonrpc";

/** Major version of "19", "19.0", "saas~18.3", 17 … (NaN when unreadable). */
export function majorVersion(version: string | number): number {
  if (typeof version === "number") return Math.trunc(version);
  const match = /(\d+)/.exec(version);
  return match ? Number(match[1]) : Number.NaN;
}

export function protocolFor(version: string | number | undefined): OdooProtocol {
  return version !== undefined && majorVersion(version) >= 19 ? "json2" : "jsonrpc";
}

/** Error body of a JSON-2 answer (4xx/5xx): `odoo.http.serialize_exception`. */
export const json2ErrorSchema = z.object({
  name: z.string(),
  message: z.string(),
  arguments: z.array(z.unknown()).default([]),
  context: z.record(z.string(), z.unknown()).default({}),
  debug: z.string().default(""),
});

/** `GET /web/version`. */
export const webVersionSchema = z.object({ version_info: z.array(z.union([z.number(), z.string()])), version: z.string() });

/** `common.version()` answer (`odoo.service.common.exp_version`). */
export const serverVersionSchema = z.object({
  server_version: z.string(),
  server_version_info: z.array(z.union([z.number(), z.string()])),
  server_serie: z.string(),
  protocol_version: z.number().int(),
});
export type OdooServerVersion = z.infer<typeof serverVersionSchema>;

/** `error.data` of a JSON-RPC error answer (`odoo.http.serialize_exception`). */
export const errorDataSchema = z.object({
  name: z.string(),
  message: z.string(),
  arguments: z.array(z.unknown()),
  context: z.record(z.string(), z.unknown()),
  debug: z.string(),
});
export type OdooErrorData = z.infer<typeof errorDataSchema>;

/**
 * JSON-RPC error object. Odoo always uses code 200 ("Odoo Server Error"), or 404 ("404: Not Found")
 * and 100 ("Odoo Session Expired"). Lenient on the secondary members of `data` so that an answer
 * from an older server or a proxy still yields the exception name and message.
 */
export const rpcErrorSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  data: z.object({
    name: z.string(),
    message: z.string(),
    arguments: z.array(z.unknown()).default([]),
    context: z.record(z.string(), z.unknown()).default({}),
    debug: z.string().default(""),
  }),
});
export type OdooRpcErrorObject = z.infer<typeof rpcErrorSchema>;

export const rpcIdSchema = z.union([z.string(), z.number(), z.null()]);

/**
 * JSON-RPC answer envelope. `error` and `result` are checked separately (an error answer must be
 * recognised as such even when its members are malformed); Odoo omits `result` when the method
 * returned None.
 */
export const rpcEnvelopeSchema = z.object({
  jsonrpc: z.literal("2.0"),
  id: rpcIdSchema,
  error: z.unknown().optional(),
  result: z.unknown().optional(),
});

export interface OdooRpcRequest {
  jsonrpc: "2.0";
  method: "call";
  id: number | string | null;
  params: { service: string; method: string; args: unknown[] };
}

/** Odoo search domain: prefix-notation operators and `[field, operator, value]` leaves. */
export type DomainOperator = "=" | "!=" | "<>" | "<" | "<=" | ">" | ">=" | "in" | "not in" | "like" | "not like" | "ilike" | "not ilike" | "=like" | "=ilike";
export type DomainLeaf = readonly [field: string, operator: DomainOperator, value: unknown];
export type OdooDomain = ReadonlyArray<"&" | "|" | "!" | DomainLeaf>;

/** Values for `create`/`write`: field name → value (many2one as id, x2many as command lists). */
export type OdooValues = Record<string, unknown>;

/** A record as `read`/`search_read` return it: many2one as `[id, display_name]` or `false`. */
export type OdooRecord = { id: number } & Record<string, unknown>;
