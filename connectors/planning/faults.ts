import { z } from "zod";

/**
 * Technical failures the planning emulator can be told to produce, one per request (not the /_emulator/
 * controls), in the order they were injected; each applies to `count` requests (Infinity: until cleared).
 * Adapted from connectors/sap/faults.ts.
 *
 * - unavailable: HTTP 503 with Retry-After when given; nothing is processed.
 * - hang: the answer comes `ms` later. phase "before" (default) waits before processing; "after"
 *   processes first, so a client that gave up has nevertheless been applied.
 * - close: the connection is dropped without an answer. phase "before" (default): nothing is
 *   processed; "after": processed, then dropped (the lost answer after applying).
 */

export const faultPhaseSchema = z.enum(["before", "after"]);
export type FaultPhase = z.infer<typeof faultPhaseSchema>;

export const planningFaultSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("unavailable"), retryAfterSeconds: z.number().int().min(0).optional() }).strict(),
  z.object({ kind: z.literal("hang"), ms: z.number().int().min(0).max(600_000), phase: faultPhaseSchema.optional() }).strict(),
  z.object({ kind: z.literal("close"), phase: faultPhaseSchema.optional() }).strict(),
]);
export type PlanningFault = z.infer<typeof planningFaultSchema>;

export interface PendingFault {
  readonly fault: PlanningFault;
  readonly remaining: number;
}

export class FaultQueue {
  private entries: { fault: PlanningFault; remaining: number }[] = [];

  add(fault: PlanningFault, count = 1): void {
    if (!(count >= 1)) throw new RangeError(`fault count must be at least 1 (got ${count})`);
    this.entries.push({ fault: planningFaultSchema.parse(fault), remaining: count });
  }

  /** The fault for the next request, if any. */
  take(): PlanningFault | undefined {
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
