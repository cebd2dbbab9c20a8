"use client";
import { createContext, type ReactNode, useContext, useEffect, useState } from "react";
import { formatInstant, safeZone, type TimeStyle, ZONE_COOKIE } from "@/lib/format";

const UserZone = createContext<string>("UTC");

/**
 * The user's time zone: first the one the server read from the cookie (so server and browser render the
 * same text and hydration matches), then, after mounting, the browser's own, remembered in the cookie.
 */
export function UserZoneProvider({ initialZone, children }: { initialZone: string | null; children: ReactNode }) {
  const [zone, setZone] = useState(() => safeZone(initialZone));
  useEffect(() => {
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (browser && /^[A-Za-z0-9_+/-]+$/.test(browser) && safeZone(browser) === browser && browser !== zone) {
      // biome-ignore lint/suspicious/noDocumentCookie: a plain preference cookie, read by the server layout
      document.cookie = `${ZONE_COOKIE}=${browser}; path=/; max-age=31536000; samesite=lax`;
      setZone(browser);
    }
  }, [zone]);
  return <UserZone.Provider value={zone}>{children}</UserZone.Provider>;
}

/** The user's zone (for instants that concern no plant). */
export function useUserZone(): string {
  return useContext(UserZone);
}

/**
 * An instant as Andon writes it: in `plantZone` when it concerns a plant, else in the user's zone, the zone
 * always named; the exact UTC instant in the tooltip and the machine-readable attribute.
 */
export function Time({
  iso,
  plantZone,
  style = "datetime",
  className,
}: {
  iso: string | null | undefined;
  plantZone?: string | null;
  style?: TimeStyle;
  className?: string;
}) {
  const userZone = useUserZone();
  if (!iso) return <span className={className}>—</span>;
  const zone = plantZone ? safeZone(plantZone) : userZone;
  return (
    <time dateTime={iso} title={`${new Date(iso).toISOString().replace("T", " ").slice(0, 19)} UTC`} className={className}>
      {formatInstant(iso, zone, style)}
    </time>
  );
}
