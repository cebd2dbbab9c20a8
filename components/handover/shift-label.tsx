"use client";
import { Time } from "@/components/ui/time";

/** "Early, 01 Dec 2026, 06:00 CET – 14:00 CET (Europe/Berlin)": a shift by name and local times in the plant's zone, named. */
export function ShiftLabel({ name, start, end, zone, className }: { name: string; start: string; end: string; zone: string; className?: string }) {
  return (
    <span className={className}>
      <span className="font-medium">{name}</span>, <Time iso={start} plantZone={zone} /> – <Time iso={end} plantZone={zone} style="time" /> ({zone})
    </span>
  );
}
