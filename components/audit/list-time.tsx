"use client";
import { Time, useUserZone } from "@/components/ui/time";
import { formatInstant } from "@/lib/format";

/**
 * An instant in a list that mixes plants (transactions, the audit trail): first in the user's zone, one
 * zone for the whole list so "newest first" reads in order; then, when the row concerns a plant in another
 * zone, the plant's time as its detail pages write it ("06 Dec 2026, 15:18 CET"), zones always named.
 */
export function ListTime({ iso, plantZone }: { iso: string; plantZone?: string | null }) {
  const userZone = useUserZone();
  // Another zone that writes this instant differently (Amsterdam and Berlin both say CET: once is enough).
  const other = !!plantZone && formatInstant(iso, plantZone) !== formatInstant(iso, userZone);
  return (
    <span className="grid whitespace-nowrap">
      <Time iso={iso} className="tabular-nums" />
      {other ? (
        <span className="text-muted-foreground" data-testid="plant-time">
          <span className="sr-only">; </span>
          <Time iso={iso} plantZone={plantZone} className="tabular-nums" /> (plant time)
        </span>
      ) : null}
    </span>
  );
}
