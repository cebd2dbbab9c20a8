"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { QueryError } from "@/components/dashboards/query-state";
import { usePlantRooms, useSocketEvent } from "@/components/realtime-provider";
import { ApiError, apiFetch } from "@/lib/api";
import { alertKeys } from "@/lib/query-keys";
import type { AlertView } from "@/server/alerts/alert-view";

/**
 * The alert inbox: alerts of the user's plants, live (an alert firing, acknowledged, assigned or
 * resolved anywhere refetches the list at once). Handlers acknowledge, take and resolve; every action
 * is checked and audited on the server; a refused one says why.
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
  const act = useMutation({
    mutationFn: ({ id, action, body }: { id: string; action: "acknowledge" | "assign" | "resolve"; body?: unknown }) =>
      apiFetch<AlertView>(`/api/alerts/${id}/${action}`, { method: "POST", body: JSON.stringify(body ?? {}) }),
    onSettled: refetch,
  });
  const setFilter = (next: { status?: string; plant?: string | null }) => {
    const p = new URLSearchParams();
    p.set("status", next.status ?? status);
    const pl = next.plant === undefined ? plant : next.plant;
    if (pl) p.set("plant", pl);
    router.push(`/alerts?${p}`);
  };
  const fmt = (iso: string, tz: string) => new Intl.DateTimeFormat("en-GB", { timeZone: tz, dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
  const { alerts, open, total } = query.data;

  return (
    <section aria-labelledby="inbox-heading" className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <h2 id="inbox-heading" className="mr-auto text-base font-semibold">
          Inbox <span className="text-sm font-normal text-muted-foreground">({open} open)</span>
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
        <p role="alert" className="text-sm text-danger">
          {act.error instanceof ApiError ? act.error.message : "The action failed"}
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
            <li key={a.id} className={a.id === highlight ? "bg-muted/60 px-4 py-3" : "px-4 py-3"} data-alert={a.id} data-status={a.status}>
              <div className="flex flex-wrap items-center gap-2 text-sm">
                <Badge tone={SEV_TONE[a.severity as keyof typeof SEV_TONE] ?? "neutral"}>{a.severity.toLowerCase()}</Badge>
                <span className="font-medium">{a.rule}</span>
                <span className="text-muted-foreground">·</span>
                <Link href={`/plants/${a.plantCode}`} className="font-mono text-xs hover:underline">
                  {a.subject}
                </Link>
                <Badge tone="outline" className="ml-auto">
                  {a.status.toLowerCase()}
                </Badge>
              </div>
              <p className="mt-1 text-sm">{a.message}</p>
              <p className="mt-1 text-xs text-muted-foreground">
                fired {fmt(a.firedAt, a.timezone)} ({a.timezone}){a.acknowledgedBy ? ` · acknowledged by ${a.acknowledgedBy}` : ""}
                {a.assignee ? ` · assigned to ${a.assignee.label}` : ""}
                {a.resolvedAt ? ` · resolved ${fmt(a.resolvedAt, a.timezone)} by ${a.resolvedBy}` : ""}
              </p>
              {canHandle && a.status !== "RESOLVED" ? (
                <div className="mt-2 flex flex-wrap gap-2">
                  {a.status === "FIRING" ? (
                    <Button size="sm" disabled={act.isPending} onClick={() => act.mutate({ id: a.id, action: "acknowledge" })}>
                      Acknowledge
                    </Button>
                  ) : null}
                  {a.assignee?.id !== me ? (
                    <Button
                      size="sm"
                      variant="secondary"
                      disabled={act.isPending}
                      onClick={() => act.mutate({ id: a.id, action: "assign", body: { assigneeId: me } })}
                    >
                      Take it
                    </Button>
                  ) : (
                    <Button
                      size="sm"
                      variant="secondary"
                      disabled={act.isPending}
                      onClick={() => act.mutate({ id: a.id, action: "assign", body: { assigneeId: null } })}
                    >
                      Release
                    </Button>
                  )}
                  <Button size="sm" variant="ghost" disabled={act.isPending} onClick={() => act.mutate({ id: a.id, action: "resolve" })}>
                    Resolve
                  </Button>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {total > alerts.length ? (
        <p className="text-xs text-muted-foreground">
          Showing the newest {alerts.length} of {total}.
        </p>
      ) : null}
    </section>
  );
}
