/**
 * Technical failures on demand: what the reverse proxy or the network in front of a real Odoo
 * produce (503 while Odoo restarts, 429 from a rate limiter, a hung worker, a dropped connection).
 * Faults are consumed one per HTTP request, in the order they were registered.
 */
import { STATUS_CODES } from "node:http";
import { z } from "zod";

export type InjectedFailure =
  /** An HTTP error page instead of a JSON-RPC answer. */
  | { readonly kind: "http"; readonly status: number; readonly retryAfterSeconds?: number }
  /** The connection is closed without an answer (client sees a reset / "other side closed"). */
  | { readonly kind: "reset" };

/** A slow Odoo: the request waits `ms`, then is processed and answered normally (it is applied!). */
export type InjectedDelay = { readonly kind: "hang"; readonly ms: number };

export type Fault = InjectedFailure | InjectedDelay;

export interface PendingFault {
  readonly fault: Fault;
  /** Requests this fault still applies to (Infinity until cleared). */
  readonly remaining: number;
}

export interface OdooEmulatorFaults {
  /** Answer HTTP 503 (optionally with Retry-After) to every request, or to the next `times`. */
  unavailable(options?: { times?: number; retryAfterSeconds?: number }): void;
  /** Answer HTTP 429 with `Retry-After` (default 1 s) to every request, or to the next `times`. */
  rateLimit(options?: { retryAfterSeconds?: number; times?: number }): void;
  /** Hold every request (or the next `times`) for `ms` before processing it. */
  hang(ms: number, options?: { times?: number }): void;
  /** Make the next `count` requests fail (default: HTTP 503). */
  failNext(count: number, failure?: InjectedFailure): void;
  /** Back to normal service. */
  clear(): void;
  pending(): readonly PendingFault[];
}

const timesSchema = z.union([z.number().int().positive(), z.literal(Number.POSITIVE_INFINITY)]).default(Number.POSITIVE_INFINITY);
const secondsSchema = z.number().int().nonnegative();
const failureSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("http"), status: z.number().int().min(400).max(599), retryAfterSeconds: secondsSchema.optional() }),
  z.object({ kind: z.literal("reset") }),
]);

export class FaultController implements OdooEmulatorFaults {
  #rules: Array<{ fault: Fault; remaining: number }> = [];

  unavailable(options: { times?: number; retryAfterSeconds?: number } = {}): void {
    const retryAfterSeconds = secondsSchema.optional().parse(options.retryAfterSeconds);
    this.#add({ kind: "http", status: 503, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) }, options.times);
  }

  rateLimit(options: { retryAfterSeconds?: number; times?: number } = {}): void {
    this.#add({ kind: "http", status: 429, retryAfterSeconds: secondsSchema.parse(options.retryAfterSeconds ?? 1) }, options.times);
  }

  hang(ms: number, options: { times?: number } = {}): void {
    this.#add({ kind: "hang", ms: z.number().int().nonnegative().parse(ms) }, options.times);
  }

  failNext(count: number, failure: InjectedFailure = { kind: "http", status: 503 }): void {
    this.#add(failureSchema.parse(failure), z.number().int().positive().parse(count));
  }

  clear(): void {
    this.#rules = [];
  }

  pending(): readonly PendingFault[] {
    return this.#rules.map((rule) => ({ ...rule }));
  }

  /** The fault for the request being served, consuming one use of it. */
  take(): Fault | undefined {
    const rule = this.#rules[0];
    if (!rule) return undefined;
    rule.remaining -= 1;
    if (rule.remaining <= 0) this.#rules.shift();
    return rule.fault;
  }

  #add(fault: Fault, times: number | undefined): void {
    this.#rules.push({ fault, remaining: timesSchema.parse(times) });
  }
}

/** The HTML error page nginx sends for `status`. */
export function proxyErrorPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? "Error"}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}
