import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { reloadConfig } from "../../server/config";
import { type ClusterAdapter, createClusterAdapter } from "../../server/realtime/cluster";
import type { ExceptionBatch, MetricsTick } from "../../server/realtime/events";
import { plantRoom } from "../../server/realtime/events";
import { closePublisher, startPublisher } from "../../server/realtime/server";

/**
 * Both cluster adapters, on the real engines: PostgreSQL LISTEN/NOTIFY (this run's database) and
 * Redis pub/sub (TEST_REDIS_URL, default the machine's Redis on 127.0.0.1:6379). An emit on one
 * instance reaches a browser socket connected to another, in a plant room, also when the payload is
 * larger than PostgreSQL's 8 kB NOTIFY limit.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

const opened: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
});

async function adapterFor(kind: "postgres" | "redis"): Promise<ClusterAdapter> {
  if (kind === "redis") process.env.REDIS_URL = REDIS_URL;
  else delete process.env.REDIS_URL;
  reloadConfig();
  const adapter = await createClusterAdapter();
  opened.push(adapter.close);
  return adapter;
}

/** A web instance: an HTTP server with socket.io whose sockets join the room they ask for. */
async function webInstance(kind: "postgres" | "redis"): Promise<{ kind: ClusterAdapter["kind"]; io: Server; url: string }> {
  const adapter = await adapterFor(kind);
  const http = createServer();
  const io = new Server(http, { adapter: adapter.adapter });
  io.on("connection", (socket) => {
    socket.on("join", (room: string, ack: () => void) => {
      void socket.join(room);
      ack();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  opened.push(() => new Promise<void>((resolve) => io.close(() => resolve())));
  return { kind: adapter.kind, io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` };
}

async function browserIn(url: string, room: string): Promise<Socket> {
  const socket = connect(url, { transports: ["websocket"], reconnection: false });
  opened.push(async () => void socket.close());
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  await socket.timeout(5_000).emitWithAck("join", room);
  return socket;
}

function next(socket: Socket, event: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within 10 s`)), 10_000);
    socket.once(event, (payload: unknown) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

describe.each(["postgres", "redis"] as const)("socket.io cluster adapter over %s", (kind) => {
  it("carries an emit on one instance to a browser on another, only in its room", async () => {
    const a = await webInstance(kind);
    const b = await webInstance(kind);
    expect([a.kind, b.kind]).toEqual([kind, kind]);
    const onB = await browserIn(b.url, plantRoom("HAM"));
    const otherPlant = await browserIn(b.url, plantRoom("LYN"));
    let leaked = 0;
    otherPlant.on("exception.updated", () => leaked++);

    // Adapters subscribe asynchronously: emit until the first arrives, then compare one exact payload.
    const first = next(onB, "exception.updated");
    const warmup: ExceptionBatch = { plantId: "HAM", items: [], total: 0 };
    const ticker = setInterval(() => a.io.to(plantRoom("HAM")).emit("exception.updated", warmup), 200);
    await first.finally(() => clearInterval(ticker));

    // Over PostgreSQL's 8 kB NOTIFY limit: the adapter passes it through socket_io_attachments.
    const large = { plantId: "HAM", items: [], total: 0, note: "x".repeat(20_000) };
    const received = next(onB, "exception.updated");
    a.io.to(plantRoom("HAM")).emit("exception.updated", large);
    expect(await received).toEqual(large);
    await new Promise((r) => setTimeout(r, 300));
    expect(leaked).toBe(0);
  });

  it("carries events published by a worker instance (no HTTP) to the web instances", async () => {
    const web = await webInstance(kind);
    const browser = await browserIn(web.url, plantRoom("HAM"));
    const publisher = startPublisher((await adapterFor(kind)).adapter);
    opened.push(() => closePublisher(publisher));

    const tick: MetricsTick = { plantId: "HAM", at: new Date().toISOString(), outcomes: { RECEIVED: 3, DELIVERED: 2, FAILED: 1, RETRYING: 0 } };
    const first = next(browser, "metrics.tick");
    const ticker = setInterval(() => publisher.to(plantRoom("HAM")).emit("metrics.tick", tick), 200);
    expect(await first.finally(() => clearInterval(ticker))).toEqual(tick);
  });
});
