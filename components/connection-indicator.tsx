"use client";
import { cn } from "@/lib/utils";
import { useRealtime } from "./realtime-provider";

const LABELS = { connected: "Live", connecting: "Connecting…", disconnected: "Offline — reconnecting" } as const;

export function ConnectionIndicator() {
  const { status } = useRealtime();
  return (
    <span
      role="status"
      aria-live="polite"
      data-status={status}
      className="inline-flex items-center gap-1.5 text-xs text-muted-foreground"
      title="Live updates connection"
    >
      <span
        aria-hidden
        className={cn("size-2 rounded-full", status === "connected" ? "bg-success" : status === "connecting" ? "bg-warning animate-pulse" : "bg-danger")}
      />
      {LABELS[status]}
    </span>
  );
}
