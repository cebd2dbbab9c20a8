"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import { usePlantRooms, useSocketEvent } from "../realtime-provider";
import { findingKeys } from "./query-keys";

/**
 * Keeps the findings views live: joins the plants' rooms (each join checked by the policy on the server)
 * and refetches every findings query (at most once per `throttleMs`) when a finding of those plants opens,
 * changes or clears, and after a reconnect. With `exceptions`, also when their exceptions open, move or
 * close (the process view counts open exceptions as failing).
 */
export function useLiveFindings(plantIds: string[], { exceptions = false, throttleMs = 300 }: { exceptions?: boolean; throttleMs?: number } = {}) {
  const qc = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const refetch = useCallback(() => {
    timer.current ??= setTimeout(() => {
      timer.current = null;
      void qc.invalidateQueries({ queryKey: findingKeys.all });
    }, throttleMs);
  }, [qc, throttleMs]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  usePlantRooms(plantIds, refetch, true);
  useSocketEvent("finding.changed", (c) => {
    if (plantIds.includes(c.plantId)) refetch();
  });
  const onExceptions = (b: { plantId: string }) => {
    if (exceptions && plantIds.includes(b.plantId)) refetch();
  };
  useSocketEvent("exception.opened", onExceptions);
  useSocketEvent("exception.updated", onExceptions);
  useSocketEvent("exception.resolved", onExceptions);
}
