import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/**
 * A stand-in for the portal's ingest endpoints, for transport tests only: it records every request
 * (decoding gzip, JSON arrays and NDJSON) and answers according to a replaceable responder. The
 * default responder behaves like the portal on the happy path, including eventId deduplication.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** Decoded JSON body (events array, or heartbeat object). */
  body: unknown;
  /** For events requests: the events, in body order. */
  events: EventLike[];
  receivedAt: number;
}

export interface EventLike {
  eventId: string;
  [key: string]: unknown;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Wait this long before answering (a slow portal). */
  delayMs?: number;
}

/** `n` counts events requests from 0. Return undefined for the default (portal-like) answer. */
export type Responder = (request: RecordedRequest, n: number) => Reply | undefined;

export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  eventRequests(): RecordedRequest[];
  heartbeats(): RecordedRequest[];
  /** Every eventId received, in arrival order, duplicates included. */
  receivedEventIds(): string[];
  /** eventIds the default responder stored (first arrival of each). */
  storedEventIds(): string[];
  respondWith(responder: Responder): void;
  close(): Promise<void>;
}

export const EVENTS_PATH = "/api/ingest/v1/events";
export const HEARTBEAT_PATH = "/api/ingest/v1/heartbeat";

export async function startRecordingServer(initial?: Responder): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const stored = new Set<string>();
  let responder: Responder = initial ?? (() => undefined);
  let eventsRequests = 0;

  const defaultReply = (request: RecordedRequest): Reply => {
    if (request.path === HEARTBEAT_PATH) return { status: 204 };
    let accepted = 0;
    let duplicates = 0;
    for (const event of request.events) {
      if (stored.has(event.eventId)) duplicates += 1;
      else {
        stored.add(event.eventId);
        accepted += 1;
      }
    }
    return { status: 200, body: { accepted, duplicates, rejected: [] } };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks);
      const recorded = decode(req, rawBody);
      requests.push(recorded);
      const n = recorded.path === EVENTS_PATH ? eventsRequests++ : -1;
      const reply = responder(recorded, n) ?? defaultReply(recorded);
      const send = () => {
        if (res.destroyed) return;
        const payload = reply.body === undefined ? "" : JSON.stringify(reply.body);
        res.writeHead(reply.status, { ...(payload ? { "content-type": "application/json" } : {}), ...reply.headers });
        res.end(payload);
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    eventRequests: () => requests.filter((r) => r.path === EVENTS_PATH),
    heartbeats: () => requests.filter((r) => r.path === HEARTBEAT_PATH),
    receivedEventIds: () => requests.filter((r) => r.path === EVENTS_PATH).flatMap((r) => r.events.map((e) => e.eventId)),
    storedEventIds: () => [...stored],
    respondWith: (next) => {
      responder = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The portal-like answer for a request, for responders that only want to delay it. */
export function okFor(request: RecordedRequest): Reply {
  return { status: 200, body: { accepted: request.events.length, duplicates: 0, rejected: [] } };
}

function decode(req: IncomingMessage, rawBody: Buffer): RecordedRequest {
  const encoded = req.headers["content-encoding"] === "gzip";
  const text = (encoded ? gunzipSync(rawBody) : rawBody).toString("utf8");
  const isNdjson = (req.headers["content-type"] ?? "").startsWith("application/x-ndjson");
  let body: unknown = null;
  if (text.trim() !== "") {
    body = isNdjson
      ? text
          .split("\n")
          .filter((line) => line.trim() !== "")
          .map((line) => JSON.parse(line) as unknown)
      : (JSON.parse(text) as unknown);
  }
  const events = Array.isArray(body) ? body.filter(isEventLike) : [];
  return { method: req.method ?? "", path: req.url ?? "", headers: req.headers, rawBody, body, events, receivedAt: Date.now() };
}

function isEventLike(value: unknown): value is EventLike {
  return typeof value === "object" && value !== null && "eventId" in value && typeof value.eventId === "string";
}

/** Polls `predicate` until it holds (no fixed sleeps in tests); throws with `what` on timeout. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
