"use client";
import { ArrowDown, ArrowUp, Layers, List, Minus } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useCallback, useState, useTransition } from "react";
import { useMutation } from "@tanstack/react-query";
import { X } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { apiFetch } from "@/lib/api";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { OPEN_STATUSES } from "@/lib/rules";
import { cn } from "@/lib/utils";
import type { ExceptionGroup, QueueFilter, QueueRow } from "@/server/exceptions/queue";
import { useExceptionChanges, usePlantRooms } from "../realtime-provider";
import { BulkBar, BulkOperations } from "./bulk-actions";

const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
const STATUS_LABEL: Record<string, string> = {
  NEW: "New",
  TRIAGED: "Triaged",
  CORRECTING: "Correcting",
  AWAITING_APPROVAL: "Awaiting approval",
  APPROVED: "Approved",
  REPLAY_QUEUED: "Replay queued",
  REPLAYING: "Replaying",
  REPLAY_FAILED: "Replay failed",
  REJECTED: "Rejected",
  RESOLVED: "Resolved",
  DISCARDED: "Discarded",
};
const OPEN: readonly string[] = OPEN_STATUSES;

function age(iso: string): string {
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

type Props = {
  view: "list" | "groups";
  filter: QueueFilter;
  queue: { items: QueueRow[]; nextCursor: string | null; counts: Record<string, number>; capped: string[]; matching: number; matchingCapped: boolean };
  groups: ExceptionGroup[] | null;
  plants: { id: string; code: string }[];
  interfaces: string[];
  views: { id: string; name: string; query: string }[];
  /** Bulk actions this user may start (from the policy), and their id (for "assign to me"). */
  bulkKinds: ("ASSIGN" | "COMMENT" | "DISCARD" | "REPLAY" | "CORRECT")[];
  me: string;
  /** The filter alone (no paging/display parameters): what "everything matching" acts on. */
  filterQuery: string;
};

export function ExceptionsQueue({ view, filter, queue, groups, plants, interfaces, views, bulkKinds, me, filterQuery }: Props) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [pending, startTransition] = useTransition();

  /** Filters live in the URL: a view is shareable and survives reloads. */
  const setParams = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    if (!("cursor" in changes)) next.delete("cursor");
    startTransition(() => router.push(`${pathname}?${next.toString()}`));
  };

  // Live: refresh the server-rendered queue when exceptions of these plants change (throttled).
  const watched = filter.plant.length ? plants.filter((p) => filter.plant.includes(p.code)) : plants;
  usePlantRooms(
    watched.map((p) => p.id),
    () => router.refresh(),
  );
  useExceptionChanges(() => router.refresh(), 2000);

  const onSearch = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setParams({ q: String(new FormData(e.currentTarget).get("q") ?? "").trim() || null });
  };

  const count = (s: string) => `${(queue.counts[s] ?? 0).toLocaleString("en")}${queue.capped.includes(s) ? "+" : ""}`;
  const openTotal = OPEN.reduce((n, s) => n + (queue.counts[s] ?? 0), 0);
  const matchingTotal = queue.matching;
  const matchingLabel = `${matchingTotal.toLocaleString("en")}${queue.matchingCapped ? "+" : ""}`;

  // Selection for bulk actions: ids on this page, or everything matching the filter. A new filter clears it.
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [allMatching, setAllMatching] = useState(false);
  const [selectionFilter, setSelectionFilter] = useState(filterQuery);
  if (selectionFilter !== filterQuery) {
    // Reset while rendering (React's "adjusting state when a prop changes"), not in an effect after a stale frame.
    setSelectionFilter(filterQuery);
    setSelected(new Set());
    setAllMatching(false);
  }
  const pageIds = queue.items.map((e) => e.id);
  const pageSelected = pageIds.length > 0 && pageIds.every((id) => selected.has(id));
  const toggle = (id: string) => {
    setAllMatching(false);
    setSelected((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  };
  const togglePage = () => {
    setAllMatching(false);
    setSelected(pageSelected ? new Set() : new Set(pageIds));
  };
  const canBulk = bulkKinds.length > 0;
  const refresh = useCallback(() => router.refresh(), [router]);
  const select = "h-8 rounded-md border border-border bg-surface px-2 text-sm";

  return (
    <div className="space-y-3" aria-busy={pending}>
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="mr-auto text-lg font-semibold">Exceptions</h1>
        <fieldset aria-label="View" className="flex rounded-md border border-border">
          <Button variant={view === "list" ? "secondary" : "ghost"} size="sm" aria-pressed={view === "list"} onClick={() => setParams({ view: null })}>
            <List /> List
          </Button>
          <Button variant={view === "groups" ? "secondary" : "ghost"} size="sm" aria-pressed={view === "groups"} onClick={() => setParams({ view: "groups" })}>
            <Layers /> Groups
          </Button>
        </fieldset>
      </div>

      <SavedViews views={views} current={params.toString()} onChanged={() => router.refresh()} />

      <nav aria-label="Status" className="flex flex-wrap gap-1 text-xs">
        {[
          ["open", `Open (${openTotal.toLocaleString("en")}${OPEN.some((s) => queue.capped.includes(s)) ? "+" : ""})`],
          ...OPEN.filter((s) => queue.counts[s]).map((s) => [s, `${STATUS_LABEL[s]} (${count(s)})`]),
          ["RESOLVED", `Resolved (${count("RESOLVED")})`],
          ["DISCARDED", `Discarded (${count("DISCARDED")})`],
          ["all", "All"],
        ].map(([value, label]) => (
          <button
            key={value}
            type="button"
            onClick={() => setParams({ status: value === "open" ? null : value! })}
            aria-current={filter.status === value ? "true" : undefined}
            className={cn("rounded-md px-2 py-1 font-medium hover:bg-muted", filter.status === value ? "bg-muted text-foreground" : "text-muted-foreground")}
          >
            {label}
          </button>
        ))}
      </nav>

      <form onSubmit={onSearch} className="flex flex-wrap items-end gap-2 rounded-lg border border-border bg-surface p-2" aria-label="Filters">
        <label className="flex flex-col gap-0.5 text-xs">
          Plant
          <select className={select} value={filter.plant[0] ?? ""} onChange={(e) => setParams({ plant: e.target.value || null })}>
            <option value="">All plants</option>
            {plants.map((p) => (
              <option key={p.code} value={p.code}>
                {p.code}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-0.5 text-xs">
          Interface
          <select className={select} value={filter.interface[0] ?? ""} onChange={(e) => setParams({ interface: e.target.value || null })}>
            <option value="">All interfaces</option>
            {interfaces.map((i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-0.5 text-xs">
          Severity
          <select className={select} value={filter.severity[0] ?? ""} onChange={(e) => setParams({ severity: e.target.value || null })}>
            <option value="">Any</option>
            {["CRITICAL", "HIGH", "MEDIUM", "LOW"].map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-0.5 text-xs">
          Category
          <select className={select} value={filter.category[0] ?? ""} onChange={(e) => setParams({ category: e.target.value || null })}>
            <option value="">Any</option>
            <option value="BUSINESS">business</option>
            <option value="TECHNICAL">technical</option>
          </select>
        </label>
        <label className="flex flex-col gap-0.5 text-xs">
          Assignee
          <select className={select} value={filter.assignee ?? ""} onChange={(e) => setParams({ assignee: e.target.value || null })}>
            <option value="">Anyone</option>
            <option value="me">Me</option>
            <option value="none">Unassigned</option>
          </select>
        </label>
        <label className="flex flex-col gap-0.5 text-xs">
          Age
          <select className={select} value={filter.age ?? ""} onChange={(e) => setParams({ age: e.target.value || null })}>
            <option value="">Any</option>
            <option value="15m">&lt; 15 min</option>
            <option value="1h">&lt; 1 h</option>
            <option value="4h">&lt; 4 h</option>
            <option value="24h">&lt; 24 h</option>
            <option value="older">older than 24 h</option>
          </select>
        </label>
        <label className="flex flex-col gap-0.5 text-xs">
          Sort
          <select className={select} value={filter.sort} onChange={(e) => setParams({ sort: e.target.value === "recent" ? null : e.target.value })}>
            <option value="recent">Most recent</option>
            <option value="oldest">Oldest first</option>
            <option value="severity">Severity</option>
          </select>
        </label>
        <label className="flex min-w-56 flex-1 flex-col gap-0.5 text-xs">
          Search business key, message or correlation id, error code
          <Input name="q" defaultValue={filter.q ?? ""} placeholder="e.g. WH/OUT/00412" />
        </label>
        <Button type="submit" variant="secondary">
          Search
        </Button>
        {params.toString() ? (
          <Button type="button" variant="ghost" onClick={() => startTransition(() => router.push(pathname))}>
            Clear
          </Button>
        ) : null}
      </form>

      {canBulk ? <BulkOperations onProgress={refresh} /> : null}
      {canBulk && view === "list" && (allMatching || selected.size > 0) ? (
        <BulkBar
          selection={allMatching ? { filter: filterQuery || "status=open" } : { ids: [...selected] }}
          count={allMatching ? matchingTotal : selected.size}
          kinds={bulkKinds}
          me={me}
          onStarted={() => {
            setSelected(new Set());
            setAllMatching(false);
          }}
        />
      ) : null}
      {canBulk && view === "list" && pageSelected && !allMatching && matchingTotal > pageIds.length ? (
        <p className="text-xs">
          All {pageIds.length} on this page are selected.{" "}
          <button type="button" className="font-medium text-primary underline" onClick={() => setAllMatching(true)}>
            Select all {matchingLabel} exceptions matching the filter
          </button>
        </p>
      ) : null}
      {canBulk && view === "list" && filter.fingerprint && !allMatching && !pageSelected && matchingTotal > 0 ? (
        <p className="text-xs">
          Showing one failure group.{" "}
          <button type="button" className="font-medium text-primary underline" onClick={() => setAllMatching(true)}>
            Act on all {matchingLabel} in this group
          </button>
        </p>
      ) : null}

      {view === "groups" && groups ? (
        <GroupsTable groups={groups} onOpen={(fp) => setParams({ fingerprint: fp, view: null })} />
      ) : queue.items.length === 0 ? (
        <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
          <p className="font-medium">No exceptions match</p>
          <p className="mt-1 text-muted-foreground">Widen the filters, or check another status. New failures appear here as connectors report them.</p>
        </div>
      ) : (
        <section
          aria-label="Exceptions"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
          tabIndex={0}
          className="overflow-x-auto rounded-lg border border-border bg-surface focus-visible:outline-2 focus-visible:outline-ring"
        >
          <table className="w-full text-left text-xs">
            <caption className="sr-only">Exceptions matching the filters</caption>
            <thead className="bg-muted text-muted-foreground">
              <tr>
                {canBulk ? (
                  <th scope="col" className="w-8 px-3 py-2">
                    <input
                      type="checkbox"
                      aria-label="Select all on this page"
                      checked={pageSelected || allMatching}
                      onChange={togglePage}
                      disabled={allMatching}
                    />
                  </th>
                ) : null}
                <th scope="col" className="px-3 py-2 font-medium">
                  Severity
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Plant
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Interface
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Error
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Business key
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Status
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Assignee
                </th>
                <th scope="col" className="px-3 py-2 text-right font-medium">
                  Age
                </th>
              </tr>
            </thead>
            <tbody>
              {queue.items.map((e) => (
                <tr key={e.id} className="border-t border-border align-top hover:bg-muted/50" data-exception-row={e.id}>
                  {canBulk ? (
                    <td className="px-3 py-1.5">
                      <input
                        type="checkbox"
                        aria-label={`Select ${e.errorCode} ${e.businessKey ?? e.messageId}`}
                        checked={allMatching || selected.has(e.id)}
                        disabled={allMatching}
                        onChange={() => toggle(e.id)}
                      />
                    </td>
                  ) : null}
                  <td className="px-3 py-1.5">
                    <Badge tone={SEV_TONE[e.severity]}>{e.severity.toLowerCase()}</Badge>
                  </td>
                  <td className="px-3 py-1.5 font-mono">{e.plantCode}</td>
                  <td className="px-3 py-1.5 font-mono">{e.interfaceCode}</td>
                  <td className="max-w-md px-3 py-1.5">
                    <Link href={`/exceptions/${e.id}`} className="hover:underline">
                      <span className="font-mono text-muted-foreground">{e.errorCode}</span> {e.errorMessage}
                    </Link>
                    {e.occurrences > 1 ? <span className="ml-1 text-muted-foreground">×{e.occurrences}</span> : null}
                  </td>
                  <td className="px-3 py-1.5 font-mono">{e.businessKey ?? "—"}</td>
                  <td className="px-3 py-1.5 whitespace-nowrap">{STATUS_LABEL[e.status]}</td>
                  <td className="px-3 py-1.5 whitespace-nowrap">{e.assignee?.name ?? <span className="text-muted-foreground">—</span>}</td>
                  <td className="px-3 py-1.5 text-right tabular-nums" title={`first seen ${e.firstSeenAt}`}>
                    {age(e.firstSeenAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {view === "list" && queue.nextCursor ? (
        <div className="flex justify-end">
          <Button variant="secondary" onClick={() => setParams({ cursor: queue.nextCursor })}>
            Next page
          </Button>
        </div>
      ) : null}
    </div>
  );
}

function GroupsTable({ groups, onOpen }: { groups: ExceptionGroup[]; onOpen: (fingerprint: string) => void }) {
  if (groups.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
        <p className="font-medium">No failure groups match</p>
      </div>
    );
  }
  return (
    <section
      aria-label="Failure groups"
      // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
      tabIndex={0}
      className="overflow-x-auto rounded-lg border border-border bg-surface focus-visible:outline-2 focus-visible:outline-ring"
    >
      <table className="w-full text-left text-xs">
        <caption className="sr-only">Exceptions grouped by failure fingerprint</caption>
        <thead className="bg-muted text-muted-foreground">
          <tr>
            <th scope="col" className="px-3 py-2 text-right font-medium">
              Count
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Interface
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Sample error
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Plants
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Trend (1 h)
            </th>
            <th scope="col" className="px-3 py-2 font-medium">
              Last seen
            </th>
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => {
            const Trend = g.lastHour > g.previousHour ? ArrowUp : g.lastHour < g.previousHour ? ArrowDown : Minus;
            return (
              <tr key={g.fingerprint} className="border-t border-border align-top" data-group={g.fingerprint}>
                <td className="px-3 py-1.5 text-right font-semibold tabular-nums">{g.count}</td>
                <td className="px-3 py-1.5 font-mono">{g.interfaceCode}</td>
                <td className="max-w-lg px-3 py-1.5">
                  <Badge tone={SEV_TONE[g.worstSeverity]} className="mr-1">
                    {g.worstSeverity.toLowerCase()}
                  </Badge>
                  <span className="font-mono text-muted-foreground">{g.errorCode}</span> {g.sampleMessage}
                </td>
                <td className="px-3 py-1.5 font-mono">{g.plants.join(", ")}</td>
                <td className="px-3 py-1.5 whitespace-nowrap">
                  <Trend className="inline size-3.5" aria-label={g.lastHour > g.previousHour ? "rising" : g.lastHour < g.previousHour ? "falling" : "steady"} />{" "}
                  {g.lastHour} vs {g.previousHour}
                </td>
                <td className="px-3 py-1.5 whitespace-nowrap tabular-nums">{age(g.lastSeenAt)} ago</td>
                <td className="px-3 py-1.5 text-right">
                  <Button size="sm" variant="secondary" onClick={() => onOpen(g.fingerprint)} aria-label={`Open group ${g.errorCode} on ${g.interfaceCode}`}>
                    Open
                  </Button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function SavedViews({ views, current, onChanged }: { views: { id: string; name: string; query: string }[]; current: string; onChanged: () => void }) {
  const [name, setName] = useState("");
  const save = useMutation({
    mutationFn: () => apiFetch("/api/views", { method: "POST", body: JSON.stringify({ name, query: current }) }),
    onSuccess: () => {
      setName("");
      onChanged();
    },
  });
  const remove = useMutation({ mutationFn: (id: string) => apiFetch(`/api/views/${id}`, { method: "DELETE" }).catch(() => null), onSuccess: onChanged });
  return (
    <section aria-label="Saved views" className="flex flex-wrap items-center gap-2 text-xs">
      <span className="text-muted-foreground">My views:</span>
      {views.length === 0 ? <span className="text-muted-foreground">none yet</span> : null}
      {views.map((v) => (
        <span key={v.id} className="inline-flex items-center rounded-md border border-border">
          <Link
            href={`/exceptions${v.query ? `?${v.query}` : ""}`}
            className={cn("px-2 py-0.5 hover:bg-muted", v.query === current && "font-semibold")}
            aria-current={v.query === current ? "true" : undefined}
          >
            {v.name}
          </Link>
          <button type="button" className="px-1 hover:bg-muted" aria-label={`Delete view ${v.name}`} onClick={() => remove.mutate(v.id)}>
            <X className="size-3" />
          </button>
        </span>
      ))}
      <form
        className="ml-auto flex items-center gap-1"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <label htmlFor="view-name" className="sr-only">
          Name of the new view
        </label>
        <input
          id="view-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Name this view"
          className="h-7 rounded-md border border-border bg-surface px-2"
          maxLength={60}
        />
        <Button type="submit" size="sm" variant="secondary" disabled={!name.trim() || save.isPending}>
          Save view
        </Button>
        {save.error ? (
          <span role="alert" className="text-danger">
            {save.error.message}
          </span>
        ) : null}
      </form>
    </section>
  );
}
