"use client";
import { type QueryKey, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef } from "react";
import type { ExceptionBatch, MetricsTick } from "@/server/realtime/events";
import { usePlantRooms, useSocketEvent } from "../realtime-provider";

/**
 * Live dashboards over the TanStack Query cache: joins the plants' rooms (checked by the policy on
 * the server), applies each event's exact consequences to the cached data at once through `patch`
 * (the < 500 ms path), and refetches the queries under `reconcileKey` at most once per `reconcileMs`
 * for what events cannot carry (percentiles, ages). A patch answering null means "cannot patch":
 * refetch now. After a reconnect everything under the key is refetched (resync).
 */
export type LivePatches = {
  opened?: (b: ExceptionBatch) => boolean;
  resolved?: (b: ExceptionBatch) => boolean;
  tick?: (t: MetricsTick) => void;
};

export function useLiveDashboard(plantIds: string[], reconcileKey: QueryKey, patches: LivePatches, reconcileMs = 5000) {
  const qc = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const keyRef = useRef(reconcileKey);
  keyRef.current = reconcileKey;
  const refetchNow = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    void qc.invalidateQueries({ queryKey: keyRef.current });
  }, [qc]);
  const reconcileSoon = useCallback(() => {
    timer.current ??= setTimeout(refetchNow, reconcileMs);
  }, [refetchNow, reconcileMs]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  usePlantRooms(plantIds, refetchNow);
  useSocketEvent("exception.opened", (b) => (patches.opened?.(b) === false ? refetchNow() : reconcileSoon()));
  useSocketEvent("exception.resolved", (b) => (patches.resolved?.(b) === false ? refetchNow() : reconcileSoon()));
  useSocketEvent("exception.updated", () => reconcileSoon());
  useSocketEvent("alert.changed", () => reconcileSoon());
  // A finding (late, stopped, flood, missed run) opened, acknowledged or cleared: tiles count them.
  useSocketEvent("finding.changed", () => refetchNow());
  useSocketEvent("metrics.tick", (t) => {
    patches.tick?.(t);
    reconcileSoon();
  });
}

/** Applies a patch that may answer null ("cannot patch") to one cached query; false when it could not. */
export function patchQuery<T>(qc: ReturnType<typeof useQueryClient>, key: QueryKey, patch: (old: T | undefined) => T | undefined | null): boolean {
  let ok = true;
  qc.setQueryData<T>(key, (old) => {
    const next = patch(old);
    if (next === null) {
      ok = false;
      return old;
    }
    return next;
  });
  return ok;
}
