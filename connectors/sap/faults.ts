import { z } from "zod";

/**
 * Technical failures the emulator can be told to produce, one per inbound request, in the order
 * they were injected. Each fault applies to `count` requests (Infinity: until cleared).
 *
 * - unavailable: HTTP 503 Service Unavailable (ICM/Web Dispatcher without a free work process),
 *   with Retry-After when given; nothing is processed.
 * - hang: the answer comes `ms` later. phase "before" (default) waits before processing; "after"
 *   processes first, so a client that times out has nevertheless posted (the case idempotent
 *   replays exist for).
 * - close: the connection is dropped without an answer. phase "before" (default): nothing is
 *   processed; "after": processed, then dropped.
 * - status02: the IDoc does not reach the application; the answer carries one status record 02
 *   ("Error passing data to port"). Nothing is processed and the Idempotency-Key stays unused.
 */

export const faultPhaseSchema = z.enum(["before", "after"]);
export type FaultPhase = z.infer<typeof faultPhaseSchema>;

export const sapFaultSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("unavailable"), retryAfterSeconds: z.number().int().min(0).optional() }).strict(),
  z.object({ kind: z.literal("hang"), ms: z.number().int().min(0).max(600_000), phase: faultPhaseSchema.optional() }).strict(),
  z.object({ kind: z.literal("close"), phase: faultPhaseSchema.optional() }).strict(),
  z.object({ kind: z.literal("status02"), text: z.string().min(1).max(255).optional() }).strict(),
]);
export type SapFault = z.infer<typeof sapFaultSchema>;

export interface PendingFault {
  readonly fault: SapFault;
  readonly remaining: number;
}

export class FaultQueue {
  private entries: { fault: SapFault; remaining: number }[] = [];

  add(fault: SapFault, count = 1): void {
    if (!(count >= 1)) throw new RangeError(`fault count must be at least 1 (got ${count})`);
    this.entries.push({ fault: sapFaultSchema.parse(fault), remaining: count });
  }

  /** The fault for the next request, if any. */
  take(): SapFault | undefined {
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
