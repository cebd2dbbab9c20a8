import type { ConnectorPrincipal } from "../connectors/keys";
import { AppError } from "../http/errors";
import { logger } from "../log";
import { publishPlantChanges } from "../realtime/live";
import type { RawItem } from "./body";
import { interfaceCatalog } from "./catalog";
import { INGEST_LIMITS, type IngestResult, ingestEventSchema } from "./schema";
import { type ValidEvent, storeBatch } from "./store";

const log = logger("ingest");

type Rejection = IngestResult["rejected"][number];

/**
 * Validates each item on its own (one bad item never sinks the batch), stores the good ones in one
 * transaction, and acknowledges only after commit. Items for an interface of another plant make the
 * whole request 403: that is a misconfigured or misused connector, not bad data.
 */
/**
 * PostgreSQL text and jsonb cannot hold NUL characters, and UTF-8 cannot encode lone surrogates:
 * find the first such string (key or value) so the item is rejected with its path, not a 500.
 */
export function findUnstorableText(value: unknown, path: string[] = []): { path: string; message: string } | null {
  const bad = (s: string) => s.includes("\u0000") || !s.isWellFormed();
  if (typeof value === "string") {
    return bad(value) ? { path: path.join("."), message: "Text must not contain NUL (\\u0000) characters or unpaired UTF-16 surrogates" } : null;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Array.isArray(value) ? value.entries() : Object.entries(value)) {
      if (typeof k === "string" && bad(k))
        return { path: [...path, "(key)"].join("."), message: "Keys must not contain NUL characters or unpaired surrogates" };
      const found = findUnstorableText(v, [...path, String(k)]);
      if (found) return found;
    }
  }
  return null;
}

export async function ingestEvents(connector: ConnectorPrincipal, items: RawItem[]): Promise<IngestResult> {
  const catalog = await interfaceCatalog();
  const rejected: Rejection[] = [];
  const valid: ValidEvent[] = [];
  const seen = new Set<string>();
  let duplicatesInRequest = 0;
  const now = Date.now();

  for (const [index, item] of items.entries()) {
    const eventIdOf = (v: unknown) => (typeof (v as { eventId?: unknown })?.eventId === "string" ? (v as { eventId: string }).eventId : null);
    if (!item.ok) {
      rejected.push({ index, eventId: null, errors: [{ path: "", message: item.error }] });
      continue;
    }
    const parsed = ingestEventSchema.safeParse(item.value);
    if (!parsed.success) {
      rejected.push({
        index,
        eventId: eventIdOf(item.value),
        errors: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      });
      continue;
    }
    const event = parsed.data;
    const errors: Rejection["errors"] = [];
    const unstorable = findUnstorableText(event);
    if (unstorable) errors.push(unstorable);
    const occurredAt = new Date(event.occurredAt);
    if (occurredAt.getTime() < now - INGEST_LIMITS.maxPastMs)
      errors.push({ path: "occurredAt", message: "occurredAt is more than 30 days in the past (outside retention)" });
    if (occurredAt.getTime() > now + INGEST_LIMITS.maxFutureMs)
      errors.push({ path: "occurredAt", message: "occurredAt is more than 5 minutes in the future: check the connector's clock" });
    if (event.payload !== undefined && Buffer.byteLength(JSON.stringify(event.payload)) > INGEST_LIMITS.maxPayloadBytes) {
      errors.push({ path: "payload", message: `payload is larger than ${INGEST_LIMITS.maxPayloadBytes / 1024} KB` });
    }
    if (event.error?.details && Buffer.byteLength(JSON.stringify(event.error.details)) > INGEST_LIMITS.maxErrorDetailsBytes) {
      errors.push({ path: "error.details", message: `error.details is larger than ${INGEST_LIMITS.maxErrorDetailsBytes / 1024} KB` });
    }
    const iface = catalog.get(event.interface);
    if (!iface) errors.push({ path: "interface", message: `Unknown interface ${event.interface}` });
    else {
      const atPlant = iface.plants.get(connector.plantId);
      if (!atPlant) {
        throw new AppError(
          403,
          "forbidden_interface",
          `Connector ${connector.connectorName} belongs to plant ${connector.plantCode}, which does not run interface ${event.interface} (item ${index})`,
        );
      }
      if (!atPlant.enabled) errors.push({ path: "interface", message: `Interface ${event.interface} is disabled at plant ${connector.plantCode}` });
    }
    if (errors.length) {
      rejected.push({ index, eventId: event.eventId, errors });
      continue;
    }
    if (seen.has(event.eventId)) {
      duplicatesInRequest++;
      continue;
    }
    seen.add(event.eventId);
    valid.push({ event, iface: iface!, occurredAt });
  }

  let accepted = 0;
  const notices: NonNullable<IngestResult["notices"]> = [];
  if (valid.length) {
    const stored = await storeBatch(connector, valid);
    accepted = stored.storedIds.size;
    for (const late of stored.lateFailures) {
      for (const eventId of late.eventIds) {
        notices.push({
          eventId,
          code: "failure_after_delivery",
          exceptionOpened: late.exceptionOpened,
          message: late.exceptionOpened
            ? `${late.interfaceCode} message ${late.messageId} was delivered at ${late.deliveredAt} and failed again afterwards: a new exception was opened`
            : `${late.interfaceCode} message ${late.messageId} was already delivered at ${late.deliveredAt}: this older failure was recorded and opened no exception`,
        });
      }
    }
    publishPlantChanges(connector.plantId, stored);
    if (stored.opened.length || stored.resolved.length) {
      log.debug({ plant: connector.plantCode, opened: stored.opened.length, resolved: stored.resolved.length }, "exceptions changed");
    }
  }
  return { accepted, duplicates: valid.length - accepted + duplicatesInRequest, rejected, ...(notices.length ? { notices } : {}) };
}
