import type { EdiSyntax } from "./acknowledgments";
import type { AcknowledgmentAnswer, AsnStatus, PurchaseOrderInput, ShipAsnInput, Supplier, SupplierInput, Transmission } from "./portal-state";
import type { SupplierAsnPayload } from "./schema";
import type { Refusal } from "./x12";

/**
 * Typed client of the supplier portal (what the EDI connector and the simulator use). It does not
 * retry. Failures are EdiPortalError with `category`: business (the portal refused the content: 4xx
 * problem details, code from the portal) or technical (5xx, timeout, dropped connection, no answer).
 */

export class EdiPortalError extends Error {
  override readonly name = "EdiPortalError";
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

export interface AsnView {
  asn: SupplierAsnPayload;
  status: AsnStatus;
  checks: "enforce" | "skip";
  createdAt: string;
  refusals: Refusal[];
  transmissions: Transmission[];
}

export interface ShippedAsn extends AsnView {
  /** Control number of the interchange that carried it (ISA13 / GS06 / UNB 0020). */
  controlNumber: number;
  syntax: EdiSyntax;
}

export interface PurchaseOrderView extends Omit<PurchaseOrderInput, "lines"> {
  lines: (PurchaseOrderInput["lines"][number] & { shipped: number; open: number })[];
}

export interface InboundAnswer extends AcknowledgmentAnswer {
  /** The same interchange was received before: nothing was applied again. */
  duplicate: boolean;
}

export interface RequestOptions {
  idempotencyKey?: string;
  signal?: AbortSignal;
}

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export class EdiPortalClient {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #fetch: FetchLike;

  constructor(baseUrl: string, options: { timeoutMs?: number; fetch?: FetchLike } = {}) {
    this.#base = baseUrl.replace(/\/+$/, "");
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async #request(method: string, path: string, body: string | undefined, contentType: string | undefined, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {};
    if (contentType) headers["content-type"] = contentType;
    if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
    const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(this.#timeoutMs)]) : AbortSignal.timeout(this.#timeoutMs);
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}${path}`, { method, headers, body, signal });
    } catch (error) {
      const timeout = error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
      throw new EdiPortalError(
        "technical",
        timeout ? "PORTAL_TIMEOUT" : "PORTAL_UNREACHABLE",
        timeout
          ? `No answer from the supplier portal within ${this.#timeoutMs} ms`
          : `Supplier portal unreachable: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => "");
    let problem: { code?: string; detail?: string } & Record<string, unknown> = {};
    try {
      problem = JSON.parse(text) as typeof problem;
    } catch {
      problem = {};
    }
    const category = res.status >= 500 || res.status === 429 ? "technical" : "business";
    throw new EdiPortalError(category, problem.code ?? `HTTP-${res.status}`, problem.detail ?? (text.slice(0, 500) || res.statusText), res.status, problem);
  }

  async #json<T>(method: string, path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    const res = await this.#request(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      body === undefined ? undefined : "application/json",
      options,
    );
    try {
      return (await res.json()) as T;
    } catch (error) {
      throw new EdiPortalError("technical", "PORTAL_BAD_ANSWER", `Unreadable answer: ${error instanceof Error ? error.message : String(error)}`, res.status);
    }
  }

  createSupplier(input: SupplierInput, options?: RequestOptions): Promise<Supplier> {
    return this.#json("POST", "/portal/suppliers", input, options);
  }

  createPurchaseOrder(input: PurchaseOrderInput, options?: RequestOptions): Promise<PurchaseOrderInput & { lines: { shipped: number }[] }> {
    return this.#json("POST", "/portal/purchase-orders", input, options);
  }

  purchaseOrder(poNumber: string): Promise<PurchaseOrderView> {
    return this.#json("GET", `/portal/purchase-orders/${encodeURIComponent(poNumber)}`);
  }

  shipAsn(input: ShipAsnInput, options?: RequestOptions): Promise<ShippedAsn> {
    return this.#json("POST", "/portal/asns", input, options);
  }

  retransmit(asnNumber: string, options?: RequestOptions): Promise<ShippedAsn> {
    return this.#json("POST", `/portal/asns/${encodeURIComponent(asnNumber)}/retransmit`, {}, options);
  }

  asn(asnNumber: string): Promise<AsnView> {
    return this.#json("GET", `/portal/asns/${encodeURIComponent(asnNumber)}`);
  }

  /** The ASN's latest interchange as X12 856 or EDIFACT DESADV text (default: the supplier's syntax). */
  async asnEdi(asnNumber: string, syntax?: EdiSyntax): Promise<string> {
    const query = syntax ? `?syntax=${syntax}` : "";
    return (await this.#request("GET", `/portal/asns/${encodeURIComponent(asnNumber)}/edi${query}`, undefined, undefined)).text();
  }

  transmissions(after = 0, limit = 100): Promise<{ transmissions: Omit<Transmission, "acknowledgments">[] }> {
    return this.#json("GET", `/portal/transmissions?after=${after}&limit=${limit}`);
  }

  async interchange(controlNumber: number, syntax?: EdiSyntax): Promise<string> {
    const query = syntax ? `?syntax=${syntax}` : "";
    return (await this.#request("GET", `/portal/transmissions/${controlNumber}${query}`, undefined, undefined)).text();
  }

  /** Sends a 997, CONTRL, 824 or APERAK to the portal. */
  async sendEdi(text: string, options?: RequestOptions): Promise<InboundAnswer> {
    const contentType = text.trimStart().startsWith("ISA") ? "application/edi-x12" : "application/edifact";
    const res = await this.#request("POST", "/portal/edi/inbound", text, contentType, options);
    return (await res.json()) as InboundAnswer;
  }
}
