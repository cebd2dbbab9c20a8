"use client";
import { useState } from "react";
import { useAnnounce } from "@/components/ui/announcer";
import { ApiError } from "@/lib/api";

/**
 * Shared by the flow-monitoring admin sections: the outcome line of the last action (visible, and read
 * out by the portal's announcer), a refusal in the server's words (a 409 says someone else changed it).
 */
export type Outcome = { ok: boolean; text: string } | null;

export function useOutcome(): [Outcome, (ok: boolean, text: string) => void] {
  const announce = useAnnounce();
  const [outcome, setOutcome] = useState<Outcome>(null);
  return [
    outcome,
    (ok, text) => {
      setOutcome({ ok, text });
      announce(text, ok ? "polite" : "assertive");
    },
  ];
}

export const failure = (err: unknown, what: string) => (err instanceof ApiError ? `${what}: ${err.message}` : `${what} failed`);

export function OutcomeLine({ outcome, testId }: { outcome: Outcome; testId: string }) {
  if (!outcome) return null;
  return (
    <p className={outcome.ok ? "text-xs" : "text-xs text-danger"} data-testid={testId} data-ok={outcome.ok}>
      {outcome.text}
    </p>
  );
}

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
export const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;
export const selectClass = "h-8 rounded-md border border-border bg-surface px-2 text-xs";
