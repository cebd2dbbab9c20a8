import type { AffectedBom, BomRelease, EcoCreate, PartCreate } from "./schema";
import type { BomRevision, Eco, Part } from "./state";

/**
 * A small typed client of the PLM's REST API (what the connector and the simulator use). Failures
 * are thrown as PlmClientError `{ category, code, message }`: problem details with 4xx are business
 * (the PLM refused the content or the state), 5xx, timeouts and lost connections technical.
 */

export type PlmErrorCategory = "business" | "technical";

export class PlmClientError extends Error {
  constructor(
    readonly category: PlmErrorCategory,
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly errors: readonly { code: string; message: string; field?: string }[] = [],
  ) {
    super(message);
    this.name = "PlmClientError";
  }
}

export interface PlmRequestOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export type RevisionView = Omit<BomRevision, "effectiveTo"> & { effectiveTo: string | null };

export interface Effectivity {
  material: string;
  revision: string;
  date: string;
  state: "IN_WORK" | "RELEASED";
  effective: boolean;
  reason: "NOT_RELEASED" | "NOT_YET_EFFECTIVE" | "EXPIRED" | null;
  effectiveFrom: string;
  effectiveTo: string | null;
  effectiveRevisionOnDate: string | null;
}

export interface ReleaseResult {
  eco: Eco;
  releasedRevisions: RevisionView[];
  bomReleases: BomRelease[];
}

export interface PlmClient {
  part(number: string, options?: PlmRequestOptions): Promise<Part>;
  createPart(part: PartCreate, options?: PlmRequestOptions): Promise<Part>;
  revisions(material: string, options?: PlmRequestOptions): Promise<RevisionView[]>;
  revision(material: string, revision: string, options?: PlmRequestOptions): Promise<RevisionView>;
  /** The released revision effective on the date (default: the PLM's today); PlmClientError NO_EFFECTIVE_REVISION otherwise. */
  effectiveRevision(material: string, date?: string, options?: PlmRequestOptions): Promise<RevisionView & { date: string }>;
  /** Is this revision effective on the date? (scenario 2: a revision not yet effective). */
  effectivity(material: string, revision: string, date?: string, options?: PlmRequestOptions): Promise<Effectivity>;
  eco(number: string, options?: PlmRequestOptions): Promise<Eco>;
  createEco(eco: EcoCreate, options?: PlmRequestOptions): Promise<Eco>;
  updateEco(number: string, patch: { title?: string; description?: string; affectedBoms?: AffectedBom[] }, options?: PlmRequestOptions): Promise<Eco>;
  approveEco(number: string, approver?: string, options?: PlmRequestOptions): Promise<Eco>;
  releaseEco(number: string, options?: PlmRequestOptions): Promise<ReleaseResult>;
  /** Released revisions as BOM_RELEASE payloads after feed position `after`. */
  bomReleases(after?: number, options?: PlmRequestOptions & { limit?: number }): Promise<{ items: { sequence: number; payload: BomRelease }[]; next: number }>;
}

export function createPlmClient(baseUrl: string, clientOptions: { timeoutMs?: number } = {}): PlmClient {
  const timeoutMs = clientOptions.timeoutMs ?? 30_000;
  const api = `${baseUrl}/plm/api/v1`;
  const enc = encodeURIComponent;

  async function call<T>(method: string, path: string, body?: unknown, options: PlmRequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${api}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
      text = await response.text();
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      if (name === "TimeoutError" || name === "AbortError")
        throw new PlmClientError("technical", "PLM-TIMEOUT", `No answer from the PLM within ${timeoutMs} ms (${method} ${path})`);
      const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
      throw new PlmClientError("technical", "PLM-UNREACHABLE", `PLM not reachable (${method} ${path})${cause}`);
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.ok) {
      if (parsed === undefined) throw new PlmClientError("technical", "PLM-BAD-ANSWER", `The PLM answered ${response.status} without JSON`);
      return parsed as T;
    }
    const category: PlmErrorCategory = response.status >= 500 || response.status === 429 || response.status === 408 ? "technical" : "business";
    const details = (parsed ?? {}) as { code?: string; detail?: string; title?: string; errors?: { code: string; message: string; field?: string }[] };
    throw new PlmClientError(
      category,
      details.code ?? `HTTP-${response.status}`,
      details.detail ?? details.title ?? text.slice(0, 500),
      response.status,
      details.errors ?? [],
    );
  }

  const dateQuery = (date: string | undefined) => (date ? `?date=${enc(date)}` : "");

  return {
    part: (number, options) => call("GET", `/parts/${enc(number)}`, undefined, options),
    createPart: (part, options) => call("POST", "/parts", part, options),
    revisions: async (material, options) =>
      (await call<{ revisions: RevisionView[] }>("GET", `/boms/${enc(material)}/revisions`, undefined, options)).revisions,
    revision: (material, revision, options) => call("GET", `/boms/${enc(material)}/revisions/${enc(revision)}`, undefined, options),
    effectiveRevision: (material, date, options) => call("GET", `/boms/${enc(material)}/effective${dateQuery(date)}`, undefined, options),
    effectivity: (material, revision, date, options) =>
      call("GET", `/boms/${enc(material)}/revisions/${enc(revision)}/effectivity${dateQuery(date)}`, undefined, options),
    eco: (number, options) => call("GET", `/ecos/${enc(number)}`, undefined, options),
    createEco: (eco, options) => call("POST", "/ecos", eco, options),
    updateEco: (number, patch, options) => call("PATCH", `/ecos/${enc(number)}`, patch, options),
    approveEco: (number, approver, options) => call("POST", `/ecos/${enc(number)}/approve`, approver ? { approver } : {}, options),
    releaseEco: (number, options) => call("POST", `/ecos/${enc(number)}/release`, {}, options),
    bomReleases: (after = 0, options = {}) =>
      call("GET", `/bom-releases?after=${after}${options.limit ? `&limit=${options.limit}` : ""}`, undefined, { signal: options.signal }),
  };
}
