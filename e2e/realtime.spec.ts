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

// Guards against a decision leaking to someone else's sockets, and against correction steps the pages never hear of.
test("a correction's steps reach its plant's room, and the decision reaches only its author's sockets", async ({ baseURL, browser, request }) => {
  const cookieOf = async (email: string) => {
    const ctx = await browser.newContext({ baseURL });
    await signIn(ctx.request, email);
    const cookie = (await ctx.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    return { ctx, cookie };
  };
  const operator = await cookieOf("operator@andon.local");
  const manager = await cookieOf("manager@andon.local"); // DE-HAM too, read-only: may follow the exception, not hear others' decisions
  const approver = await cookieOf("approver@andon.local");
  const sockets = { operator: socketFor(baseURL!, operator.cookie), manager: socketFor(baseURL!, manager.cookie) };
  const heard: { who: string; event: string; payload: { id?: string; items?: { id: string; status: string }[] } }[] = [];
  for (const [who, socket] of Object.entries(sockets))
    for (const e of ["exception.updated", "correction.decided", "replay_request.decided"] as const)
      socket.on(e, ((payload: never) => heard.push({ who, event: e, payload })) as never);
  try {
    await Promise.all(Object.values(sockets).map(connected));
    const ids = await plantIds();
    for (const socket of Object.values(sockets)) await new Promise<SubscribeResult>((resolve) => socket.emit("plants.subscribe", [ids["DE-HAM"]!], resolve));
    const messageId = `RT-${randomUUID()}`;
    const res = await request.post("/api/ingest/v1/events", {
      headers: { authorization: `Bearer ${await connectorKey("DE-HAM", "SAP_ERP")}` },
      data: [
        {
          eventId: randomUUID(),
          correlationId: randomUUID(),
          messageId,
          interface: "QUALITY_HOLD",
          hop: { source: "QMS", target: "SAP_ERP" },
          occurredAt: new Date().toISOString(),
          outcome: "failed",
          latencyMs: 10,
          attempt: 1,
          error: { category: "business", code: "QM-1", message: "Lot unknown" },
          payload: { material: "RM-0815", plant: "1000", batch: "L-1", action: "HOLD", targetStockType: "BLOCKED", reason: "Out of spec" },
        },
      ],
    });
    expect((await res.json()).accepted).toBe(1);
    const [{ id }] = (await query<{ id: string }>(
      "SELECT e.id FROM exception e JOIN business_transaction t ON t.id = e.transaction_id WHERE t.message_id = $1",
      [messageId],
    )) as [{ id: string }];
    const saved = (await (
      await operator.ctx.request.post(`/api/exceptions/${id}/correction`, {
        data: { payload: { material: "RM-0815", plant: "1000", batch: "L-2", action: "HOLD", targetStockType: "BLOCKED", reason: "Out of spec" } },
      })
    ).json()) as { correction: { id: string; payloadHash: string } };
    expect((await operator.ctx.request.post(`/api/corrections/${saved.correction.id}/submit`, { data: { reason: "The lot was renumbered." } })).status()).toBe(
      200,
    );
    const statuses = (who: string) =>
      heard
        .filter((h) => h.who === who && h.event === "exception.updated")
        .flatMap((h) => h.payload.items ?? [])
        .filter((i) => i.id === id)
        .map((i) => i.status);
    await expect.poll(() => statuses("manager"), { timeout: 5000 }).toContain("AWAITING_APPROVAL");
    const approve = await approver.ctx.request.post(`/api/corrections/${saved.correction.id}/approve`, { data: { payloadHash: saved.correction.payloadHash } });
    expect(approve.status()).toBe(200);
    await expect.poll(() => statuses("operator"), { timeout: 5000 }).toContain("APPROVED");
    await expect
      .poll(() => heard.filter((h) => h.event === "correction.decided").map((h) => [h.who, h.payload.id]), { timeout: 5000 })
      .toEqual([["operator", saved.correction.id]]);
  } finally {
    for (const socket of Object.values(sockets)) socket.close();
    for (const c of [operator, manager, approver]) await c.ctx.close();
  }
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
