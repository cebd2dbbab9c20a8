import { randomUUID } from "node:crypto";
import { INGEST_LIMITS, ingestEventSchema, type IngestEvent, type IngestEventInput, type IngestRefs } from "../../server/ingest/schema";

/**
 * Typed references of the business objects an event concerns (`refs` on the event): material, BOM + revision,
 * production order + operation, lot, PO + line, ASN, work order, inspection lot, invoice, forecast version.
 * Optional, beside `businessKey` (which stays). Send the same number for the same object from every system of
 * a plant: Andon traces a lot, an order or a PO across interfaces with them (/trace/lot/<lot>).
 */
export type EventRefs = IngestRefs;

export interface EventIssue {
  path: string;
  message: string;
}

/** Thrown by send() for input the portal would refuse: a bug in the caller, found before it is journaled. */
export class InvalidEventError extends Error {
  constructor(
    /** Position of the offending event in the array given to send() (0 for a single event). */
    readonly index: number,
    readonly eventId: string | null,
    readonly issues: readonly EventIssue[],
  ) {
    super(`invalid ingest event at index ${index}${eventId ? ` (${eventId})` : ""}: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`);
    this.name = "InvalidEventError";
  }
}

/**
 * A fresh event id. Call it once when the event is created and keep it: a retry of the same event
 * (by the caller, after a crash, ...) must carry the same id or the portal counts it twice.
 */
export function newEventId(): string {
  return randomUUID();
}

/**
 * Validates with the contract schema and the size limits the portal enforces. All or nothing: one
 * invalid event and none of the batch is accepted, so callers never have to guess which part was.
 */
export function validateEvents(input: readonly IngestEventInput[]): IngestEvent[] {
  return input.map((raw, index) => {
    const parsed = ingestEventSchema.safeParse(raw);
    const eventId = typeof raw === "object" && raw !== null && typeof raw.eventId === "string" ? raw.eventId : null;
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
      throw new InvalidEventError(index, eventId, issues);
    }
    const event = parsed.data;
    const payloadBytes = jsonBytes(event.payload ?? null);
    const eventBytes = jsonBytes(event);
    if (payloadBytes === null || eventBytes === null) {
      throw new InvalidEventError(index, eventId, [{ path: "payload", message: "the event must be JSON-serializable" }]);
    }
    if (payloadBytes > INGEST_LIMITS.maxPayloadBytes) {
      throw new InvalidEventError(index, eventId, [
        { path: "payload", message: `payload is ${payloadBytes} bytes as JSON, the limit is ${INGEST_LIMITS.maxPayloadBytes}` },
      ]);
    }
    // error.details is unbounded in the schema; an event that cannot fit in a request could never leave.
    if (eventBytes > INGEST_LIMITS.maxRequestBytes / 2) {
      throw new InvalidEventError(index, eventId, [
        { path: "", message: `event is ${eventBytes} bytes as JSON, more than half the request limit of ${INGEST_LIMITS.maxRequestBytes}` },
      ]);
    }
    return event;
  });
}

function jsonBytes(value: unknown): number | null {
  try {
    const text = JSON.stringify(value);
    return typeof text === "string" ? Buffer.byteLength(text) : null;
  } catch {
    return null; // BigInt, cycles
  }
}
