"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { apiFetch } from "@/lib/api";
import { plantKeys } from "@/lib/query-keys";
import type { PlantSummary } from "@/server/plants/types";
import { useExceptionChanges, usePlantRooms, useRealtime } from "../realtime-provider";
import { PlantCard } from "./plant-card";

const REFRESH_MS = 1000;

export function PlantsView({ initialPlants, canEdit }: { initialPlants: PlantSummary[]; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const { data: plants = initialPlants, error } = useQuery({
    queryKey: plantKeys.list(),
    queryFn: () => apiFetch<{ plants: PlantSummary[] }>("/api/plants").then((r) => r.plants),
    initialData: initialPlants,
  });

  // Live: join the visible plants' rooms; after a reconnect, refetch what may have been missed.
  usePlantRooms(
    plants.map((p) => p.id),
    () => void queryClient.invalidateQueries({ queryKey: plantKeys.all }),
  );
  const { socket } = useRealtime();
  useEffect(() => {
    if (!socket) return;
    const onUpdated = (plant: PlantSummary) =>
      queryClient.setQueryData<PlantSummary[]>(plantKeys.list(), (old) => old?.map((p) => (p.id === plant.id ? plant : p)));
    socket.on("plant.updated", onUpdated);
    return () => {
      socket.off("plant.updated", onUpdated);
    };
  }, [socket, queryClient]);

  // Exceptions change at plant speed: refetch the summaries at most every REFRESH_MS while they do.
  useExceptionChanges(() => void queryClient.invalidateQueries({ queryKey: plantKeys.all }), REFRESH_MS);

  return (
    <div className="space-y-3">
      <div className="flex items-baseline justify-between gap-3">
        <h1 className="text-lg font-semibold">Plants</h1>
        <p className="text-xs text-muted-foreground">
          {plants.length} plant{plants.length === 1 ? "" : "s"} in your scope
        </p>
      </div>
      {error ? (
        <p role="alert" className="rounded-md border border-danger/40 bg-critical-bg px-3 py-2 text-critical-fg">
          Could not refresh plants: {error.message}. Showing the last data received.
        </p>
      ) : null}
      {plants.length === 0 ? (
        <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
          <p className="font-medium">No plants in your scope</p>
          <p className="mt-1 text-muted-foreground">Ask an administrator to give your account access to the plants you are responsible for.</p>
        </div>
      ) : (
        <ul className="grid grid-cols-1 gap-3 xl:grid-cols-2" aria-label="Plants">
          {plants.map((plant) => (
            <li key={plant.id} className="min-w-0">
              <PlantCard plant={plant} canEdit={canEdit} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
