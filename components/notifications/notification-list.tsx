"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useSocketEvent } from "@/components/realtime-provider";
import { useAnnounce } from "@/components/ui/announcer";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Time } from "@/components/ui/time";
import { ApiError, apiFetch } from "@/lib/api";
import { formatCount } from "@/lib/format";
import { ESCALATION_LEVEL_LABELS, SEVERITY_LABELS } from "@/lib/labels";
import { notificationKeys } from "@/lib/query-keys";
import type { NotificationList, NotificationView } from "@/server/notifications/list-notifications";

const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;

/**
 * The user's notifications, newest first: what fired, how often (repeated firings of one subject are
 * one row with a count), on which rung of the escalation ladder it reached them, when; each links to
 * its subject. Reading one marks it read (the alert itself still needs acknowledging in the inbox).
 */
export function NotificationListView({ initial }: { initial: NotificationList }) {
  const qc = useQueryClient();
  const announce = useAnnounce();
  const query = useQuery({
    queryKey: notificationKeys.list(false),
    queryFn: () => apiFetch<NotificationList>("/api/notifications?limit=100"),
    initialData: initial,
  });
  useSocketEvent("notification.new", () => void qc.invalidateQueries({ queryKey: notificationKeys.list(false) }));
  const done = (message: string) => {
    announce(message);
    return qc.invalidateQueries({ queryKey: notificationKeys.all });
  };
  const markOne = useMutation({
    mutationFn: (n: NotificationView) => apiFetch<{ unread: number }>(`/api/notifications/${n.id}/read`, { method: "POST" }),
    onSuccess: (r, n) => done(`Marked read: ${n.title}. ${formatCount(r.unread)} unread.`),
    onError: (e) => announce(e instanceof ApiError ? e.message : "Could not mark the notification read", "assertive"),
  });
  const markAll = useMutation({
    mutationFn: () => apiFetch<{ marked: number }>("/api/notifications/read-all", { method: "POST" }),
    onSuccess: (r) => done(`Marked ${formatCount(r.marked)} notifications read.`),
    onError: (e) => announce(e instanceof ApiError ? e.message : "Could not mark the notifications read", "assertive"),
  });
  const { items, unread } = query.data;
  const error = markOne.error ?? markAll.error;
  return (
    <section aria-labelledby="notifications-heading" className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <h1 id="notifications-heading" className="mr-auto text-lg font-semibold">
          Notifications
        </h1>
        <p className="text-sm text-muted-foreground" data-testid="unread-count">
          {unread ? `${formatCount(unread)} unread` : "All read"}
        </p>
        <Button size="sm" variant="secondary" disabled={!unread || markAll.isPending} onClick={() => markAll.mutate()}>
          Mark all read
        </Button>
      </div>
      <p className="text-xs text-muted-foreground">
        You are notified once when an alert of your interfaces or plants fires, and again only when it climbs the escalation ladder unacknowledged; a subject
        that fires again is the same row, counted. Acknowledge the alert itself to stop the ladder.
      </p>
      {error ? (
        <p role="alert" className="text-sm text-danger">
          {error instanceof ApiError ? error.message : "The change failed"}
        </p>
      ) : null}
      {items.length === 0 ? (
        <p className="rounded-lg border border-dashed border-border px-4 py-6 text-center text-sm text-muted-foreground">
          No notifications. When an alert of an interface you own, or of a plant you lead or manage, fires or escalates, it appears here.
        </p>
      ) : (
        <ul className="divide-y divide-border rounded-lg border border-border bg-surface" aria-label="Your notifications">
          {items.map((n) => (
            <li
              key={n.id}
              className={`flex flex-wrap items-start gap-x-3 gap-y-1 px-3 py-2 text-sm ${n.readAt ? "" : "bg-muted/40"}`}
              data-testid="notification"
            >
              <Badge tone={SEV_TONE[n.severity]}>{SEVERITY_LABELS[n.severity]}</Badge>
              <div className="min-w-0 flex-1 space-y-0.5">
                <p className="flex flex-wrap items-center gap-2">
                  {n.readAt ? null : <span className="sr-only">Unread: </span>}
                  <Link
                    href={n.href}
                    className={`underline-offset-4 hover:underline ${n.readAt ? "" : "font-semibold"}`}
                    onClick={() => (n.readAt ? undefined : markOne.mutate(n))}
                  >
                    {n.title}
                  </Link>
                  {n.count > 1 ? (
                    <Badge tone="outline" data-testid="notification-fired">
                      fired {formatCount(n.count)} times
                    </Badge>
                  ) : null}
                  {n.level ? (
                    <span className="text-xs text-muted-foreground">
                      {n.level === "TECHNICAL_OWNER" ? "first notice" : `escalated to the ${ESCALATION_LEVEL_LABELS[n.level].toLowerCase()}`}
                    </span>
                  ) : null}
                </p>
                <p className="text-muted-foreground">{n.body}</p>
                <p className="text-xs text-muted-foreground">
                  {n.plantCode ? `${n.plantCode} · ` : ""}
                  {n.count > 1 ? "last " : ""}
                  <Time iso={n.lastAt} plantZone={n.plantTimezone} />
                  {n.count > 1 ? (
                    <>
                      {" · first "}
                      <Time iso={n.createdAt} plantZone={n.plantTimezone} />
                    </>
                  ) : null}
                </p>
              </div>
              {n.readAt ? null : (
                <Button size="sm" variant="ghost" aria-label={`Mark read: ${n.title}`} disabled={markOne.isPending} onClick={() => markOne.mutate(n)}>
                  Mark read
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
