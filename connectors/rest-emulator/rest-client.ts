/**
 * The HTTP side of the emulators' clients (the same file in connectors/qms, wms, cmms): JSON in and
 * out, Idempotency-Key, a timeout, and every failure turned into a RestCallError carrying the
 * category Andon reports:
 *
 * - business: the system judged the request and refused it (4xx, with the system's own `code` from
 *   the problem+json body) — replaying it unchanged fails again;
 * - technical: no judgement (5xx, 408, 429, timeout, connection refused or dropped, an answer that
 *   is not JSON) — replaying it unchanged may succeed. A dropped connection or a timeout may still
 *   have been applied: retry with the same Idempotency-Key.
 */

export type FailureCategory = "business" | "technical";

export interface Failure {
  category: FailureCategory;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export class RestCallError extends Error implements Failure {
  override readonly name = "RestCallError";
  constructor(
    readonly category: FailureCategory,
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly details?: Record<string, unknown>,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  toFailure(): Failure {
    return { category: this.category, code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

export interface RestClientOptions {
  baseUrl: string;
  /** Default 15 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface CallOptions {
  idempotencyKey?: string;
  /** Validate only (`X-Dry-Run: true`): the emulator runs the write and rolls it back (see rest-emulator/http.ts). */
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface RestResult<T> {
  status: number;
  body: T;
  /** The answer came from the target's Idempotency-Key store (an earlier request with this key). */
  replayed: boolean;
}

const TECHNICAL_4XX = new Set([408, 425, 429]);

export class RestClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: RestClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async call<T>(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown, options: CallOptions = {}): Promise<RestResult<T>> {
    const headers: Record<string, string> = { accept: "application/json, application/problem+json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
    if (options.dryRun) headers["x-dry-run"] = "true";
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (error) {
      if (timeout.aborted) throw new RestCallError("technical", "TIMEOUT", `no answer from ${this.baseUrl} within ${this.timeoutMs} ms`);
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new RestCallError(
        "technical",
        "CONNECTION",
        `No answer from ${this.baseUrl} (it may or may not have applied the request): ${(error as Error).message}${cause ? ` (${cause})` : ""}`,
      );
    }
    let text: string;
    try {
      text = await res.text();
    } catch (error) {
      throw new RestCallError("technical", "CONNECTION", `answer from ${this.baseUrl} broken off: ${(error as Error).message}`, res.status);
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      throw new RestCallError("technical", "PROTOCOL", `HTTP ${res.status} from ${this.baseUrl} is not JSON: ${text.slice(0, 200)}`, res.status);
    }
    if (res.ok) return { status: res.status, body: parsed as T, replayed: res.headers.get("idempotent-replayed") === "true" };

    const problem = (parsed ?? {}) as { code?: unknown; detail?: unknown; title?: unknown };
    const { type: _t, title: _ti, status: _s, detail: _d, code: _c, ...rest } = problem as Record<string, unknown>;
    const message = typeof problem.detail === "string" ? problem.detail : typeof problem.title === "string" ? problem.title : `HTTP ${res.status}`;
    const retryAfter = Number(res.headers.get("retry-after"));
    const retryAfterMs = Number.isFinite(retryAfter) && res.headers.has("retry-after") ? retryAfter * 1000 : undefined;
    if (res.status >= 500 || TECHNICAL_4XX.has(res.status)) {
      throw new RestCallError("technical", `HTTP-${res.status}`, message, res.status, Object.keys(rest).length ? rest : undefined, retryAfterMs);
    }
    const code = typeof problem.code === "string" ? problem.code : `HTTP-${res.status}`;
    throw new RestCallError("business", code, message, res.status, Object.keys(rest).length ? rest : undefined);
  }
}
