import { z } from "zod";

/**
 * Technical failures the MES emulator can be told to produce, one per request to its API (B2MML
 * and REST; not the /_emulator controls), in the order they were injected. Each fault applies to
 * `count` requests (Infinity: until cleared). Adapted from connectors/sap/faults.ts.
 *
 * - unavailable: HTTP 503 (application server down / in maintenance), with Retry-After when given;
 *   nothing is processed.
 * - hang: the answer comes `ms` later. phase "before" (default) waits before processing; "after"
 *   processes first, so a client that gives up has nevertheless changed the MES.
 * - close: the connection is dropped without an answer. phase "before" (default): nothing is
 *   processed; "after": processed, then dropped (the lost answer after applying).
 */

export const faultPhaseSchema = z.enum(["before", "after"]);
export type FaultPhase = z.infer<typeof faultPhaseSchema>;

export const mesFaultSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("unavailable"), retryAfterSeconds: z.number().int().min(0).optional() }).strict(),
  z.object({ kind: z.literal("hang"), ms: z.number().int().min(0).max(600_000), phase: faultPhaseSchema.optional() }).strict(),
  z.object({ kind: z.literal("close"), phase: faultPhaseSchema.optional() }).strict(),
]);
export type MesFault = z.infer<typeof mesFaultSchema>;

export interface PendingFault {
  readonly fault: MesFault;
  readonly remaining: number;
}

export class FaultQueue {
  private entries: { fault: MesFault; remaining: number }[] = [];

  add(fault: MesFault, count = 1): void {
    if (!(count >= 1)) throw new RangeError(`fault count must be at least 1 (got ${count})`);
    this.entries.push({ fault: mesFaultSchema.parse(fault), remaining: count });
  }

  /** The fault for the next request, if any. */
  take(): MesFault | undefined {
    const head = this.entries[0];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) this.entries.shift();
    return head.fault;
  }

  clear(): void {
    this.entries = [];
  }

  pending(): PendingFault[] {
    return this.entries.map((entry) => ({ ...entry }));
  }
}
