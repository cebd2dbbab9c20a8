import type { ActualInput, Actual, ForecastVersion, PlannedOrder, VersionInput } from "./planning-state";
import type { ForecastImportPayload } from "./schema";
import type { UomMapping } from "./uom";

/**
 * Typed client of the planning engine's REST API (what the planning connector and the simulator use).
 * It does not retry. Failures are PlanningApiError with `category`: business (the engine refused: 4xx
 * problem details with its code, e.g. VERSION_SUPERSEDED, UOM_NOT_MAPPED, BUCKETS_OVERLAP) or technical
 * (5xx, timeout, dropped connection).
 */

export class PlanningApiError extends Error {
  override readonly name = "PlanningApiError";
  constructor(
    readonly category: "business" | "technical",
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface ReleaseAnswer {
  version: Omit<ForecastVersion, "buckets"> & { buckets: number };
  alreadyReleased: boolean;
  superseded?: string;
  payload: ForecastImportPayload;
}

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export class PlanningClient {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #fetch: FetchLike;

  constructor(baseUrl: string, options: { timeoutMs?: number; fetch?: FetchLike } = {}) {
    this.#base = `${baseUrl.replace(/\/+$/, "")}/planning/api/v1`;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async #json<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(this.#timeoutMs)]) : AbortSignal.timeout(this.#timeoutMs);
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    } catch (error) {
      const timeout = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new PlanningApiError(
        "technical",
        timeout ? "PLANNING_TIMEOUT" : "PLANNING_UNREACHABLE",
        timeout
          ? `No answer from the planning engine within ${this.#timeoutMs} ms`
          : `Planning engine unreachable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const text = await res.text().catch(() => "");
    if (!res.ok) {
      let problem: { code?: string; detail?: string } & Record<string, unknown> = {};
      try {
        problem = JSON.parse(text) as typeof problem;
      } catch {
        problem = {};
      }
      const category = res.status >= 500 || res.status === 429 ? "technical" : "business";
      throw new PlanningApiError(category, problem.code ?? `HTTP-${res.status}`, problem.detail ?? (text.slice(0, 500) || res.statusText), res.status, problem);
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new PlanningApiError(
        "technical",
        "PLANNING_BAD_ANSWER",
        `Unreadable answer: ${error instanceof Error ? error.message : String(error)}`,
        res.status,
      );
    }
  }

  createVersion(input: VersionInput, options?: RequestOptions): Promise<ForecastVersion> {
    return this.#json("POST", "/forecast-versions", input, options);
  }

  version(versionId: string): Promise<ForecastVersion> {
    return this.#json("GET", `/forecast-versions/${encodeURIComponent(versionId)}`);
  }

  replaceBuckets(versionId: string, buckets: VersionInput["buckets"], options?: RequestOptions): Promise<ForecastVersion> {
    return this.#json("PUT", `/forecast-versions/${encodeURIComponent(versionId)}/buckets`, { buckets }, options);
  }

  release(versionId: string, options?: RequestOptions): Promise<ReleaseAnswer> {
    return this.#json("POST", `/forecast-versions/${encodeURIComponent(versionId)}/release`, {}, options);
  }

  export(versionId: string): Promise<ForecastImportPayload> {
    return this.#json("GET", `/forecast-versions/${encodeURIComponent(versionId)}/export`);
  }

  async plannedOrders(filter: { plant?: string; version?: string; material?: string } = {}): Promise<PlannedOrder[]> {
    const query = new URLSearchParams(Object.entries(filter).filter((e): e is [string, string] => e[1] !== undefined)).toString();
    return (await this.#json<{ plannedOrders: PlannedOrder[] }>("GET", `/planned-orders${query ? `?${query}` : ""}`)).plannedOrders;
  }

  postActual(input: ActualInput, options?: RequestOptions): Promise<{ status: "created" | "updated" | "unchanged"; actual: Actual }> {
    return this.#json("POST", "/actuals", input, options);
  }

  async uomMappings(): Promise<{ planningUnits: Record<string, string>; mappings: UomMapping[] }> {
    return this.#json("GET", "/uom-mappings");
  }

  setUomMapping(planningUnit: string, erpUnit: string, plant?: string, options?: RequestOptions): Promise<{ mappings: UomMapping[] }> {
    const query = plant ? `?plant=${encodeURIComponent(plant)}` : "";
    return this.#json("PUT", `/uom-mappings/${encodeURIComponent(planningUnit)}${query}`, { erpUnit }, options);
  }

  removeUomMapping(planningUnit: string, plant?: string, options?: RequestOptions): Promise<{ mappings: UomMapping[] }> {
    const query = plant ? `?plant=${encodeURIComponent(plant)}` : "";
    return this.#json("DELETE", `/uom-mappings/${encodeURIComponent(planningUnit)}${query}`, undefined, options);
  }
}
