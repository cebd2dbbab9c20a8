"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { focusElement, useAnnounce } from "@/components/ui/announcer";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Time } from "@/components/ui/time";
import { QueryError } from "@/components/dashboards/query-state";
import { usePlantRooms, useSocketEvent } from "@/components/realtime-provider";
import { ApiError, apiFetch } from "@/lib/api";
import { formatCount } from "@/lib/format";
import { ALERT_STATUS_LABELS, SEVERITY_LABELS, labelOf } from "@/lib/labels";
import { alertKeys } from "@/lib/query-keys";
import type { AlertView } from "@/server/alerts/alert-view";

/**
 * The alert inbox: alerts of the user's plants in the order they are worked (firing first, then the most
 * severe, then the longest firing; the server sorts), live (an alert firing, acknowledged, assigned or
 * resolved anywhere refetches the list at once). Each alert links to its plant and to the exceptions
 * behind it. Handlers acknowledge, take and resolve; every action is checked and audited on the server,
 * its outcome shown and read out, and focus follows the alert (or moves to the next one when it leaves
 * the view); a refused one says why.
 */
type Inbox = { alerts: AlertView[]; open: number; total: number };
const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
const STATUS_FILTERS = [
  ["open", "Open"],
  ["FIRING", "Firing"],
  ["ACKNOWLEDGED", "Acknowledged"],
  ["RESOLVED", "Resolved"],
  ["all", "All"],
] as const;

export function AlertInbox({
  initial,
  status,
  plant,
  plantIds,
  canHandle,
  me,
  highlight,
}: {
  initial: Inbox;
  status: string;
  plant: string | null;
  plantIds: string[];
  canHandle: boolean;
  me: string;
  highlight: string | null;
}) {
  const qc = useQueryClient();
  const router = useRouter();
  const filter = { status, ...(plant ? { plant } : {}) };
  const key = alertKeys.inbox(filter);
  const query = useQuery({
    queryKey: key,
    queryFn: () => apiFetch<Inbox>(`/api/alerts?${new URLSearchParams(filter)}`),
    initialData: initial,
    staleTime: 5_000,
    refetchInterval: 60_000,
  });
  const refetch = () => void qc.invalidateQueries({ queryKey: alertKeys.all });
  usePlantRooms(plantIds, refetch);
  useSocketEvent("alert.changed", refetch);
  const announce = useAnnounce();
  const [outcome, setOutcome] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const act = useMutation({
    mutationFn: ({ id, action, body }: { id: string; action: "acknowledge" | "assign" | "resolve"; body?: unknown; next: string | null }) =>
      apiFetch<AlertView>(`/api/alerts/${id}/${action}`, { method: "POST", body: JSON.stringify(body ?? {}) }),
    onSuccess: async (a, { action, next }) => {
      const what = `${a.rule} · ${a.subject}`;
      const message =
        action === "acknowledge"
          ? `Acknowledged: ${what}.`
          : action === "resolve"
            ? `Resolved: ${what}.`
            : a.assignee
              ? `Assigned to ${a.assignee.id === me ? "you" : a.assignee.label}: ${what}.`
              : `Released: ${what}.`;
      setOutcome(message);
      announce(message);
      focusAfter.current = { id: a.id, next, since: query.dataUpdatedAt };
      await qc.invalidateQueries({ queryKey: alertKeys.all });
    },
    onError: (e) => announce(e instanceof ApiError ? e.message : "The action failed", "assertive"),
  });
  // Focus follows the work once the list shows the action's result: the alert itself where it now stands,
  // or (when it left this view) the next one, else the inbox heading.
  const focusAfter = useRef<{ id: string; next: string | null; since: number } | null>(null);
  useEffect(() => {
    const f = focusAfter.current;
    if (!f || query.dataUpdatedAt <= f.since) return;
    focusAfter.current = null;
    const title = (id: string | null) => (id ? document.querySelector<HTMLElement>(`[data-alert-title="${CSS.escape(id)}"]`) : null);
    focusElement(title(f.id) ?? title(f.next) ?? heading.current);
  }, [query.dataUpdatedAt]);
  /** The alert after `id` in the list (else the one before): where focus goes if `id` leaves the view. */
  const nextOf = (id: string) => {
    const i = query.data.alerts.findIndex((a) => a.id === id);
    return query.data.alerts[i + 1]?.id ?? query.data.alerts[i - 1]?.id ?? null;
  };
  const setFilter = (next: { status?: string; plant?: string | null }) => {
    const p = new URLSearchParams();
    p.set("status", next.status ?? status);
    const pl = next.plant === undefined ? plant : next.plant;
    if (pl) p.set("plant", pl);
    router.push(`/alerts?${p}`);
  };
  const { alerts, open, total } = query.data;

  return (
    <section aria-labelledby="inbox-heading" className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="inbox-heading" ref={heading} className="mr-auto text-base font-semibold">
          Inbox <span className="text-sm font-normal text-muted-foreground">({formatCount(open)} open)</span>
        </h2>
        <nav aria-label="Alert status" className="flex gap-1 text-xs">
          {STATUS_FILTERS.map(([s, label]) => (
            <button
              key={s}
              type="button"
              onClick={() => setFilter({ status: s })}
              aria-pressed={s === status}
              className={s === status ? "rounded-md bg-muted px-2 py-1 font-medium" : "rounded-md px-2 py-1 text-muted-foreground hover:bg-muted"}
            >
              {label}
            </button>
          ))}
        </nav>
        {plant ? (
          <Button size="sm" variant="ghost" onClick={() => setFilter({ plant: null })}>
            Plant {plant} ✕
          </Button>
        ) : null}
      </div>
      {query.isError ? <QueryError what="alerts" error={query.error} retry={() => void query.refetch()} stale /> : null}
      {act.error ? (
        <p className="text-sm text-danger" data-testid="alerts-error">
          {act.error instanceof ApiError ? act.error.message : "The action failed"}
        </p>
      ) : outcome ? (
        <p className="text-sm" data-testid="alerts-outcome">
          {outcome}
        </p>
      ) : null}
      {alerts.length === 0 ? (
        <p className="rounded-lg border border-dashed border-border px-4 py-8 text-center text-sm text-muted-foreground">
          {status === "open"
            ? "No open alerts for your plants. Rules are evaluated every minute; when one fires it appears here at once."
            : "No alerts match this filter."}
        </p>
      ) : (
        <ul className="divide-y divide-border rounded-lg border border-border bg-surface" aria-label="Alerts">
          {alerts.map((a) => (
            <li
              key={a.id}
              className={a.id === highlight ? "bg-muted/60 px-4 py-3" : "px-4 py-3"}
              data-alert={a.id}
              data-status={a.status}
              data-severity={a.severity}
            >
              <article aria-labelledby={`alert-${a.id}`}>
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <Badge tone={SEV_TONE[a.severity as keyof typeof SEV_TONE] ?? "neutral"}>{labelOf(SEVERITY_LABELS, a.severity)}</Badge>
                  <h3 id={`alert-${a.id}`} data-alert-title={a.id} className="font-medium">
                    {a.rule} <span className="font-normal text-muted-foreground">· {a.subject}</span>
                  </h3>
                  <Badge tone="outline" className="ml-auto">
                    {labelOf(ALERT_STATUS_LABELS, a.status)}
                  </Badge>
                </div>
                <p className="mt-1 text-sm">{a.message}</p>
                <p className="mt-1 text-xs text-muted-foreground">
                  fired <Time iso={a.firedAt} plantZone={a.timezone} />
                  {a.acknowledgedBy ? ` · acknowledged by ${a.acknowledgedBy}` : ""}
                  {a.assignee ? ` · assigned to ${a.assignee.label}` : ""}
                  {a.resolvedAt ? (
                    <>
                      {" "}
                      · resolved <Time iso={a.resolvedAt} plantZone={a.timezone} /> by {a.resolvedBy}
                    </>
                  ) : null}
                </p>
                <p className="mt-1 flex flex-wrap gap-3 text-xs">
                  {a.exceptionsHref ? (
                    <Link href={a.exceptionsHref} className="font-medium underline">
                      Open exceptions of {a.subject}
                    </Link>
                  ) : null}
                  <Link href={`/plants/${a.plantCode}`} className="underline">
                    Plant {a.plantCode}
                  </Link>
                </p>
                {canHandle && a.status !== "RESOLVED" ? (
                  <div className="mt-2 flex flex-wrap gap-2">
                    {a.status === "FIRING" ? (
                      <Button size="sm" disabled={act.isPending} onClick={() => act.mutate({ id: a.id, action: "acknowledge", next: nextOf(a.id) })}>
                        Acknowledge
                      </Button>
                    ) : null}
                    {a.assignee?.id !== me ? (
                      <Button
                        size="sm"
                        variant="secondary"
                        disabled={act.isPending}
                        onClick={() => act.mutate({ id: a.id, action: "assign", body: { assigneeId: me }, next: nextOf(a.id) })}
                      >
                        Take it
                      </Button>
                    ) : (
                      <Button
                        size="sm"
                        variant="secondary"
                        disabled={act.isPending}
                        onClick={() => act.mutate({ id: a.id, action: "assign", body: { assigneeId: null }, next: nextOf(a.id) })}
                      >
                        Release
                      </Button>
                    )}
                    <Button size="sm" variant="ghost" disabled={act.isPending} onClick={() => act.mutate({ id: a.id, action: "resolve", next: nextOf(a.id) })}>
                      Resolve
                    </Button>
                  </div>
                ) : null}
              </article>
            </li>
          ))}
        </ul>
      )}
      {total > alerts.length ? (
        <p className="text-xs text-muted-foreground">
          Showing the first {formatCount(alerts.length)} of {formatCount(total)}.
        </p>
      ) : null}
    </section>
  );
}
