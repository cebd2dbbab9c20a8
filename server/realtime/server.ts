import type { Server as HttpServer } from "node:http";
import { getToken } from "next-auth/jwt";
import { Server, type Socket } from "socket.io";
import { type CurrentUser, loadPrincipal } from "../auth/principal";
import { config } from "../config";
import { logger } from "../log";
import { canSeePlant } from "../policy";
import { type ClientToServerEvents, type InterServerEvents, type ServerToClientEvents, plantRoom, userRoom } from "./events";
import type { ClusterAdapter } from "./cluster";
import { setIo } from "./publish";
import { recheckSockets, startPeriodicRecheck } from "./revoke";

type SocketData = { user: CurrentUser };
export type AndonIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type AndonSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

const log = logger("realtime");

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of header?.split(";") ?? []) {
    const i = part.indexOf("=");
    if (i > 0) out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
  }
  return out;
}

/**
 * socket.io on the same HTTP server: authenticated from the next-auth session cookie, rooms per plant
 * via the policy. The rooms follow the user's access while connected (./revoke): re-applied on every
 * instance when an administrator changes the user, and every ANDON_SOCKET_RECHECK_S seconds.
 */
export function attachRealtime(httpServer: HttpServer, opts: { secret: string; adapter?: ClusterAdapter["adapter"] }): AndonIo {
  const io: AndonIo = new Server(httpServer, {
    path: "/socket.io",
    serveClient: false,
    adapter: opts.adapter,
    // Clients only send small requests (subscribe, unsubscribe).
    maxHttpBufferSize: 64 * 1024,
  });
  const onClose = (stop: () => void) => httpServer.once("close", stop);
  watchSlowConsumers(io, onClose);
  startPeriodicRecheck(io, config().ANDON_SOCKET_RECHECK_S, onClose);
  // Another instance's administrator changed a user: apply it to this instance's sockets of that user.
  io.on("user.changed", (userId) => {
    if (typeof userId === "string") void recheckSockets(io, [userId]).catch((err: unknown) => log.warn({ err }, "socket access recheck failed"));
  });

  io.use(async (socket, next) => {
    try {
      const headers = socket.request.headers;
      const req = { headers, cookies: parseCookies(headers.cookie) } as unknown as Parameters<typeof getToken>[0]["req"];
      const token = await getToken({ req, secret: opts.secret });
      const user = token?.sub ? await loadPrincipal(token.sub) : null;
      if (!user) return next(new Error("unauthorized"));
      socket.data.user = user;
      next();
    } catch (err) {
      log.warn({ err }, "socket authentication failed");
      next(new Error("unauthorized"));
    }
  });

  io.on("connection", (socket) => {
    // A user's own room: only ever their own id, from the authenticated session.
    void socket.join(userRoom(socket.data.user.id));
    socket.on("plants.subscribe", async (plantIds, ack) => {
      if (!Array.isArray(plantIds) || typeof ack !== "function") return;
      // Re-read the principal: a scope revoked since the socket connected must not keep the rooms.
      const user = await loadPrincipal(socket.data.user.id).catch(() => null);
      const joined: string[] = [];
      const denied: string[] = [];
      for (const id of plantIds.slice(0, 200)) {
        if (typeof id === "string" && user && canSeePlant(user, id)) {
          await socket.join(plantRoom(id));
          joined.push(id);
        } else denied.push(String(id));
      }
      ack({ joined, denied });
    });
    socket.on("plants.unsubscribe", (plantIds) => {
      if (!Array.isArray(plantIds)) return;
      for (const id of plantIds) if (typeof id === "string") void socket.leave(plantRoom(id));
    });
  });

  setIo(io as never);
  return io;
}

/** Bytes queued for one client before it is cut off (it reconnects and refetches what it missed). */
export const SLOW_CONSUMER_LIMIT = 2 * 1024 * 1024;

/**
 * A browser that stops reading its socket must not grow this server's memory: every 2 s, a socket
 * whose unsent output (the WebSocket's buffer, or engine.io's queue for long-polling) exceeds the
 * limit is disconnected. Its client reconnects when it reads again and refetches its data.
 */
function watchSlowConsumers(io: AndonIo, onClose: (stop: () => void) => void): void {
  const timer = setInterval(() => {
    for (const socket of io.sockets.sockets.values()) {
      const conn = socket.conn as unknown as { writeBuffer?: { data?: unknown }[]; transport?: { socket?: { bufferedAmount?: number } } };
      let queued = conn.transport?.socket?.bufferedAmount ?? 0; // ws: bytes not yet handed to the kernel
      for (const p of conn.writeBuffer ?? []) queued += typeof p.data === "string" ? p.data.length : 0; // engine.io: packets not yet written
      if (queued > SLOW_CONSUMER_LIMIT) {
        log.warn({ user: socket.data.user?.id, queued }, "socket not reading: disconnected");
        socket.disconnect(true);
      }
    }
  }, 2_000);
  timer.unref();
  onClose(() => clearInterval(timer)); // engine.io emits no "close" of its own: io.close() closes the HTTP server
}

/**
 * ROLE=worker: no HTTP clients of its own, but jobs (replays, alerts, bulk actions) still publish
 * live events: an unattached socket.io server on the cluster adapter hands them to the web instances.
 */
export function startPublisher(adapter: ClusterAdapter["adapter"]): AndonIo {
  const io: AndonIo = new Server({ adapter });
  setIo(io as never);
  return io;
}

/**
 * Shuts a publisher down. Not io.close(): an unattached server has no engine, so close() rejects
 * before its callback runs (found by tests/integration/cluster-adapter.test.ts); only the adapter
 * of its one namespace holds anything (its subscriptions and heartbeat).
 */
export async function closePublisher(io: AndonIo): Promise<void> {
  await io.of("/").adapter.close();
}
