import { type ServerEventName, type ServerToClientEvents, plantRoom, userRoom } from "./events";
import type { AndonIo } from "./server";

/**
 * Emitting from anywhere in the process (route handlers are bundled by Next.js separately from the
 * custom server, so the io instance is handed over through globalThis, set once at boot).
 * With a cluster adapter on io, the same call reaches clients on every instance.
 */
const g = globalThis as { __andonIo?: AndonIo };

export function setIo(io: AndonIo | undefined): void {
  g.__andonIo = io;
}

/** This process's socket.io server (web instance) or publisher (worker), once booted. */
export function liveIo(): AndonIo | undefined {
  return g.__andonIo;
}

export function publishToPlant<E extends ServerEventName>(plantId: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
  g.__andonIo?.to(plantRoom(plantId)).emit(event, ...args);
}

export function publishToUser<E extends ServerEventName>(userId: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
  g.__andonIo?.to(userRoom(userId)).emit(event, ...args);
}
