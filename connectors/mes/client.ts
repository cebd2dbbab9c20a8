import { type Acknowledgement, B2mmlError, type PerformanceRecord, parseAcknowledge, parseConfirmBod, parseProductionPerformances } from "./b2mml";
import { bodIdFor, prodordReleaseToB2mml } from "./release";
import type { ProdordRelease } from "./schema";
import type { MesConfirmation, MesOrderView } from "./state";

/**
 * A small typed client of the MES (what the connector uses): B2MML production schedules in, the
 * ProductionPerformance feed out, and the MES's REST view of orders. Failures are thrown as
 * MesClientError with `{ category, code, message }`: refusals by the MES (ConfirmBOD, 4xx) are
 * business; 5xx, timeouts, refused or dropped connections are technical.
 */

export type MesErrorCategory = "business" | "technical";

export class MesClientError extends Error {
  constructor(
    readonly category: MesErrorCategory,
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "MesClientError";
  }
}

export interface MesRequestOptions {
  idempotencyKey?: string;
  /** Validate only (X-Dry-Run: true): the MES checks against its real orders and keeps nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

export interface ScheduleAnswer {
  acknowledgement: Acknowledgement;
  xml: string;
  /** The MES answered from its idempotency store (the message had been applied before). */
  replayed: boolean;
}

export interface MesClient {
  /** Sends a Process/ChangeProductionSchedule BOD as it is. */
  sendSchedule(xml: string, options?: MesRequestOptions): Promise<ScheduleAnswer>;
  /** Converts the PRODORD_RELEASE payload to B2MML (BODID derived from the key) and sends it. */
  releaseOrder(order: ProdordRelease, options?: MesRequestOptions & { sender?: string }): Promise<ScheduleAnswer>;
  order(orderNumber: string, options?: MesRequestOptions): Promise<MesOrderView>;
  confirm(
    orderNumber: string,
    operation: string,
    input: { yield: number; scrap?: number; start?: string; end?: string; final?: boolean },
    options?: MesRequestOptions,
  ): Promise<{ confirmation: MesConfirmation; performanceId: string; order: MesOrderView }>;
  closeOrder(orderNumber: string, options?: MesRequestOptions): Promise<MesOrderView>;
  /** The confirmation feed after sequence `after`; `next` is the cursor for the following call. */
  performances(after?: number, options?: MesRequestOptions & { limit?: number }): Promise<{ records: PerformanceRecord[]; xml: string; next: number }>;
  performance(performanceId: string, options?: MesRequestOptions): Promise<{ record: PerformanceRecord; xml: string }>;
}

export function createMesClient(baseUrl: string, clientOptions: { timeoutMs?: number } = {}): MesClient {
  const timeoutMs = clientOptions.timeoutMs ?? 30_000;

  async function call(method: string, path: string, init: { body?: string; contentType?: string } & MesRequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (init.contentType) headers["content-type"] = init.contentType;
    if (init.idempotencyKey) headers["idempotency-key"] = init.idempotencyKey;
    if (init.dryRun) headers["x-dry-run"] = "true";
    const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, { method, headers, body: init.body, signal });
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError" || name === "AbortError")
        throw new MesClientError("technical", "MES-TIMEOUT", `No answer from the MES within ${timeoutMs} ms (${method} ${path})`);
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      throw new MesClientError("technical", "MES-UNREACHABLE", `MES not reachable (${method} ${path})${cause}`);
    }
    if (response.ok) return response;
    throw await errorOf(response);
  }

  async function readText(response: Response): Promise<string> {
    try {
      return await response.text();
    } catch {
      throw new MesClientError("technical", "MES-CONNECTION-LOST", "The connection to the MES was lost while reading its answer");
    }
  }

  async function errorOf(response: Response): Promise<MesClientError> {
    const text = await readText(response).catch(() => "");
    const category: MesErrorCategory = response.status >= 500 || response.status === 429 || response.status === 408 ? "technical" : "business";
    if (text.trimStart().startsWith("<")) {
      try {
        const rejection = parseConfirmBod(text);
        return new MesClientError(category, rejection.code || `HTTP-${response.status}`, rejection.message, response.status, {
          errors: rejection.errors,
          originalBodId: rejection.originalBodId,
        });
      } catch {
        // not a ConfirmBOD: fall through
      }
    }
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (body.error?.code) return new MesClientError(category, body.error.code, body.error.message ?? "", response.status);
    } catch {
      // not JSON
    }
    return new MesClientError(category, `HTTP-${response.status}`, text.slice(0, 1000) || response.statusText, response.status);
  }

  function parseOrTechnical<T>(parse: () => T, what: string): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof B2mmlError)
        throw new MesClientError("technical", "MES-BAD-ANSWER", `The MES answered something that is not ${what}: ${error.message}`);
      throw error;
    }
  }

  const client: MesClient = {
    async sendSchedule(xml, options = {}) {
      const response = await call("POST", "/mes/b2mml/production-schedule", { ...options, body: xml, contentType: "application/xml" });
      const text = await readText(response);
      return {
        acknowledgement: parseOrTechnical(() => parseAcknowledge(text), "an AcknowledgeProductionSchedule"),
        xml: text,
        replayed: response.headers.get("idempotent-replayed") === "true",
      };
    },
    releaseOrder(order, options = {}) {
      const bodId = bodIdFor(options.idempotencyKey ?? crypto.randomUUID());
      return client.sendSchedule(prodordReleaseToB2mml(order, { bodId, sender: options.sender }), options);
    },
    async order(orderNumber, options = {}) {
      return (await (await call("GET", `/mes/api/orders/${encodeURIComponent(orderNumber)}`, options)).json()) as MesOrderView;
    },
    async confirm(orderNumber, operation, input, options = {}) {
      const path = `/mes/api/orders/${encodeURIComponent(orderNumber)}/operations/${encodeURIComponent(operation)}/confirmations`;
      const response = await call("POST", path, { ...options, body: JSON.stringify(input), contentType: "application/json" });
      return (await response.json()) as { confirmation: MesConfirmation; performanceId: string; order: MesOrderView };
    },
    async closeOrder(orderNumber, options = {}) {
      const response = await call("POST", `/mes/api/orders/${encodeURIComponent(orderNumber)}/close`, options);
      return ((await response.json()) as { order: MesOrderView }).order;
    },
    async performances(after = 0, options = {}) {
      const query = new URLSearchParams({ after: String(after), ...(options.limit ? { limit: String(options.limit) } : {}) });
      const response = await call("GET", `/mes/b2mml/production-performance?${query}`, options);
      const xml = await readText(response);
      const records = parseOrTechnical(() => parseProductionPerformances(xml), "a ShowProductionPerformance");
      const next = Number(response.headers.get("x-mes-next-after") ?? after);
      return { records, xml, next: Number.isInteger(next) ? next : after };
    },
    async performance(performanceId, options = {}) {
      const response = await call("GET", `/mes/b2mml/production-performance/${encodeURIComponent(performanceId)}`, options);
      const xml = await readText(response);
      const record = parseOrTechnical(() => parseProductionPerformances(xml), "a ShowProductionPerformance")[0];
      if (!record) throw new MesClientError("technical", "MES-BAD-ANSWER", `The MES answered no ProductionPerformance for ${performanceId}`);
      return { record, xml };
    },
  };
  return client;
}
