import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { POST as eventsPost } from "../../app/api/ingest/v1/events/route";
import { POST as heartbeatPost } from "../../app/api/ingest/v1/heartbeat/route";
import { createIngestClient, type IngestClient, type IngestEventInput, newEventId, type RejectedEvent } from "../../connectors/sdk";
import { hashConnectorKey } from "../../server/connectors/keys";
import { db } from "../../server/db";
import type { SystemKind } from "../../server/db/generated/enums";

/**
 * Andon's ingest API without an HTTP server: a `fetch` that hands `POST <base>/api/ingest/v1/events`
 * and `…/heartbeat` to the route modules' POST handlers in this process (the same authentication,
 * body caps, gzip decoding and validation as over HTTP), so that the real connector SDK
 * (`createIngestClient` with its `fetch` option) reports through the real ingest route.
 */
const ROUTES: Record<string, (req: Request) => Promise<Response>> = {
  "/api/ingest/v1/events": (req) => eventsPost(req),
  "/api/ingest/v1/heartbeat": (req) => heartbeatPost(req),
};

export const PORTAL_BASE_URL = "http://andon.in-process";

export const inProcessFetch: typeof fetch = async (input, init) => {
  const req = new Request(input, init);
  const route = ROUTES[new URL(req.url).pathname];
  if (req.method !== "POST" || !route) {
    return Response.json({ error: { code: "not_found", message: `no in-process route for ${req.method} ${req.url}` } }, { status: 404 });
  }
  return route(req);
};

/**
 * Issues a connector key as e2e/fixtures.ts does (only its sha256 is stored); returns the key and a
 * function that puts the previous key's hash back (files share one database).
 */
export async function issueTestConnectorKey(connectorId: string): Promise<{ key: string; restore: () => Promise<void> }> {
  const key = `andon_ck_test_${randomBytes(18).toString("hex")}`;
  const { apiKeyHash: previous } = await db().connector.findUniqueOrThrow({ where: { id: connectorId }, select: { apiKeyHash: true } });
  await db().connector.update({ where: { id: connectorId }, data: { apiKeyHash: hashConnectorKey(key) } });
  return { key, restore: async () => void (await db().connector.update({ where: { id: connectorId }, data: { apiKeyHash: previous } })) };
}

/** An event as a connector reports it; eventId and occurredAt are filled in when absent. */
export type ReportedEvent = Omit<IngestEventInput, "eventId" | "occurredAt"> & { eventId?: string; occurredAt?: string };

export interface ConnectorReporter {
  readonly connectorId: string;
  readonly plantCode: string;
  readonly system: SystemKind;
  readonly client: IngestClient;
  /** Events the portal refused (or the SDK dropped) so far. */
  readonly rejected: RejectedEvent[];
  /** Journals the events, then flushes: resolves once the portal acknowledged them; throws if refused or not sent. */
  report(events: ReportedEvent | ReportedEvent[]): Promise<void>;
  /** Closes the client (final flush), removes its journal directory and puts the connector's previous key back. */
  close(): Promise<void>;
}

/**
 * The SDK client of the connector of `system` at `plantCode`, with a fresh key, a temporary journal
 * under os.tmpdir() and test-sized timings, reporting through `inProcessFetch`.
 */
export async function connectorReporter(plantCode: string, system: SystemKind): Promise<ConnectorReporter> {
  const connector = await db().connector.findFirstOrThrow({ where: { plant: { code: plantCode }, system: { kind: system } } });
  const { key: apiKey, restore: restoreKey } = await issueTestConnectorKey(connector.id);
  const journalDir = await mkdtemp(path.join(os.tmpdir(), `andon-${plantCode}-${system}-`.toLowerCase()));
  const rejected: RejectedEvent[] = [];
  const errors: string[] = [];
  const client = await createIngestClient({
    baseUrl: PORTAL_BASE_URL,
    apiKey,
    journalDir,
    connectorVersion: `${system.toLowerCase()}-connector test`,
    flushIntervalMs: 20,
    heartbeatIntervalMs: 0,
    requestTimeoutMs: 10_000,
    fetch: inProcessFetch,
    onRejected: (r) => rejected.push(r),
    onError: (e) => errors.push(e.message),
  });
  let closed = false;
  return {
    connectorId: connector.id,
    plantCode,
    system,
    client,
    rejected,
    async report(events) {
      const list = (Array.isArray(events) ? events : [events]).map((e) => ({
        ...e,
        eventId: e.eventId ?? newEventId(),
        occurredAt: e.occurredAt ?? new Date().toISOString(),
      }));
      const before = rejected.length;
      await client.send(list);
      const flushed = await client.flush();
      if (flushed.status !== "flushed")
        throw new Error(`the ${plantCode} ${system} connector could not report: ${JSON.stringify(flushed)}; ${errors.join("; ")}`);
      const refused = rejected.slice(before);
      if (refused.length)
        throw new Error(`the portal refused ${refused.length} event(s) of ${plantCode} ${system}: ${JSON.stringify(refused.map((r) => r.errors))}`);
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.close({ timeoutMs: 2000 });
      await rm(journalDir, { recursive: true, force: true });
      await restoreKey();
    },
  };
}
