/** Wall-clock time in a timezone ⇄ instants, without a date library (Intl does the zone rules). */
function offsetMs(instant: number, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** "2026-11-23T08:00" read as wall-clock time in `timeZone` → the instant (ISO, UTC). */
export function zonedToIso(local: string, timeZone: string): string {
  const guess = Date.parse(`${local.length === 16 ? `${local}:00` : local}Z`);
  if (Number.isNaN(guess)) throw new Error(`Not a date and time: ${local}`);
  let t = guess - offsetMs(guess, timeZone);
  t = guess - offsetMs(t, timeZone); // second pass settles DST edges
  return new Date(t).toISOString();
}

/** An instant → "YYYY-MM-DDTHH:mm" wall-clock in `timeZone` (the value of a datetime-local input). */
export function isoToZoned(iso: string, timeZone: string): string {
  const t = Date.parse(iso);
  return new Date(t + offsetMs(t, timeZone)).toISOString().slice(0, 16);
}
