"use client";
import { Button } from "@/components/ui/button";

/** Any portal page that failed to render: say so, offer a retry (the error itself is logged by the server). */
export default function PortalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-danger/40 bg-danger/5 px-4 py-6 text-sm">
      <h1 className="font-semibold">This page could not be loaded</h1>
      <p className="mt-1 text-muted-foreground">
        The server could not answer just now{error.digest ? ` (reference ${error.digest})` : ""}. Your data is safe; try again in a moment.
      </p>
      <Button className="mt-3" size="sm" onClick={reset}>
        Try again
      </Button>
    </div>
  );
}
