import type { Server } from "socket.io";
import { type ServerEventName, type ServerToClientEvents, plantRoom, userRoom } from "./events";

/**
 * Emitting from anywhere in the process (route handlers are bundled by Next.js separately from the
 * custom server, so the io instance is handed over through globalThis, set once at boot).
 * With a cluster adapter on io, the same call reaches clients on every instance.
 */
type Io = Server<Record<string, never>, ServerToClientEvents>;
const g = globalThis as { __andonIo?: Io };

export function setIo(io: Io | undefined): void {
  g.__andonIo = io;
}

export function publishToPlant<E extends ServerEventName>(plantId: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
  g.__andonIo?.to(plantRoom(plantId)).emit(event, ...args);
}

export function publishToUser<E extends ServerEventName>(userId: string, event: E, ...args: Parameters<ServerToClientEvents[E]>): void {
  g.__andonIo?.to(userRoom(userId)).emit(event, ...args);
}
