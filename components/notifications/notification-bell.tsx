"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Bell } from "lucide-react";
import Link from "next/link";
import { useSocketEvent } from "@/components/realtime-provider";
import { useAnnounce } from "@/components/ui/announcer";
import { buttonVariants } from "@/components/ui/button";
import { apiFetch } from "@/lib/api";
import { formatCount } from "@/lib/format";
import { notificationKeys } from "@/lib/query-keys";
import { cn } from "@/lib/utils";
import type { NotificationList } from "@/server/notifications/list-notifications";
import type { NotificationNotice } from "@/server/realtime/events";

/** "Flow stopped · PL-WRO · PRODORD_CONFIRM (fired 3 times)": how a notice is read out. */
export const noticeSentence = (n: Pick<NotificationNotice, "title" | "count">) => `${n.title}${n.count > 1 ? ` (fired ${formatCount(n.count)} times)` : ""}`;

/**
 * The bell in the app shell: the user's unread notifications, live (their own socket room sends
 * "notification.new"; each is read out once), linking to /notifications. The count is in the link's
 * accessible name, not only in the badge.
 */
export function NotificationBell() {
  const qc = useQueryClient();
  const announce = useAnnounce();
  const query = useQuery({
    queryKey: notificationKeys.unread(),
    queryFn: async () => (await apiFetch<NotificationList>("/api/notifications?limit=1")).unread,
    staleTime: 30_000,
  });
  useSocketEvent("notification.new", (n) => {
    announce(`New notification: ${noticeSentence(n)}`);
    void qc.invalidateQueries({ queryKey: notificationKeys.all });
  });
  const unread = query.data ?? 0;
  const label = unread ? `Notifications: ${formatCount(unread)} unread` : "Notifications: none unread";
  return (
    <Link
      href="/notifications"
      aria-label={label}
      title={label}
      className={cn(buttonVariants({ variant: "ghost", size: "icon" }), "relative")}
      data-testid="notification-bell"
    >
      <Bell aria-hidden />
      {unread ? (
        <span
          aria-hidden
          data-testid="notification-count"
          className="absolute -top-0.5 -right-0.5 min-w-4 rounded-full bg-danger px-1 text-center text-[10px] leading-4 font-semibold text-danger-foreground"
        >
          {unread > 99 ? "99+" : unread}
        </span>
      ) : null}
    </Link>
  );
}
