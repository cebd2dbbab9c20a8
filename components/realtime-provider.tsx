"use client";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ExceptionBatch, ServerToClientEvents } from "@/server/realtime/events";

export type AndonSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type ConnectionStatus = "connecting" | "connected" | "disconnected";

const RealtimeContext = createContext<{ socket: AndonSocket | null; status: ConnectionStatus }>({ socket: null, status: "connecting" });

/** One socket per tab, authenticated by the session cookie; reconnects on its own. */
export function RealtimeProvider({ children }: { children: ReactNode }) {
  const [socket, setSocket] = useState<AndonSocket | null>(null);
  const [status, setStatus] = useState<ConnectionStatus>("connecting");

  useEffect(() => {
    const s: AndonSocket = io({ path: "/socket.io", withCredentials: true, transports: ["websocket", "polling"] });
    const onConnect = () => setStatus("connected");
    const onDisconnect = () => setStatus("disconnected");
    s.on("connect", onConnect);
    s.on("disconnect", onDisconnect);
    s.on("connect_error", onDisconnect);
    s.io.on("reconnect_attempt", () => setStatus("connecting"));
    setSocket(s);
    return () => {
      s.removeAllListeners();
      s.io.removeAllListeners();
      s.disconnect();
    };
  }, []);

  return <RealtimeContext.Provider value={{ socket, status }}>{children}</RealtimeContext.Provider>;
}

export function useRealtime() {
  return useContext(RealtimeContext);
}

/**
 * Joins the given plants' rooms (re-joining after every reconnect) and calls onResync after each re-join
 * (what was missed while disconnected); with `resyncOnFirstJoin`, after the first join too (what changed
 * between the server render and the subscription: a detail page must not miss its object's next move).
 */
export function usePlantRooms(plantIds: string[], onResync?: () => void, resyncOnFirstJoin = false) {
  const { socket } = useRealtime();
  const key = [...plantIds].sort().join(",");
  // The latest onResync, without re-subscribing on every render (which would churn rooms).
  const resync = useRef(onResync);
  resync.current = onResync;
  useEffect(() => {
    if (!socket || !key) return;
    const ids = key.split(",");
    let first = !resyncOnFirstJoin;
    const join = () => {
      socket.emit("plants.subscribe", ids, () => {
        if (!first) resync.current?.();
        first = false;
      });
    };
    if (socket.connected) join();
    socket.on("connect", join);
    return () => {
      socket.off("connect", join);
      socket.emit("plants.unsubscribe", ids);
    };
  }, [socket, key, resyncOnFirstJoin]);
}

/**
 * Calls `onChange` (at most once per `throttleMs`) while any of `events` arrives from the joined
 * plants' rooms: pages refetch instead of patching, which stays correct under any burst.
 */
export function useLiveEvents(
  events: readonly ("exception.opened" | "exception.updated" | "exception.resolved" | "metrics.tick")[],
  onChange: () => void,
  throttleMs: number,
) {
  const { socket } = useRealtime();
  const callback = useRef(onChange);
  callback.current = onChange;
  const key = events.join(",");
  useEffect(() => {
    if (!socket) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const changed = () => {
      timer ??= setTimeout(() => {
        timer = null;
        callback.current();
      }, throttleMs);
    };
    const names = key.split(",") as typeof events;
    for (const e of names) socket.on(e, changed);
    return () => {
      for (const e of names) socket.off(e, changed);
      if (timer) clearTimeout(timer);
    };
  }, [socket, throttleMs, key]);
}

const EXCEPTION_EVENTS = ["exception.opened", "exception.updated", "exception.resolved"] as const;

/** Calls `onChange` (throttled) while exceptions of the joined plants are opened, updated or resolved. */
export function useExceptionChanges(onChange: () => void, throttleMs: number) {
  useLiveEvents(EXCEPTION_EVENTS, onChange, throttleMs);
}

/** Calls `handler` for every `event` of the joined rooms (latest handler, no re-subscription per render). */
export function useSocketEvent<E extends keyof ServerToClientEvents>(event: E, handler: ServerToClientEvents[E]) {
  const { socket } = useRealtime();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!socket) return;
    const fn = (...args: unknown[]) => (ref.current as (...a: unknown[]) => void)(...args);
    const s = socket as unknown as { on: (e: string, f: typeof fn) => void; off: (e: string, f: typeof fn) => void };
    s.on(event, fn);
    return () => s.off(event, fn);
  }, [socket, event]);
}

/**
 * Follows some exceptions of one plant live (a detail page, the approvals queue): joins the plant's room
 * and calls `onChange` soon after any of them is updated or resolved (or a batch was too large to list
 * them all), and after every join (what changed since the page was rendered, or while disconnected). `ids` null: any exception of the plant.
 */
export function useFollowExceptions(plantIds: string[], ids: readonly string[] | null, onChange: () => void, throttleMs = 100) {
  const callback = useRef(onChange);
  callback.current = onChange;
  const watched = useRef(ids);
  watched.current = ids;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const changed = useCallback(() => {
    timer.current ??= setTimeout(() => {
      timer.current = null;
      callback.current();
    }, throttleMs);
  }, [throttleMs]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  usePlantRooms(plantIds, changed, true);
  const onBatch = (batch: ExceptionBatch) => {
    if (!plantIds.includes(batch.plantId)) return;
    const w = watched.current;
    if (w === null || batch.total > batch.items.length || batch.items.some((i) => w.includes(i.id))) changed();
  };
  useSocketEvent("exception.updated", onBatch);
  useSocketEvent("exception.resolved", onBatch);
}
