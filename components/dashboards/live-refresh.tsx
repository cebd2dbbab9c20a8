"use client";
import { useRouter } from "next/navigation";
import { useCallback } from "react";
import { useLiveEvents, usePlantRooms } from "../realtime-provider";

/**
 * Keeps a server-rendered dashboard live: joins the plants' rooms (through the policy on the server)
 * and re-renders on exception changes and metric ticks, at most once per `throttleMs`; resyncs after
 * a reconnect (the app shell shows the connection state).
 */
const EVENTS = ["exception.opened", "exception.updated", "exception.resolved", "metrics.tick"] as const;

export function LiveRefresh({ plantIds, throttleMs = 1000 }: { plantIds: string[]; throttleMs?: number }) {
  const router = useRouter();
  const refresh = useCallback(() => router.refresh(), [router]);
  usePlantRooms(plantIds, refresh);
  useLiveEvents(EVENTS, refresh, throttleMs);
  return null;
}
