import Link from "next/link";
import type { ReactNode } from "react";
import { ConnectionIndicator } from "./connection-indicator";
import { DecisionNotices } from "./corrections/decision-notices";
import { NavLinks } from "./nav-links";
import { NotificationBell } from "./notifications/notification-bell";
import { RealtimeProvider } from "./realtime-provider";
import { RouteFocus } from "./route-focus";
import { ThemeToggle } from "./theme-toggle";
import { AnnouncerProvider } from "./ui/announcer";
import { UserZoneProvider } from "./ui/time";
import { UserMenu } from "./user-menu";

export type ShellUser = { name: string; email: string; roleLabel: string; scope: string };

export function AppShell({
  user,
  nav,
  zone,
  children,
}: {
  user: ShellUser;
  nav: { href: string; label: string }[];
  /** The user's time zone as last reported by their browser (cookie), or null. */
  zone: string | null;
  children: ReactNode;
}) {
  return (
    <RealtimeProvider>
      <UserZoneProvider initialZone={zone}>
        <AnnouncerProvider>
          <a
            href="#main"
            className="sr-only focus:not-sr-only focus:fixed focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-surface focus:px-3 focus:py-2"
          >
            Skip to content
          </a>
          <header className="sticky top-0 z-30 border-b border-border bg-surface/95 backdrop-blur">
            <div className="mx-auto flex h-12 max-w-[1600px] items-center gap-4 px-4">
              <Link href="/" className="flex items-center gap-2 font-semibold tracking-tight">
                <span aria-hidden className="inline-block size-3 rounded-sm bg-danger" />
                Andon
              </Link>
              <NavLinks items={nav} />
              <div className="ml-auto flex items-center gap-2">
                <ConnectionIndicator />
                <NotificationBell />
                <ThemeToggle />
                <UserMenu {...user} />
              </div>
            </div>
          </header>
          <main id="main" className="mx-auto max-w-[1600px] px-4 py-4">
            {children}
          </main>
          <DecisionNotices />
          <RouteFocus />
        </AnnouncerProvider>
      </UserZoneProvider>
    </RealtimeProvider>
  );
}
