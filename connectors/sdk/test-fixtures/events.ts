import type { IngestEventInput } from "../../../server/ingest/schema";

/** A valid telemetry event; `n` makes ids and business keys distinct and recognisable. */
export function makeEvent(eventId: string, overrides: Partial<IngestEventInput> = {}): IngestEventInput {
  return {
    eventId,
    correlationId: `corr-${eventId}`,
    messageId: `msg-${eventId}`,
    interface: "GOODS_MOVEMENT",
    hop: { source: "MES", target: "SAP_ERP" },
    businessKey: `ORDER-${eventId}`,
    occurredAt: new Date().toISOString(),
    outcome: "delivered",
    latencyMs: 42,
    ...overrides,
  };
}

export function makeEvents(prefix: string, count: number): IngestEventInput[] {
  return Array.from({ length: count }, (_, i) => makeEvent(`${prefix}-${String(i).padStart(4, "0")}`));
}
