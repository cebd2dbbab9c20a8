"use client";
import { Button } from "@/components/ui/button";

/** An honest error state: what failed, the server's reason, a retry; `stale` says the figures shown may be old. */
export function QueryError({ what, error, retry, stale = false }: { what: string; error: unknown; retry: () => void; stale?: boolean }) {
  return (
    <div role="alert" className="flex flex-wrap items-center gap-3 rounded-lg border border-danger/40 bg-danger/5 px-4 py-3 text-sm">
      <p className="flex-1">
        Could not load {what}: {error instanceof Error ? error.message : "unknown error"}.{stale ? " The figures below may be out of date." : ""}
      </p>
      <Button size="sm" variant="secondary" onClick={retry}>
        Retry
      </Button>
    </div>
  );
}
