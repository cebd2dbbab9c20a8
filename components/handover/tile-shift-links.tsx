"use client";
import Link from "next/link";
import { Time } from "@/components/ui/time";
import type { ShiftWindows } from "@/server/dashboards/shift-window";

/**
 * A dashboard tile's way into the plant's shift views: the shift running now (by name and local times in the
 * plant's zone), and links to the plant page's "This shift" / "Last shift" ranges and to its handover.
 */
export function TileShiftLinks({ code, zone, windows }: { code: string; zone: string; windows: ShiftWindows | undefined }) {
  if (!windows?.hasShifts) return null;
  const c = windows.current;
  return (
    <p className="text-xs text-muted-foreground" data-testid="tile-shift">
      {c ? (
        <>
          Shift {c.name}, <Time iso={c.start} plantZone={zone} style="time" /> – <Time iso={c.end} plantZone={zone} style="time" />
        </>
      ) : (
        "No shift running"
      )}
      {" · "}
      {c ? (
        <>
          <Link className="underline" href={`/plants/${code}?shift=current`}>
            This shift
          </Link>
          {" · "}
        </>
      ) : null}
      {windows.previous ? (
        <>
          <Link className="underline" href={`/plants/${code}?shift=previous`}>
            Last shift
          </Link>
          {" · "}
        </>
      ) : null}
      <Link className="underline" href={`/plants/${code}/handover`}>
        Handover
      </Link>
    </p>
  );
}
