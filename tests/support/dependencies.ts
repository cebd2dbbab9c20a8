import { randomUUID } from "node:crypto";
import { db } from "../../server/db";
import type { RefKind, SystemKind } from "../../server/db/generated/enums";
import { ingestEvents } from "../../server/ingest/ingest-events";

/**
 * Failures reported through the real ingest (ingestEvents: the route's validation and store), and the
 * typed references of their messages written to business_ref as the ingest does once it carries them
 * (helper "trace", issue 20): for the dependency tests.
 */
export type Failure = { exceptionId: string; messageId: string; transactionId: string };

export async function reportFailure(input: {
  plant: string;
  iface: string;
  source: SystemKind;
  target: SystemKind;
  category: "technical" | "business";
  payload: unknown;
  refs?: [RefKind, string][];
  occurredAt?: Date;
  messageId?: string;
}): Promise<Failure> {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: input.plant }, system: { kind: input.source } } });
  const messageId = input.messageId ?? `DEP-${input.iface}-${randomUUID().slice(0, 8)}`;
  const res = await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: input.plant }, [
    {
      ok: true,
      value: {
        eventId: randomUUID(),
        correlationId: randomUUID(),
        messageId,
        interface: input.iface,
        hop: { source: input.source, target: input.target },
        occurredAt: (input.occurredAt ?? new Date()).toISOString(),
        outcome: "failed",
        latencyMs: 300,
        attempt: 1,
        payload: input.payload,
        error:
          input.category === "technical"
            ? { category: "technical", code: "HTTP-503", message: "Target unavailable" }
            : { category: "business", code: "M7/021", message: "Deficit of BA Unrestricted-use" },
      },
    },
  ]);
  if (res.rejected.length) throw new Error(JSON.stringify(res.rejected));
  const e = await db().exception.findFirstOrThrow({ where: { transaction: { messageId, plant: { code: input.plant } } }, orderBy: { createdAt: "desc" } });
  for (const [kind, value] of input.refs ?? []) await addRef(e.id, kind, value);
  return { exceptionId: e.id, messageId, transactionId: e.transactionId };
}

export async function addRef(exceptionId: string, kind: RefKind, value: string, qualifier = ""): Promise<void> {
  const e = await db().exception.findUniqueOrThrow({ where: { id: exceptionId } });
  await db().businessRef.create({
    data: { transactionId: e.transactionId, kind, value, qualifier, plantId: e.plantId, interfaceId: e.interfaceId, firstSeenAt: e.firstSeenAt },
  });
}

/** The source delivered the message after all ("recovered at source"): ingest resolves its exception. */
export async function reportDelivered(plant: string, iface: string, source: SystemKind, target: SystemKind, messageId: string): Promise<void> {
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: plant }, system: { kind: source } } });
  await ingestEvents({ connectorId: c.id, connectorName: c.name, plantId: c.plantId, plantCode: plant }, [
    {
      ok: true,
      value: {
        eventId: randomUUID(),
        correlationId: randomUUID(),
        messageId,
        interface: iface,
        hop: { source, target },
        occurredAt: new Date().toISOString(),
        outcome: "delivered",
        latencyMs: 100,
        attempt: 2,
      },
    },
  ]);
}

/** Polls until `check` holds or the time is up (no fixed sleeps). */
export async function until<T>(read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (check(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
