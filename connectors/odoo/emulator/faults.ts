/**
 * Technical failures on demand: what the reverse proxy or the network in front of a real Odoo
 * produce (503 while Odoo restarts, 429 from a rate limiter, a hung worker, a dropped connection).
 * Faults are consumed one per HTTP request, in the order they were registered.
 */
import { STATUS_CODES } from "node:http";
import { z } from "zod";

export type FaultPhase = "before" | "after";

export type InjectedFailure =
  /** An HTTP error page instead of a JSON-RPC answer. */
  | { readonly kind: "http"; readonly status: number; readonly retryAfterSeconds?: number }
  /**
   * The connection is closed without an answer (client sees a reset / "other side closed").
   * phase "before" (default): nothing is processed; "after": the call is processed (and applied),
   * then the answer is lost.
   */
  | { readonly kind: "reset"; readonly phase?: FaultPhase };

/**
 * A slow Odoo. phase "before" (default): the request waits `ms`, then is processed and answered
 * (it is applied even if the client gave up); "after": processed at once, answered `ms` later.
 */
export type InjectedDelay = { readonly kind: "hang"; readonly ms: number; readonly phase?: FaultPhase };

/** The fault vocabulary shared by Andon's emulators (connectors/sap/faults.ts), for `add()`. */
export type EmulatorFault =
  | { readonly kind: "unavailable"; readonly retryAfterSeconds?: number }
  | { readonly kind: "rateLimit"; readonly retryAfterSeconds?: number }
  | { readonly kind: "hang"; readonly ms: number; readonly phase?: FaultPhase }
  | { readonly kind: "close"; readonly phase?: FaultPhase };

/** No fault: the request is served normally (lets a fault hit a later request of a sequence). */
export type NoFault = { readonly kind: "pass" };

export type Fault = InjectedFailure | InjectedDelay | NoFault;

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
  hang(ms: number, options?: { times?: number; phase?: FaultPhase }): void;
  /** Make the next `count` requests fail (default: HTTP 503). */
  failNext(count: number, failure?: InjectedFailure): void;
  /**
   * Process the next `times` requests (default 1), then drop the connection: a lost answer after
   * applying. `skip` requests are served normally first (to hit one call of a sequence).
   */
  dropAfterApplying(times?: number, options?: { skip?: number }): void;
  /** A fault in the shared emulator vocabulary, for the next `count` requests (default 1). */
  add(fault: EmulatorFault, count?: number): void;
  /** Back to normal service. */
  clear(): void;
  pending(): readonly PendingFault[];
}

const timesSchema = z.union([z.number().int().positive(), z.literal(Number.POSITIVE_INFINITY)]).default(Number.POSITIVE_INFINITY);
const secondsSchema = z.number().int().nonnegative();
const phaseSchema = z.enum(["before", "after"]).optional();
const failureSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("http"), status: z.number().int().min(400).max(599), retryAfterSeconds: secondsSchema.optional() }),
  z.object({ kind: z.literal("reset"), phase: phaseSchema }),
]);
export const emulatorFaultSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("unavailable"), retryAfterSeconds: secondsSchema.optional() }).strict(),
  z.object({ kind: z.literal("rateLimit"), retryAfterSeconds: secondsSchema.optional() }).strict(),
  z.object({ kind: z.literal("hang"), ms: z.number().int().min(0).max(600_000), phase: phaseSchema }).strict(),
  z.object({ kind: z.literal("close"), phase: phaseSchema }).strict(),
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

  hang(ms: number, options: { times?: number; phase?: FaultPhase } = {}): void {
    this.#add({ kind: "hang", ms: z.number().int().nonnegative().parse(ms), ...(options.phase ? { phase: options.phase } : {}) }, options.times);
  }

  dropAfterApplying(times = 1, options: { skip?: number } = {}): void {
    const skip = z
      .number()
      .int()
      .nonnegative()
      .parse(options.skip ?? 0);
    if (skip > 0) this.#add({ kind: "pass" }, skip);
    this.#add({ kind: "reset", phase: "after" }, z.number().int().positive().parse(times));
  }

  add(fault: EmulatorFault, count = 1): void {
    const parsed = emulatorFaultSchema.parse(fault);
    const times = z.number().int().positive().or(z.literal(Number.POSITIVE_INFINITY)).parse(count);
    switch (parsed.kind) {
      case "unavailable":
        this.#add({ kind: "http", status: 503, ...(parsed.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: parsed.retryAfterSeconds }) }, times);
        break;
      case "rateLimit":
        this.#add({ kind: "http", status: 429, retryAfterSeconds: parsed.retryAfterSeconds ?? 1 }, times);
        break;
      case "hang":
        this.#add({ kind: "hang", ms: parsed.ms, ...(parsed.phase ? { phase: parsed.phase } : {}) }, times);
        break;
      case "close":
        this.#add({ kind: "reset", ...(parsed.phase ? { phase: parsed.phase } : {}) }, times);
        break;
    }
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
    return rule.fault.kind === "pass" ? undefined : rule.fault;
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
