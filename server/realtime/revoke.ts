import { type CurrentUser, loadPrincipal } from "../auth/principal";
import { logger } from "../log";
import { canSeePlant } from "../policy";
import { plantOfRoom } from "./events";
import { liveIo } from "./publish";
import type { AndonIo, AndonSocket } from "./server";

const log = logger("realtime.revoke");

/** Principals are re-read this many users at a time. */
const CONCURRENCY = 10;

/**
 * Live-event rooms follow the user's current access, not the access they had when they joined: this
 * instance's sockets of the given users (every socket of the instance when none are given) get their
 * principal re-read, leave each plant room the policy no longer lets them join (the check the join
 * makes), and are disconnected when the user is deactivated or gone. One path for both triggers: an
 * administrator's change, received by every instance, and the periodic recheck. A principal that
 * cannot be read (database unavailable) changes nothing; the next recheck tries again.
 */
export async function recheckSockets(io: AndonIo, userIds?: readonly string[]): Promise<{ left: number; disconnected: number }> {
  const wanted = userIds && new Set(userIds);
  const byUser = new Map<string, AndonSocket[]>();
  for (const socket of io.of("/").sockets.values()) {
    const id = socket.data.user?.id;
    if (!id || (wanted && !wanted.has(id))) continue;
    byUser.set(id, [...(byUser.get(id) ?? []), socket]);
  }
  const result = { left: 0, disconnected: 0 };
  const users = [...byUser.keys()];
  for (let i = 0; i < users.length; i += CONCURRENCY) {
    await Promise.all(
      users.slice(i, i + CONCURRENCY).map(async (id) => {
        let user: CurrentUser | null;
        try {
          user = await loadPrincipal(id);
        } catch (err) {
          log.warn({ err, user: id }, "could not re-read a connected user's access: their sockets stay as they are until the next recheck");
          return;
        }
        for (const socket of byUser.get(id)!) {
          const { left, disconnected } = await applyAccess(socket, user);
          result.left += left;
          result.disconnected += disconnected;
        }
      }),
    );
  }
  if (result.left || result.disconnected) log.info({ ...result, users: users.length }, "live-event access revoked");
  return result;
}

async function applyAccess(socket: AndonSocket, user: CurrentUser | null): Promise<{ left: number; disconnected: number }> {
  if (!user) {
    socket.disconnect(true); // deactivated or deleted: the client does not reconnect on a server disconnect
    return { left: 0, disconnected: 1 };
  }
  socket.data.user = user;
  let left = 0;
  for (const room of [...socket.rooms]) {
    const plantId = plantOfRoom(room);
    if (plantId !== null && !canSeePlant(user, plantId)) {
      await socket.leave(room);
      left++;
    }
  }
  return { left, disconnected: 0 };
}

/**
 * After an administrator's change to a user is committed: this instance re-applies the user's access
 * at once, and tells every other instance to do the same through the cluster adapter (a worker-only
 * instance's publisher has no sockets of its own but still reaches the web instances). Never throws:
 * the change is committed, and the periodic recheck catches what a lost message missed.
 */
export async function userAccessChanged(userId: string): Promise<void> {
  const io = liveIo();
  if (!io) return;
  try {
    io.serverSideEmit("user.changed", userId);
    await recheckSockets(io, [userId]);
  } catch (err) {
    log.warn({ err, user: userId }, "could not revoke a changed user's live access at once: the periodic recheck will");
  }
}

/** Every `seconds`, recheck every socket of this instance; stops when its HTTP server closes. */
export function startPeriodicRecheck(io: AndonIo, seconds: number, onClose: (stop: () => void) => void): void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return; // a slow database: no pile-up of rechecks
    running = true;
    recheckSockets(io)
      .catch((err: unknown) => log.warn({ err }, "periodic socket access recheck failed"))
      .finally(() => (running = false));
  }, seconds * 1000);
  timer.unref();
  onClose(() => clearInterval(timer));
}
