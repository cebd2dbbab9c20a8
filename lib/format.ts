/**
 * How Andon writes times, numbers and durations — one convention for every page and export:
 * - an instant that concerns a plant is written in that plant's time zone, with the zone named ("14:18 CET");
 * - any other instant in the user's zone (components/ui/time.tsx knows it), also named;
 * - counts with thousands separators; durations in words ("15 min", "1 h 30 min"), never bare seconds.
 * Client-safe: no server code.
 */

/** The cookie the browser keeps its IANA zone in, so the server renders the user's times as the browser will. */
export const ZONE_COOKIE = "andon_tz";

export type TimeStyle = "datetime" | "datetime-seconds" | "time" | "time-seconds" | "date";

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string, style: TimeStyle): Intl.DateTimeFormat {
  const key = `${zone}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    const withDate = style === "datetime" || style === "datetime-seconds" || style === "date";
    const withTime = style !== "date";
    const seconds = style === "datetime-seconds" || style === "time-seconds";
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      ...(withDate ? { year: "numeric", month: "short", day: "2-digit" } : {}),
      ...(withTime ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" } : {}),
      ...(seconds ? { second: "2-digit" } : {}),
    });
    formatters.set(key, f);
  }
  return f;
}

/** A valid IANA zone, or UTC (an unknown zone never throws while rendering). */
export function safeZone(zone: string | null | undefined): string {
  if (!zone) return "UTC";
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return zone;
  } catch {
    return "UTC";
  }
}

/** "06 Dec 2026, 15:18 CET" — the instant in `zone`, the zone always named (except the date-only style). */
export function formatInstant(iso: string | Date | null | undefined, zone: string, style: TimeStyle = "datetime"): string {
  if (iso === null || iso === undefined) return "—";
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return formatter(safeZone(zone), style).format(d);
}

/** For CSV/NDJSON exports: ISO 8601 with the zone's offset ("2026-12-06T15:18:02+01:00"), unambiguous and sortable per zone. */
export function isoInZone(iso: string | Date, zone: string): string {
  const d = iso instanceof Date ? iso : new Date(iso);
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: safeZone(zone),
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((wall - Math.floor(d.getTime() / 1000) * 1000) / 60_000);
  const sign = offsetMin < 0 ? "-" : "+";
  const abs = Math.abs(offsetMin);
  const off = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${off}`;
}

const integer = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 0 });
const decimal1 = new Intl.NumberFormat("en-GB", { maximumFractionDigits: 1, minimumFractionDigits: 0 });

/** 18306 → "18,306"; null → "—". */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "—" : integer.format(n);
}

/** 0.1234 → "12.3 %" (a share 0..1). */
export function formatShare(share: number | null | undefined): string {
  return share === null || share === undefined || !Number.isFinite(share) ? "—" : `${decimal1.format(share * 100)}\u00a0%`;
}

/** A signed change: +18 / −43 / ±0 (a real minus sign). */
export function formatDelta(n: number): string {
  if (n === 0) return "±0";
  return n > 0 ? `+${integer.format(n)}` : `\u2212${integer.format(-n)}`;
}

/** Seconds in words: 45 → "45 s", 900 → "15 min", 5400 → "1 h 30 min", 172800 → "2 d". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, seconds);
  if (s < 1) return `${Math.round(s * 1000)}\u00a0ms`;
  if (s < 60) return `${decimal1.format(s)}\u00a0s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes}\u00a0min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = minutes % 60;
    return rest ? `${hours}\u00a0h ${rest}\u00a0min` : `${hours}\u00a0h`;
  }
  const days = Math.floor(hours / 24);
  const restH = hours % 24;
  return restH ? `${days}\u00a0d ${restH}\u00a0h` : `${days}\u00a0d`;
}

/** A rate with its unit kept on one line: 60 → "60.0\u00a0/s". */
export function formatRate(perSecond: number | null | undefined): string {
  return perSecond === null || perSecond === undefined || !Number.isFinite(perSecond) ? "—" : `${perSecond.toFixed(1)}\u00a0/s`;
}
