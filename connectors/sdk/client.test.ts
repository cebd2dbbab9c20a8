import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { heartbeatSchema } from "../../server/ingest/schema";
import { createIngestClient, type IngestClient, type IngestClientOptions, type RejectedEvent } from "./client";
import { InvalidEventError, validateEvents } from "./events";
import { Journal } from "./journal";
import { JournalLockedError } from "./journal-lock";
import { makeEvent, makeEvents } from "./test-fixtures/events";
import { okFor, startRecordingServer, waitFor, type RecordingServer } from "./test-fixtures/recording-server";
import type { IngestClientError } from "./transport";

let dir: string;
let server: RecordingServer;
const clients: IngestClient[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "andon-client-"));
  server = await startRecordingServer();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close({ timeoutMs: 0 })));
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** A client with test-sized timings: no heartbeats and no time-based flush unless asked for. */
async function client(overrides: Partial<IngestClientOptions> = {}): Promise<IngestClient> {
  const created = await createIngestClient({
    baseUrl: server.url,
    apiKey: "key-123",
    journalDir: dir,
    connectorVersion: "1.2.3",
    flushIntervalMs: 60_000,
    heartbeatIntervalMs: 0,
    gzip: false,
    requestTimeoutMs: 2000,
    retry: { baseDelayMs: 20, maxDelayMs: 50, random: () => 0.5 },
    ...overrides,
  });
  clients.push(created);
  return created;
}

const idsOf = (events: { eventId: string }[]) => events.map((e) => e.eventId);
const batches = () => server.eventRequests().map((r) => idsOf(r.events));

describe("ingest client", () => {
  it("sends a full batch at once and keeps a partial one until it is due", async () => {
    const c = await client({ batchSize: 3 });
    const events = makeEvents("size", 7);
    await c.send(events);
    await waitFor(() => server.eventRequests().length === 2 && c.stats().pending === 1, "two full batches");
    expect(batches()).toEqual([idsOf(events.slice(0, 3)), idsOf(events.slice(3, 6))]);

    expect(await c.flush()).toEqual({ status: "flushed" });
    expect(batches()).toEqual([idsOf(events.slice(0, 3)), idsOf(events.slice(3, 6)), idsOf(events.slice(6))]);
    expect(c.stats()).toMatchObject({ pending: 0, accepted: 7, requests: 3, state: "online" });
  });

  it("sends a partial batch after the flush interval, without flush()", async () => {
    const c = await client({ batchSize: 100, flushIntervalMs: 30 });
    await c.send(makeEvent("time-1"));
    await c.send([makeEvent("time-2"), makeEvent("time-3")]);
    await waitFor(() => c.stats().pending === 0, "time-based flush");
    expect(server.receivedEventIds()).toEqual(["time-1", "time-2", "time-3"]);
    expect(server.eventRequests().length).toBeLessThanOrEqual(2);
  });

  it("gzips a JSON array that decodes to exactly the validated events, with the key", async () => {
    const c = await client({ gzip: true });
    const events = [
      makeEvent("gz-1"),
      makeEvent("gz-2", {
        outcome: "failed",
        error: { category: "technical", code: "RFC_TIMEOUT", message: "Zeitüberschreitung – «SAP» ✗" },
        payload: { idoc: "MBGMCR", lines: [{ qty: 12.5 }] },
      }),
    ];
    await c.send(events);
    await c.flush();
    const [request] = server.eventRequests();
    expect(request?.headers["content-encoding"]).toBe("gzip");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers.authorization).toBe("Bearer key-123");
    expect(request?.rawBody.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(request?.body).toEqual(validateEvents(events)); // defaults applied (attempt: 1), nothing else
  });

  it("retries a 503 with the same eventIds", async () => {
    const errors: IngestClientError[] = [];
    server.respondWith((_req, n) => (n === 0 ? { status: 503, body: { error: { code: "UNAVAILABLE", message: "db down" } } } : undefined));
    const c = await client({ onError: (e) => errors.push(e) });
    await c.send(makeEvents("r503", 4));
    expect(await c.flush()).toEqual({ status: "flushed" });
    const [first, second] = batches();
    expect(batches()).toHaveLength(2);
    expect(second).toEqual(first);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ status: 503, code: "UNAVAILABLE", decision: { kind: "retry", delayMs: 10 } });
    expect(c.stats()).toMatchObject({ pending: 0, failedRequests: 1, state: "online" });
  });

  it("retries after a timeout; the portal sees a duplicate, nothing is lost", async () => {
    server.respondWith((req, n) => (n === 0 ? { ...okFor(req), delayMs: 400 } : undefined));
    const c = await client({ requestTimeoutMs: 100 });
    await c.send(makeEvents("slow", 3));
    expect(await c.flush()).toEqual({ status: "flushed" });
    expect(batches()).toEqual([idsOf(makeEvents("slow", 3)), idsOf(makeEvents("slow", 3))]);
    expect(c.stats().lastError).toMatchObject({ kind: "timeout" });
  });

  it("honours Retry-After", async () => {
    const decisions: unknown[] = [];
    server.respondWith((_req, n) => (n === 0 ? { status: 429, headers: { "retry-after": "1" } } : undefined));
    const c = await client({ retry: { baseDelayMs: 20, random: () => 0 }, onError: (e) => decisions.push(e.decision) });
    await c.send(makeEvent("ra-1"));
    await c.flush();
    const [first, second] = server.eventRequests();
    expect(decisions).toEqual([{ kind: "retry", delayMs: 1000 }]);
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("splits a batch on 413 and delivers everything in order", async () => {
    server.respondWith((req) => (req.events.length > 2 ? { status: 413, body: { error: { code: "TOO_LARGE", message: "too large" } } } : undefined));
    const c = await client({ batchSize: 8 });
    const events = makeEvents("split", 8);
    await c.send(events);
    expect(await c.flush()).toEqual({ status: "flushed" });
    const sizes = batches().map((b) => b.length);
    expect(sizes.slice(0, 3)).toEqual([8, 4, 2]);
    const delivered = server.eventRequests().filter((r) => r.events.length <= 2);
    expect(delivered.flatMap((r) => idsOf(r.events))).toEqual(idsOf(events));
    expect(c.stats().pending).toBe(0);
  });

  it("drops and reports a single event that is too large even alone", async () => {
    const rejected: RejectedEvent[] = [];
    server.respondWith(() => ({ status: 413 }));
    const c = await client({ onRejected: (r) => rejected.push(r) });
    await c.send(makeEvent("huge"));
    expect(await c.flush()).toEqual({ status: "flushed" });
    expect(rejected).toMatchObject([{ eventId: "huge", reason: "too-large" }]);
    expect(c.stats()).toMatchObject({ pending: 0, dropped: 1 });
  });

  it("isolates the event behind a 400 and delivers the others", async () => {
    const rejected: RejectedEvent[] = [];
    server.respondWith((req) =>
      req.events.some((e) => e.eventId === "bad-0002") ? { status: 400, body: { error: { code: "MALFORMED", message: "?" } } } : undefined,
    );
    const c = await client({ onRejected: (r) => rejected.push(r) });
    await c.send(makeEvents("bad", 5));
    expect(await c.flush()).toEqual({ status: "flushed" });
    expect(rejected.map((r) => [r.eventId, r.reason])).toEqual([["bad-0002", "bad-request"]]);
    expect(server.storedEventIds()).toEqual(["bad-0000", "bad-0001", "bad-0003", "bad-0004"]);
    expect(c.stats()).toMatchObject({ pending: 0, dropped: 1 });
  });

  it("pauses on 401, keeps the events and sends them once a good client runs", async () => {
    const errors: IngestClientError[] = [];
    server.respondWith(() => ({ status: 401, body: { error: { code: "UNAUTHORIZED", message: "unknown connector key" } } }));
    const c = await client({ onError: (e) => errors.push(e) });
    const events = makeEvents("auth", 3);
    await c.send(events);
    const result = await c.flush();
    expect(result).toMatchObject({ status: "paused", reason: "unauthorized" });
    expect(c.stats()).toMatchObject({ state: "offline", pending: 3, pausedReason: "unauthorized" });
    expect(errors[0]).toMatchObject({ status: 401, code: "UNAUTHORIZED", decision: { kind: "pause", reason: "unauthorized" } });
    // Paused means paused: more sends are journaled, not sent.
    await c.send(makeEvent("auth-late"));
    expect(await c.flush()).toMatchObject({ status: "paused" });
    expect(server.eventRequests()).toHaveLength(1);
    expect(await c.close()).toEqual({ pending: 4 });

    server.respondWith(() => undefined); // the key is fixed
    const next = await client();
    expect(await next.flush()).toEqual({ status: "flushed" });
    expect(server.storedEventIds()).toEqual([...idsOf(events), "auth-late"]);
  });

  it("drops items the portal rejects, reports them, and does not retry them", async () => {
    const rejected: RejectedEvent[] = [];
    server.respondWith((req) => ({
      status: 200,
      body: {
        accepted: 2,
        duplicates: 0,
        rejected: [{ index: 1, eventId: req.events[1]?.eventId ?? null, errors: [{ path: "occurredAt", message: "older than 30 days" }] }],
      },
    }));
    const c = await client({ onRejected: (r) => rejected.push(r) });
    await c.send(makeEvents("rej", 3));
    expect(await c.flush()).toEqual({ status: "flushed" });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ eventId: "rej-0001", reason: "rejected", errors: [{ path: "occurredAt", message: "older than 30 days" }] });
    expect(rejected[0]?.event.correlationId).toBe("corr-rej-0001");
    expect(c.stats()).toMatchObject({ pending: 0, accepted: 2, rejected: 1 });
    expect(await c.flush()).toEqual({ status: "flushed" });
    expect(server.eventRequests()).toHaveLength(1);
  });

  it("heartbeats the backlog, its age and the state", async () => {
    const c = await client({ heartbeatIntervalMs: 20, flushIntervalMs: 20 });
    await waitFor(() => server.heartbeats().length > 0, "first heartbeat");
    const first = server.heartbeats()[0];
    expect(first?.headers.authorization).toBe("Bearer key-123");
    expect(heartbeatSchema.parse(first?.body)).toEqual({ version: "1.2.3", state: "online", backlog: 0, oldestPendingAgeS: null });

    server.respondWith((req) => (req.path.endsWith("/events") ? { status: 503 } : undefined));
    await c.send(makeEvents("hb", 2));
    await waitFor(() => server.heartbeats().some((h) => (h.body as { state?: string }).state === "degraded"), "degraded heartbeat");
    const degraded = server.heartbeats().find((h) => (h.body as { state?: string }).state === "degraded");
    const body = heartbeatSchema.parse(degraded?.body);
    expect(body.backlog).toBe(2);
    expect(body.oldestPendingAgeS).toBeGreaterThanOrEqual(0);

    server.respondWith((req) => (req.path.endsWith("/events") ? { status: 403 } : undefined));
    await waitFor(() => server.heartbeats().some((h) => (h.body as { state?: string }).state === "offline"), "offline heartbeat");
    expect(c.stats()).toMatchObject({ state: "offline", pending: 2, pausedReason: "forbidden" });
  });

  it("validates before journaling: invalid input throws and nothing is stored", async () => {
    const c = await client();
    const failedWithoutPayload = makeEvent("v-2", { outcome: "failed", error: { category: "business", code: "X", message: "y" } });
    const error = await c.send([makeEvent("v-1"), failedWithoutPayload]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error).toMatchObject({ index: 1, eventId: "v-2", issues: [{ path: "payload", message: "payload is required when outcome is failed" }] });
    await expect(c.send(makeEvent("v-3", { interface: "lowercase" }))).rejects.toThrow(/interface must be an interface code/);
    await expect(c.send(makeEvent("v-4", { payload: { blob: "x".repeat(300 * 1024) } }))).rejects.toThrow(/payload is \d+ bytes/);
    expect(c.stats().pending).toBe(0);
  });

  it("close() gives up at its deadline when the portal is unreachable and keeps the events", async () => {
    await server.close();
    const errors: IngestClientError[] = [];
    const c = await client({ onError: (e) => errors.push(e) });
    await c.send(makeEvents("down", 3));
    const started = Date.now();
    expect(await c.close({ timeoutMs: 150 })).toEqual({ pending: 3 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.kind).toBe("network");
    await expect(c.send(makeEvent("down-late"))).rejects.toThrow(/closed/);

    const journal = await Journal.open(dir);
    expect(journal.pending).toBe(3);
    await journal.close();
    server = await startRecordingServer(); // for afterEach
  });

  it("refuses a second client on the same journal directory", async () => {
    await client();
    await expect(client()).rejects.toBeInstanceOf(JournalLockedError);
  });

  it("rejects invalid options", async () => {
    await expect(client({ batchSize: 1001 })).rejects.toThrow(/batchSize/);
    await expect(client({ baseUrl: "ftp://portal" })).rejects.toThrow(/baseUrl/);
  });
});
