import { z } from "zod";

/**
 * Technical failures the emulator can be told to produce, one per API request (not the
 * `/_emulator/` controls), in the order they were injected. Each fault applies to `count` requests
 * (Infinity: until cleared). Adapted from connectors/sap/faults.ts.
 *
 * - unavailable: HTTP 503 Service Unavailable (problem+json), with Retry-After when given; nothing
 *   is processed and an Idempotency-Key stays unused.
 * - hang: the answer comes `ms` later. phase "before" (default) waits before processing (the
 *   request is still processed if the client gave up meanwhile); "after" processes first, so a
 *   client that times out has nevertheless changed the system's state.
 * - close: the connection is dropped without an answer. phase "before" (default): nothing is
 *   processed; "after": processed (and the answer stored under the Idempotency-Key), then dropped —
 *   the lost answer after applying that idempotent replays exist for.
 */

export const faultPhaseSchema = z.enum(["before", "after"]);
export type FaultPhase = z.infer<typeof faultPhaseSchema>;

export const emulatorFaultSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("unavailable"), retryAfterSeconds: z.number().int().min(0).optional() }).strict(),
  z.object({ kind: z.literal("hang"), ms: z.number().int().min(0).max(600_000), phase: faultPhaseSchema.optional() }).strict(),
  z.object({ kind: z.literal("close"), phase: faultPhaseSchema.optional() }).strict(),
]);
export type EmulatorFault = z.infer<typeof emulatorFaultSchema>;

export interface PendingFault {
  readonly fault: EmulatorFault;
  readonly remaining: number;
}

export class FaultQueue {
  private entries: { fault: EmulatorFault; remaining: number }[] = [];

  add(fault: EmulatorFault, count = 1): void {
    if (!(count >= 1)) throw new RangeError(`fault count must be at least 1 (got ${count})`);
    this.entries.push({ fault: emulatorFaultSchema.parse(fault), remaining: count });
  }

  /** The fault for the next request, if any. */
  take(): EmulatorFault | undefined {
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

/** The controls every emulator offers (`emulator.faults`). */
export interface FaultControls {
  add(fault: EmulatorFault, count?: number): void;
  /** The next `count` requests get HTTP 503. */
  unavailable(count?: number, retryAfterSeconds?: number): void;
  /** The next `count` requests are answered `ms` late. */
  hang(ms: number, options?: { count?: number; phase?: FaultPhase }): void;
  /** The next `count` requests lose their connection without an answer. */
  dropConnection(options?: { count?: number; phase?: FaultPhase }): void;
  clear(): void;
  pending(): PendingFault[];
}

export function faultControls(queue: FaultQueue): FaultControls {
  return {
    add: (fault, count) => queue.add(fault, count),
    unavailable: (count = 1, retryAfterSeconds) => queue.add({ kind: "unavailable", retryAfterSeconds }, count),
    hang: (ms, { count = 1, phase } = {}) => queue.add({ kind: "hang", ms, phase }, count),
    dropConnection: ({ count = 1, phase } = {}) => queue.add({ kind: "close", phase }, count),
    clear: () => queue.clear(),
    pending: () => queue.pending(),
  };
}
