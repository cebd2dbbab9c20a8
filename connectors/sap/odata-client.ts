/**
 * A small client of SAP S/4HANA's OData v2 APIs (what the SAP connector uses): the CSRF token
 * round trip with the session cookie, one refetch and retry when a write is answered 403 with
 * `x-csrf-token: Required` (token expired), JSON in the `d` wrapper, and SAP's error body mapped to
 * `{ category, code, message }` with SAP's message as code ("M7/021").
 *
 * Categories: a 4xx with SAP's error body is the system refusing the content (business); 5xx, no
 * answer, a timeout, or an authorization/CSRF problem that a refetch did not cure are technical.
 */

export const ODATA_PATH = "/sap/opu/odata/sap/";

export interface SapODataFailure {
  readonly category: "business" | "technical";
  /** SAP's message ("M7/021"), else HTTP-<status>, TIMEOUT, NETWORK. */
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

export interface SapMessageEntry {
  readonly code: string;
  readonly message: string;
  readonly severity: string;
}

export type SapODataResult<T> =
  | {
      readonly ok: true;
      readonly status: number;
      readonly data: T;
      readonly headers: Headers;
      readonly messages: readonly SapMessageEntry[];
      readonly replayed: boolean;
    }
  | { readonly ok: false; readonly status?: number; readonly failure: SapODataFailure };

export interface SapODataClientOptions {
  /** Per request (default 30 s). */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Extra headers on every request (e.g. Authorization, sap-client). */
  headers?: Record<string, string>;
}

/** SAP's OData v2 error body. */
interface ODataErrorBody {
  error?: {
    code?: string;
    message?: { value?: string } | string;
    innererror?: { transactionid?: string; errordetails?: { code?: string; message?: string; severity?: string; propertyref?: string }[] };
  };
}

interface CsrfState {
  token?: string;
  cookies: Map<string, string>;
}

/** Parses the `sap-message` header (JSON) into the leading message and its details. */
export function parseSapMessageHeader(value: string | null): SapMessageEntry[] {
  if (!value) return [];
  try {
    const parsed = JSON.parse(value) as {
      code?: string;
      message?: string;
      severity?: string;
      details?: { code?: string; message?: string; severity?: string }[];
    };
    return [parsed, ...(parsed.details ?? [])].map((m) => ({ code: m.code ?? "", message: m.message ?? "", severity: m.severity ?? "" }));
  } catch {
    return [];
  }
}

/** The failure an error answer stands for. */
export async function failureOf(res: Response): Promise<SapODataFailure> {
  const text = await res.text().catch(() => "");
  let body: ODataErrorBody | undefined;
  try {
    body = JSON.parse(text) as ODataErrorBody;
  } catch {
    body = undefined;
  }
  const error = body?.error;
  const message = typeof error?.message === "string" ? error.message : error?.message?.value;
  const technical = res.status >= 500 || res.status === 401 || res.status === 403 || res.status === 408 || res.status === 429;
  const details: Record<string, unknown> = { httpStatus: res.status };
  if (error?.innererror?.transactionid) details.transactionId = error.innererror.transactionid;
  if (error?.innererror?.errordetails) details.errordetails = error.innererror.errordetails;
  return {
    category: technical ? "technical" : "business",
    code: error?.code || `HTTP-${res.status}`,
    message: (message || text || res.statusText || `HTTP ${res.status}`).slice(0, 1000),
    details,
  };
}

export class SapODataClient {
  private readonly csrf = new Map<string, CsrfState>();
  private readonly doFetch: typeof fetch;

  constructor(
    private readonly baseUrl: string,
    private readonly options: SapODataClientOptions = {},
  ) {
    this.doFetch = options.fetch ?? fetch;
  }

  private serviceUrl(service: string): string {
    return `${this.baseUrl.replace(/\/+$/, "")}${ODATA_PATH}${service}/`;
  }

  private state(service: string): CsrfState {
    let state = this.csrf.get(service);
    if (!state) {
      state = { cookies: new Map() };
      this.csrf.set(service, state);
    }
    return state;
  }

  private cookieHeader(state: CsrfState): Record<string, string> {
    return state.cookies.size === 0 ? {} : { cookie: [...state.cookies].map(([k, v]) => `${k}=${v}`).join("; ") };
  }

  private keepCookies(state: CsrfState, res: Response): void {
    for (const cookie of res.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const index = pair.indexOf("=");
      if (index > 0) state.cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
    }
  }

  private async request(url: string, init: RequestInit): Promise<Response | SapODataFailure> {
    try {
      return await this.doFetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError" || name === "AbortError") {
        return { category: "technical", code: "TIMEOUT", message: `no answer from SAP within ${this.options.timeoutMs ?? 30_000} ms` };
      }
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      return { category: "technical", code: "NETWORK", message: `${error instanceof Error ? error.message : String(error)}${cause}` };
    }
  }

  /** The CSRF round trip: GET the service document with `x-csrf-token: Fetch`, keep token and cookies. */
  async fetchCsrfToken(service: string): Promise<SapODataFailure | undefined> {
    const state = this.state(service);
    const res = await this.request(`${this.serviceUrl(service)}?$format=json`, {
      method: "GET",
      headers: { ...this.options.headers, accept: "application/json", "x-csrf-token": "Fetch", ...this.cookieHeader(state) },
    });
    if (!(res instanceof Response)) return res;
    this.keepCookies(state, res);
    const token = res.headers.get("x-csrf-token");
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok && !token) return failureOf(res);
    if (!token || token.toLowerCase() === "required") {
      return { category: "technical", code: "CSRF-FETCH", message: `SAP answered the CSRF token fetch without a token (HTTP ${res.status})` };
    }
    state.token = token;
    return undefined;
  }

  /** GET an entity, entity set or navigation (`resource` relative to the service root). */
  async get<T>(service: string, resource: string, query: Record<string, string> = {}): Promise<SapODataResult<T>> {
    const url = new URL(`${this.serviceUrl(service)}${resource}`);
    url.searchParams.set("$format", "json");
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const state = this.state(service);
    const res = await this.request(url.href, { method: "GET", headers: { ...this.options.headers, accept: "application/json", ...this.cookieHeader(state) } });
    if (!(res instanceof Response)) return { ok: false, failure: res };
    this.keepCookies(state, res);
    if (!res.ok) return { ok: false, status: res.status, failure: await failureOf(res) };
    const body = (await res.json()) as { d?: T };
    return {
      ok: true,
      status: res.status,
      data: body.d as T,
      headers: res.headers,
      messages: parseSapMessageHeader(res.headers.get("sap-message")),
      replayed: false,
    };
  }

  /**
   * POST (create / deep insert) with the CSRF token; an expired token (403 Required) is fetched
   * again once and the request repeated with the same Idempotency-Key.
   */
  async create<T>(service: string, entitySet: string, body: unknown, options: { idempotencyKey?: string } = {}): Promise<SapODataResult<T>> {
    const state = this.state(service);
    if (!state.token) {
      const failure = await this.fetchCsrfToken(service);
      if (failure) return { ok: false, failure };
    }
    for (let attempt = 1; ; attempt += 1) {
      const res = await this.request(`${this.serviceUrl(service)}${entitySet}`, {
        method: "POST",
        headers: {
          ...this.options.headers,
          accept: "application/json",
          "content-type": "application/json",
          "x-csrf-token": state.token ?? "",
          ...this.cookieHeader(state),
          ...(options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {}),
        },
        body: JSON.stringify(body),
      });
      if (!(res instanceof Response)) return { ok: false, failure: res };
      this.keepCookies(state, res);
      if (res.status === 403 && res.headers.get("x-csrf-token")?.toLowerCase() === "required") {
        await res.arrayBuffer().catch(() => undefined);
        if (attempt > 1)
          return { ok: false, status: 403, failure: { category: "technical", code: "CSRF-403", message: "SAP refused the CSRF token again after a refetch" } };
        state.token = undefined;
        const failure = await this.fetchCsrfToken(service);
        if (failure) return { ok: false, failure };
        continue;
      }
      if (!res.ok) return { ok: false, status: res.status, failure: await failureOf(res) };
      const json = (await res.json()) as { d?: T };
      return {
        ok: true,
        status: res.status,
        data: json.d as T,
        headers: res.headers,
        messages: parseSapMessageHeader(res.headers.get("sap-message")),
        replayed: res.headers.get("idempotent-replayed") === "true",
      };
    }
  }
}
