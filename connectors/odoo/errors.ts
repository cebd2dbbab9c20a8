/**
 * Typed failures of the Odoo client. Every failure carries the category the connectors report to
 * Andon: `business` (the data must change; replaying it as-is fails again) or `technical` (replay
 * as-is once the cause is gone).
 */
import type { OdooErrorData } from "./protocol";
import { OdooExceptionName } from "./protocol";

export type OdooErrorCategory = "business" | "technical";

/**
 * Category of an Odoo exception by its qualified Python name.
 *
 * Technical: authentication/authorisation (`AccessDenied` after a password rotation, `AccessError`
 * when the integration user lacks a group — fixed by configuration, then the same message goes
 * through), database/infrastructure errors (`psycopg2.*`: database missing, serialisation
 * failures), HTTP-level errors raised by werkzeug (`werkzeug.exceptions.NotFound`: wrong URL) and
 * an expired session. Everything else is Odoo's deterministic answer to this payload
 * (`ValidationError`, `UserError`, `MissingError`, and `builtins.*` such as `ValueError: Invalid
 * field`) and is business: replaying the same payload fails the same way.
 */
export function classifyOdooException(name: string): OdooErrorCategory {
  if (name === OdooExceptionName.AccessDenied || name === OdooExceptionName.AccessError) return "technical";
  if (name === "odoo.http.SessionExpiredException") return "technical";
  if (name.startsWith("psycopg2.") || name.startsWith("werkzeug.exceptions.")) return "technical";
  return "business";
}

export abstract class OdooError extends Error {
  abstract readonly category: OdooErrorCategory;
}

export interface OdooRpcErrorInit {
  /** Qualified Python exception name, e.g. `odoo.exceptions.ValidationError`. */
  name: string;
  message: string;
  /** JSON-RPC error code (Odoo: 200, or 404 / 100). */
  code: number;
  data: OdooErrorData;
  service: string;
  method: string;
  model?: string;
  modelMethod?: string;
}

/**
 * Odoo answered with a JSON-RPC error (HTTP 200, `error` member). `name` is Odoo's exception name
 * (not the class name) so that logs read like Odoo's own: `odoo.exceptions.UserError: ...`.
 */
export class OdooRpcError extends OdooError {
  override readonly name: string;
  readonly code: number;
  readonly data: OdooErrorData;
  readonly category: OdooErrorCategory;
  readonly service: string;
  readonly method: string;
  readonly model: string | undefined;
  readonly modelMethod: string | undefined;

  constructor(init: OdooRpcErrorInit) {
    super(init.message);
    this.name = init.name;
    this.code = init.code;
    this.data = init.data;
    this.category = classifyOdooException(init.name);
    this.service = init.service;
    this.method = init.method;
    this.model = init.model;
    this.modelMethod = init.modelMethod;
  }
}

export type OdooTransportErrorKind =
  /** No answer within `timeoutMs`. The request may still have been applied by Odoo. */
  | "timeout"
  /** The caller's AbortSignal fired. */
  | "aborted"
  /** Connection refused/reset, DNS, TLS: no HTTP answer. */
  | "network"
  /** An HTTP status other than 200 (503 from a proxy, 429 rate limit, 400 from Odoo, ...). */
  | "http"
  /** HTTP 200 but not a JSON-RPC answer we understand (HTML error page, wrong id, wrong result type). */
  | "protocol";

export interface OdooTransportErrorInit {
  kind: OdooTransportErrorKind;
  message: string;
  status?: number;
  retryAfterMs?: number;
  /** System error code of a network failure, e.g. `ECONNREFUSED`. */
  code?: string;
  cause?: unknown;
}

/** No usable JSON-RPC answer. Always technical: the message itself was never judged by Odoo. */
export class OdooTransportError extends OdooError {
  override readonly name = "OdooTransportError";
  readonly category = "technical" as const;
  readonly kind: OdooTransportErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly code: string | undefined;

  constructor(init: OdooTransportErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.retryAfterMs = init.retryAfterMs;
    this.code = init.code;
  }
}

/** Category of anything a client call threw (unknown errors count as technical). */
export function categoryOf(error: unknown): OdooErrorCategory {
  return error instanceof OdooError ? error.category : "technical";
}
