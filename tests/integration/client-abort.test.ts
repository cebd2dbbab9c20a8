import { createServer } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer } from "node:net";
import { NextRequest, NextResponse } from "next/server";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as ingestPost } from "../../app/api/ingest/v1/events/route";
import { seedReference } from "../../prisma/seed";
import { reloadConfig } from "../../server/config";
import { issueConnectorKey } from "../../server/connectors/keys";
import { closeDb, db } from "../../server/db";
import { handler } from "../../server/http/handler";
import { log } from "../../server/log";

/**
 * Issue 16, point 5: a connector that aborted its upload was logged as "database unavailable:
 * answering 503" (the request socket's ECONNRESET read as the database's). On a real HTTP server that
 * hands each request to a route as Next.js does (the Node request stream as the body), a client sends
 * part of a body and resets or closes its socket: no 503 is answered, nothing says the database is
 * unavailable. A real outage (the pool pointed at a closed port) still answers 503 with that log line.
 */
const logged: string[] = [];
const streamSym = pino.symbols.streamSym as unknown as keyof typeof log;
const originalStream = log[streamSym];
let key: string;

beforeAll(async () => {
  // Every module's logger is a child of the root one and writes to its stream: capture it.
  (log as unknown as Record<symbol, unknown>)[streamSym as symbol] = { write: (line: string) => void logged.push(line) };
  await seedReference(db());
  const c = await db().connector.findFirstOrThrow({ where: { plant: { code: "DE-HAM" }, system: { kind: "ODOO" } } });
  key = await issueConnectorKey({ connectorId: c.id, actor: { type: "system", label: "client-abort test" }, reason: "admin_request" });
});

afterAll(() => {
  (log as unknown as Record<symbol, unknown>)[streamSym as symbol] = originalStream;
});

type Route = (req: Request) => Promise<Response>;

/** A real HTTP server handing requests to `route` the way Next.js does; it records the statuses the route answered. */
async function serve(route: Route) {
  const answered: number[] = [];
  const server = createServer((req, res) => {
    const abort = new AbortController();
    res.on("close", () => !res.writableFinished && abort.abort());
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
    const init = { method: req.method, headers, duplex: "half", signal: abort.signal, body: req.method === "GET" ? null : req };
    void route(new NextRequest(`http://127.0.0.1${req.url}`, init as ConstructorParameters<typeof NextRequest>[1])).then(async (response) => {
      answered.push(response.status);
      if (res.destroyed) return; // the client is gone: nothing to answer
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { port, answered, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Sends headers announcing 100 kB and 1 kB of it, then resets (RST) or closes (FIN) the connection. */
async function abortUpload(port: number, path: string, how: "reset" | "close", headers: Record<string, string> = {}) {
  const socket = connect(port, "127.0.0.1");
  socket.on("error", () => undefined);
  await new Promise<void>((resolve) => socket.once("connect", resolve));
  const all = { host: `127.0.0.1:${port}`, "content-type": "application/json", "content-length": "100000", ...headers };
  const head = Object.entries(all)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("");
  socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n[{"eventId":"${"x".repeat(1000)}`);
  await new Promise((r) => setTimeout(r, 200)); // the route is reading the body by now
  if (how === "reset") socket.resetAndDestroy();
  else socket.end();
}

async function until(what: string, check: () => boolean) {
  for (const deadline = Date.now() + 10_000; !check(); ) {
    if (Date.now() > deadline) throw new Error(`not within 10 s: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const saysUnavailable = () => logged.filter((l) => /database unavailable/.test(l));

describe("a client that aborts its upload", () => {
  it.each(["reset", "close"] as const)("is the client's doing on the ingest route (%s): no 503, no 'database unavailable'", async (how) => {
    const srv = await serve(ingestPost);
    try {
      logged.length = 0;
      await abortUpload(srv.port, "/api/ingest/v1/events", how, { authorization: `Bearer ${key}` });
      await until("the route answered", () => srv.answered.length === 1);
      expect(srv.answered).toEqual([400]);
      expect(saysUnavailable()).toEqual([]);
      expect(logged.join("")).toMatch(/the client aborted its request body/);
    } finally {
      await srv.close();
    }
  });

  it("is the client's doing on a JSON route under the default body cap too", async () => {
    const srv = await serve(handler(async (req: Request) => NextResponse.json(await req.json())));
    try {
      logged.length = 0;
      await abortUpload(srv.port, "/api/anything", "reset");
      await until("the route answered", () => srv.answered.length === 1);
      expect(srv.answered).toEqual([400]);
      expect(saysUnavailable()).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  it("a client still listening gets the 400 with a message; a whole request is served as before", async () => {
    const srv = await serve(handler(async (req: Request) => NextResponse.json(await req.json())));
    try {
      const ok = await fetch(`http://127.0.0.1:${srv.port}/api/anything`, { method: "POST", body: JSON.stringify({ a: 1 }) });
      expect([ok.status, await ok.json()]).toEqual([200, { a: 1 }]);
      // A body stream that fails on the client's side while the connection stays open.
      const res = await handler(async (req: Request) => NextResponse.json(await req.json()))(
        new Request("http://127.0.0.1/api/anything", {
          method: "POST",
          body: new ReadableStream({ pull: (c) => c.error(Object.assign(new Error("aborted"), { code: "ECONNRESET" })) }),
          duplex: "half",
        } as RequestInit),
      );
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "client_aborted" } });
    } finally {
      await srv.close();
    }
  });

  it("a real database outage still answers 503 and says so", async () => {
    const closed = await new Promise<number>((resolve) => {
      const probe = createTcpServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const url = process.env.DATABASE_URL!;
    process.env.DATABASE_URL = `postgresql://postgres@127.0.0.1:${closed}/andon`;
    reloadConfig();
    await closeDb();
    const srv = await serve(ingestPost);
    try {
      logged.length = 0;
      const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
      const res = await fetch(`http://127.0.0.1:${srv.port}/api/ingest/v1/events`, { method: "POST", headers, body: "[]" });
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(srv.answered).toEqual([503]);
      expect(saysUnavailable()).toHaveLength(1);
    } finally {
      await srv.close();
      process.env.DATABASE_URL = url;
      reloadConfig();
      await closeDb();
    }
  });
});
