import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { io as connect, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents, SubscribeResult } from "../server/realtime/events";
import { randomUUID } from "node:crypto";
import { connectorKey, expect, query, signIn, test } from "./fixtures";

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

function socketFor(baseURL: string, cookie?: string): ClientSocket {
  return connect(baseURL, { path: "/socket.io", transports: ["websocket"], extraHeaders: cookie ? { cookie } : {}, reconnection: false, forceNew: true });
}

function connected(socket: ClientSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (err) => reject(err));
  });
}

async function plantIds(): Promise<Record<string, string>> {
  const rows = await query<{ id: string; code: string }>("SELECT id, code FROM plant");
  return Object.fromEntries(rows.map((r) => [r.code, r.id]));
}

// Guards against a socket client listening to a plant it may not see: room joins go through the policy.
test.describe("socket.io authentication and plant rooms", () => {
  test("a connection without a session is refused", async ({ baseURL }) => {
    const socket = socketFor(baseURL!);
    await expect(connected(socket)).rejects.toThrow("unauthorized");
    socket.close();
  });

  test("a plant manager joins only the rooms of their plants", async ({ baseURL, context }) => {
    await signIn(context.request, "manager.mty@andon.local");
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const socket = socketFor(baseURL!, cookie);
    try {
      await connected(socket);
      const ids = await plantIds();
      const result = await new Promise<SubscribeResult>((resolve) => socket.emit("plants.subscribe", [ids["MX-MTY"]!, ids["DE-HAM"]!, "not-a-plant"], resolve));
      expect(result.joined).toEqual([ids["MX-MTY"]]);
      expect(result.denied.toSorted()).toEqual([ids["DE-HAM"]!, "not-a-plant"].toSorted());
    } finally {
      socket.close();
    }
  });

  test("a single-plant manager never receives another plant's exceptions, metrics or alerts", async ({ baseURL, context, request }) => {
    await signIn(context.request, "manager.mty@andon.local");
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const socket = socketFor(baseURL!, cookie);
    const seen: { event: string; plantId: string }[] = [];
    for (const e of ["exception.opened", "exception.updated", "exception.resolved", "metrics.tick", "alert.changed"] as const) {
      socket.on(e, ((payload: { plantId: string }) => seen.push({ event: e, plantId: payload.plantId })) as never);
    }
    try {
      await connected(socket);
      const ids = await plantIds();
      await new Promise<SubscribeResult>((resolve) => socket.emit("plants.subscribe", [ids["MX-MTY"]!, ids["DE-HAM"]!], resolve));
      // Traffic at DE-HAM first, then at MX-MTY: the socket sees MX-MTY's and nothing of DE-HAM's.
      for (const [plant, system, iface, hop] of [
        ["DE-HAM", "SAP_ERP", "GOODS_MOVEMENT", { source: "ODOO", target: "SAP_ERP" }],
        ["MX-MTY", "SUPPLIER_PORTAL", "SUPPLIER_ASN", { source: "SUPPLIER_PORTAL", target: "ODOO" }],
      ] as const) {
        const key = await connectorKey(plant, system);
        const messageId = `RT-${randomUUID()}`;
        const res = await request.post("/api/ingest/v1/events", {
          headers: { authorization: `Bearer ${key}` },
          data: [
            {
              eventId: randomUUID(),
              correlationId: randomUUID(),
              messageId,
              interface: iface,
              hop,
              occurredAt: new Date().toISOString(),
              outcome: "failed",
              latencyMs: 10,
              attempt: 1,
              error: { category: "business", code: "X-1", message: "scoping probe" },
              payload: { probe: true },
            },
          ],
        });
        expect((await res.json()).accepted).toBe(1);
      }
      await expect
        .poll(() => seen.filter((s) => s.plantId === ids["MX-MTY"]).map((s) => s.event), { timeout: 5000 })
        .toEqual(expect.arrayContaining(["exception.opened", "metrics.tick"]));
      expect(seen.filter((s) => s.plantId !== ids["MX-MTY"])).toEqual([]);
    } finally {
      socket.close();
    }
  });

  test("an auditor may join every plant's room", async ({ baseURL, context }) => {
    await signIn(context.request, "auditor@andon.local");
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const socket = socketFor(baseURL!, cookie);
    try {
      await connected(socket);
      const ids = Object.values(await plantIds());
      const result = await new Promise<SubscribeResult>((resolve) => socket.emit("plants.subscribe", ids, resolve));
      expect(result.joined.toSorted()).toEqual(ids.toSorted());
    } finally {
      socket.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

test("the server shuts down cleanly on SIGTERM: sockets closed, workers and pool stopped, exit 0", async ({ playwright }) => {
  test.setTimeout(90_000);
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: process.env.E2E_DATABASE_URL,
      PORT: String(port),
      HOST: "127.0.0.1",
      NEXTAUTH_URL: `http://127.0.0.1:${port}`,
      NEXTAUTH_SECRET: "lifecycle-secret-0123456789abcdef0123456789",
      ANDON_DATA_DIR: ".andon/e2e",
      ANDON_SIM: "false",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  try {
    await expect.poll(async () => (await fetch(`${base}/api/health`).catch(() => null))?.status ?? 0, { timeout: 60_000 }).toBe(200);
    const api = await playwright.request.newContext({ baseURL: base });
    await signIn(api, "operator.wro@andon.local");
    const cookie = (await api.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join("; ");
    await api.dispose();
    const socket = socketFor(base, cookie);
    await connected(socket);
    const disconnected = new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));

    child.kill("SIGTERM");
    expect(await disconnected).toBe("io server disconnect");
    expect(await exited, output).toBe(0);
    expect(output).toContain('"msg":"shutting down"');
    expect(output).toContain('"msg":"stopped cleanly"');
    socket.close();
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
