"use client";
import { useMutation } from "@tanstack/react-query";
import { ArrowDown, ArrowUp, Layers, List, Minus, X } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { type FormEvent, useCallback, useEffect, useRef, useState, useTransition } from "react";
import { focusElement, useAnnounce } from "@/components/ui/announcer";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useUserZone } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { formatCount, formatDuration, formatInstant } from "@/lib/format";
import { CATEGORY_LABELS, EXCEPTION_STATUS_LABELS, labelOf, SEVERITY_LABELS } from "@/lib/labels";
import { OPEN_STATUSES } from "@/lib/rules";
import { cn } from "@/lib/utils";
import type { BulkSummary } from "@/server/exceptions/bulk-rules";
import type { ExceptionGroup, QueueFilter, QueuePage } from "@/server/exceptions/queue";
import { useExceptionChanges, usePlantRooms } from "../realtime-provider";
import { BulkBar, BulkOperations } from "./bulk-actions";
import { GroupRunbook } from "../runbooks/runbook-panel";

const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
const OPEN: readonly string[] = OPEN_STATUSES;
const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;
const CATEGORIES = ["BUSINESS", "TECHNICAL"] as const;
const AGE_LABELS: Record<string, string> = { "15m": "< 15 min", "1h": "< 1 h", "4h": "< 4 h", "24h": "< 24 h", older: "older than 24 h" };
const ASSIGNEE_LABELS: Record<string, string> = { me: "Me", none: "Unassigned" };

/**
 * "Now" for ages: while hydrating, the server's clock from its answer (server and browser render the same
 * text, no hydration mismatch); after mounting, the browser's, ticking every 30 s.
 */
function useNow(serverNow: string): number {
  const [now, setNow] = useState(() => Date.parse(serverNow));
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** How long ago `iso` was, in words ("45 s", "12 min", "3 h 5 min", "2 d 4 h"). */
function ageOf(iso: string, now: number): string {
  return formatDuration(Math.max(1, Math.round((now - Date.parse(iso)) / 1000)));
}

/**
 * The queue's filters live in the URL (shareable, they survive a reload). The rendered URL lags behind
 * navigations the server has not answered yet, so a change built on it dropped the changes still on their
 * way (three quick changes kept only the last). Changes build on the last query asked for instead, and the
 * controls and chips show it at once; when the page renders one of the asked queries, those before it are
 * done, and any other URL (a saved view, Back) replaces them all.
 */
function useQueueQuery() {
  const router = useRouter();
  const pathname = usePathname();
  const rendered = useSearchParams().toString();
  const [navigating, startTransition] = useTransition();
  const [asked, setAsked] = useState<string[]>([]);
  const [seen, setSeen] = useState(rendered);
  if (seen !== rendered) {
    // Adjusting state while rendering (not in an effect after a stale frame).
    setSeen(rendered);
    const i = asked.indexOf(rendered);
    setAsked(i === -1 ? [] : asked.slice(i + 1));
  }
  const current = asked.at(-1) ?? rendered;

  /** Navigates to `query` unless it is already where the page is heading; says whether it did. */
  const go = (query: string): boolean => {
    if (query === current) return false;
    setAsked(query === rendered ? [] : [...asked, query]);
    startTransition(() => router.push(query ? `${pathname}?${query}` : pathname, { scroll: false }));
    return true;
  };
  const change = (changes: Record<string, string | null>): boolean => {
    const next = new URLSearchParams(current);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === "") next.delete(k);
      else next.set(k, v);
    }
    if (!("cursor" in changes)) next.delete("cursor");
    return go(next.toString());
  };
  return { rendered, current, settled: asked.length === 0, pending: navigating || asked.length > 0, change, go };
}

type Chip = { key: string; value: string | null; label: string };

/** Every filter of a queue query, as the chips that show it (unknown values are ignored by the server too). */
function chipsOf(query: string, groupLabel: (fingerprint: string) => string): Chip[] {
  const q = new URLSearchParams(query);
  const list = (k: string) => (q.get(k) ?? "").split(",").filter(Boolean);
  const chips: Chip[] = [];
  const status = q.get("status");
  if (status && status !== "open") {
    const label =
      status === "all"
        ? "any"
        : status
            .split(",")
            .map((s) => labelOf(EXCEPTION_STATUS_LABELS, s))
            .join(" or ");
    chips.push({ key: "status", value: null, label: `Status: ${label}` });
  }
  for (const p of list("plant")) chips.push({ key: "plant", value: p, label: `Plant: ${p}` });
  for (const i of list("interface")) chips.push({ key: "interface", value: i, label: `Interface: ${i}` });
  for (const s of list("severity")) if (s in SEVERITY_LABELS) chips.push({ key: "severity", value: s, label: `Severity: ${labelOf(SEVERITY_LABELS, s)}` });
  for (const c of list("category")) if (c in CATEGORY_LABELS) chips.push({ key: "category", value: c, label: `Category: ${labelOf(CATEGORY_LABELS, c)}` });
  const code = q.get("code");
  if (code) chips.push({ key: "code", value: null, label: `Error code: ${code}` });
  const assignee = q.get("assignee");
  if (assignee) chips.push({ key: "assignee", value: null, label: `Assignee: ${ASSIGNEE_LABELS[assignee] ?? "one person"}` });
  const age = q.get("age");
  if (age && age in AGE_LABELS) chips.push({ key: "age", value: null, label: `Age: ${AGE_LABELS[age]}` });
  const search = q.get("q");
  if (search) chips.push({ key: "q", value: null, label: `Search: ${search}` });
  const fingerprint = q.get("fingerprint");
  if (fingerprint) chips.push({ key: "fingerprint", value: null, label: `Group: ${groupLabel(fingerprint)}` });
  return chips;
}

/** What a change waits for before focus moves and the result is read out (once the server answered). */
type Intent = "filter" | "group" | "page";

type Props = {
  view: "list" | "groups";
  filter: QueueFilter;
  queue: QueuePage;
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
  const announce = useAnnounce();
  const userZone = useUserZone();
  const now = useNow(queue.now);
  const { rendered, current, settled, pending, change, go } = useQueueQuery();
  const shown = new URLSearchParams(current);
  const list = (k: string) => (shown.get(k) ?? "").split(",").filter(Boolean);

  // Live: refresh the server-rendered queue when exceptions of these plants change (throttled).
  const watched = filter.plant.length ? plants.filter((p) => filter.plant.includes(p.code)) : plants;
  usePlantRooms(
    watched.map((p) => p.id),
    () => router.refresh(),
  );
  useExceptionChanges(() => router.refresh(), 2000);

  const groupLabel = (fingerprint: string) => {
    const g = queue.group?.fingerprint === fingerprint ? queue.group : groups?.find((x) => x.fingerprint === fingerprint);
    return g ? `${g.errorCode} on ${g.interfaceCode}` : "one failure group";
  };
  const chips = chipsOf(current, groupLabel);
  const renderedChips = chipsOf(rendered, groupLabel);
  const narrowed = renderedChips.some((c) => c.key !== "status");

  // What the numbers count: open ones exactly, closed ones up to the server's cap ("1,000+").
  const count = (s: string) => `${formatCount(queue.counts[s as keyof typeof queue.counts] ?? 0)}${queue.capped.includes(s as never) ? "+" : ""}`;
  const openTotal = OPEN.reduce((n, s) => n + (queue.counts[s as keyof typeof queue.counts] ?? 0), 0);
  const matchingLabel = `${formatCount(queue.matching)}${queue.matchingCapped ? "+" : ""}`;
  const cap = queue.capped.length ? formatCount(queue.counts[queue.capped[0]!]) : null;
  const status = shown.get("status") ?? "open";
  const noun =
    filter.status === "open"
      ? "open exceptions"
      : filter.status === "all"
        ? "exceptions of any status"
        : `exceptions ${filter.status
            .split(",")
            .map((s) => labelOf(EXCEPTION_STATUS_LABELS, s).toLowerCase())
            .join(" or ")}`;
  const scope = filter.fingerprint ? ` in group ${groupLabel(filter.fingerprint)}` : narrowed ? " matching the filters" : " in your plants";
  const summary =
    view === "groups" && groups
      ? `${formatCount(groups.length)} failure group${groups.length === 1 ? "" : "s"} of ${matchingLabel} ${noun}${scope}`
      : queue.items.length === 0
        ? `No ${noun}${scope}`
        : `Showing ${formatCount(queue.items.length)} of ${matchingLabel} ${noun}${scope}`;

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

  // Focus and announcements (people on a keyboard or a screen reader): where focus goes after each action.
  const firstFilter = useRef<HTMLSelectElement>(null);
  const resultsHeading = useRef<HTMLHeadingElement>(null);
  const actOnAll = useRef<HTMLButtonElement>(null);
  const chipList = useRef<HTMLUListElement>(null);
  const intent = useRef<Intent | null>(null);
  const bar = useRef<HTMLElement>(null);
  const [barFocus, setBarFocus] = useState(false);
  const [focusBulk, setFocusBulk] = useState<string | null>(null);
  const [chipFocus, setChipFocus] = useState<number | null>(null);

  const apply = (changes: Record<string, string | null>, why: Intent = "filter") => {
    if (change(changes)) intent.current = why;
  };
  // Once the server has answered the last change: read the result out, and move focus where the next step is.
  useEffect(() => {
    if (!settled || !intent.current) return;
    const why = intent.current;
    intent.current = null;
    announce(summary);
    if (why === "group") focusElement(actOnAll.current ?? resultsHeading.current);
    else if (why === "page") focusElement(resultsHeading.current);
  }, [settled, announce, summary]);
  // "Act on all": focus on the bulk bar's first action (the next step).
  useEffect(() => {
    if (!barFocus) return;
    setBarFocus(false);
    focusElement(bar.current?.querySelector<HTMLElement>("button:not(:disabled)") ?? bar.current);
  }, [barFocus]);
  // A removed chip hands focus to the chip now in its place, or to the filters when none is left.
  useEffect(() => {
    if (chipFocus === null) return;
    setChipFocus(null);
    const buttons = chipList.current?.querySelectorAll<HTMLButtonElement>("button") ?? [];
    focusElement(buttons[Math.min(chipFocus, buttons.length - 1)] ?? firstFilter.current);
  }, [chipFocus]);

  const removeChip = (chip: Chip, index: number) => {
    if (chip.value === null) apply({ [chip.key]: null });
    else
      apply({
        [chip.key]:
          list(chip.key)
            .filter((v) => v !== chip.value)
            .join(",") || null,
      });
    setChipFocus(index);
  };
  const clearAll = () => {
    if (go(new URLSearchParams([...shown].filter(([k]) => k === "view" || k === "sort")).toString())) intent.current = "filter";
    focusElement(firstFilter.current);
  };
  const selectAllMatching = (what: string) => {
    setAllMatching(true);
    setBarFocus(true);
    announce(`Selected ${what}`);
  };

  const [search, setSearch] = useState(shown.get("q") ?? "");
  const [searched, setSearched] = useState(shown.get("q") ?? "");
  if ((shown.get("q") ?? "") !== searched) {
    setSearched(shown.get("q") ?? "");
    setSearch(shown.get("q") ?? "");
  }
  const onSearch = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    apply({ q: search.trim() || null });
  };
  const select = "h-8 rounded-md border border-border bg-surface px-2 text-sm";
  const skip =
    "sr-only focus:not-sr-only focus:rounded focus:bg-surface focus:px-3 focus:py-1.5 focus:text-sm focus:font-medium focus:outline-2 focus:outline-ring";

  return (
    <div className="space-y-3">
      {/* Skip targets: plain fragment links to focusable targets (no script needed), the first thing in the page. */}
      <div className="flex gap-2">
        <a href="#queue-filters" className={skip}>
          Skip to filters
        </a>
        <a href="#queue-results-heading" className={skip}>
          Skip to results
        </a>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="text-lg font-semibold">Exceptions</h1>
        <nav aria-label="Queues" className="mr-auto flex gap-1 text-sm">
          <Link href="/exceptions" aria-current="page" className="rounded-md bg-muted px-2 py-1 font-medium">
            Exceptions
          </Link>
          <Link href="/findings" className="rounded-md px-2 py-1 text-muted-foreground hover:bg-muted">
            Findings (late, stopped, missed runs)
          </Link>
        </nav>
        <fieldset aria-label="View" className="flex rounded-md border border-border">
          <Button variant={view === "list" ? "secondary" : "ghost"} size="sm" aria-pressed={view === "list"} onClick={() => apply({ view: null })}>
            <List /> List
          </Button>
          <Button variant={view === "groups" ? "secondary" : "ghost"} size="sm" aria-pressed={view === "groups"} onClick={() => apply({ view: "groups" })}>
            <Layers /> Groups
          </Button>
        </fieldset>
      </div>

      <SavedViews views={views} current={current} onChanged={() => router.refresh()} />

      <div className="space-y-1">
        <nav aria-label="Status" aria-describedby="queue-count-note" className="flex flex-wrap gap-1 text-xs">
          {[
            ["open", `Open (${formatCount(openTotal)})`],
            ...OPEN.filter((s) => queue.counts[s as keyof typeof queue.counts]).map((s) => [s, `${labelOf(EXCEPTION_STATUS_LABELS, s)} (${count(s)})`]),
            ["RESOLVED", `Resolved (${count("RESOLVED")})`],
            ["DISCARDED", `Discarded (${count("DISCARDED")})`],
            ["all", "All"],
          ].map(([value, label]) => (
            <button
              key={value}
              type="button"
              onClick={() => apply({ status: value === "open" ? null : value! })}
              aria-current={status === value ? "true" : undefined}
              className={cn(
                "rounded-md px-2 py-1 font-medium whitespace-nowrap hover:bg-muted",
                status === value ? "bg-muted text-foreground" : "text-muted-foreground",
              )}
            >
              {label}
            </button>
          ))}
        </nav>
        <p id="queue-count-note" className="text-xs text-muted-foreground">
          Exceptions in your plants{narrowed ? " that match the filters" : ""}, by status: open ones counted exactly
          {cap ? `, resolved and discarded up to ${cap} (shown as “${cap}+”)` : ""}.
        </p>
      </div>

      <form onSubmit={onSearch} className="space-y-2 rounded-lg border border-border bg-surface p-2" aria-label="Filters" aria-busy={pending}>
        <div className="flex flex-wrap items-end gap-2">
          <div className="flex flex-col gap-0.5 text-xs">
            <label htmlFor="queue-filters">Plant</label>
            <select
              id="queue-filters"
              ref={firstFilter}
              className={select}
              value={list("plant")[0] ?? ""}
              onChange={(e) => apply({ plant: e.target.value || null })}
            >
              <option value="">All plants</option>
              {plants.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.code}
                </option>
              ))}
            </select>
          </div>
          <div className="flex flex-col gap-0.5 text-xs">
            <label htmlFor="queue-filter-interface">Interface</label>
            <select
              id="queue-filter-interface"
              className={select}
              value={list("interface")[0] ?? ""}
              onChange={(e) => apply({ interface: e.target.value || null })}
            >
              <option value="">All interfaces</option>
              {interfaces.map((i) => (
                <option key={i} value={i}>
                  {i}
                </option>
              ))}
            </select>
          </div>
          <div className="flex flex-col gap-0.5 text-xs">
            <label htmlFor="queue-filter-severity">Severity</label>
            <select
              id="queue-filter-severity"
              className={select}
              value={list("severity")[0] ?? ""}
              onChange={(e) => apply({ severity: e.target.value || null })}
            >
              <option value="">Any</option>
              {SEVERITIES.map((s) => (
                <option key={s} value={s}>
                  {SEVERITY_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div className="flex flex-col gap-0.5 text-xs">
            <label htmlFor="queue-filter-category">Category</label>
            <select
              id="queue-filter-category"
              className={select}
              value={list("category")[0] ?? ""}
              onChange={(e) => apply({ category: e.target.value || null })}
            >
              <option value="">Any</option>
              {CATEGORIES.map((c) => (
                <option key={c} value={c}>
                  {CATEGORY_LABELS[c]}
                </option>
              ))}
            </select>
          </div>
          <div className="flex flex-col gap-0.5 text-xs">
            <label htmlFor="queue-filter-assignee">Assignee</label>
            <select
              id="queue-filter-assignee"
              className={select}
              value={shown.get("assignee") ?? ""}
              onChange={(e) => apply({ assignee: e.target.value || null })}
            >
              <option value="">Anyone</option>
              <option value="me">Me</option>
              <option value="none">Unassigned</option>
            </select>
          </div>
          <div className="flex flex-col gap-0.5 text-xs">
            <label htmlFor="queue-filter-age">Age</label>
            <select id="queue-filter-age" className={select} value={shown.get("age") ?? ""} onChange={(e) => apply({ age: e.target.value || null })}>
              <option value="">Any</option>
              {Object.entries(AGE_LABELS).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="flex flex-col gap-0.5 text-xs">
            <label htmlFor="queue-filter-sort">Sort</label>
            <select
              id="queue-filter-sort"
              className={select}
              value={shown.get("sort") ?? "recent"}
              onChange={(e) => apply({ sort: e.target.value === "recent" ? null : e.target.value })}
            >
              <option value="recent">Most recent</option>
              <option value="oldest">Oldest first</option>
              <option value="severity">Severity</option>
            </select>
          </div>
          <div className="flex min-w-56 flex-1 flex-col gap-0.5 text-xs">
            <label htmlFor="queue-filter-search">Search business key, message or correlation id, error code</label>
            <Input id="queue-filter-search" name="q" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="e.g. WH/OUT/00412" />
          </div>
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </div>
        <div className="flex flex-wrap items-center gap-1.5 text-xs">
          <span className="text-muted-foreground" id="active-filters-label">
            {chips.length ? "Active filters:" : "No filters: every open exception in your plants."}
          </span>
          {chips.length ? (
            <>
              <ul aria-labelledby="active-filters-label" className="flex flex-wrap gap-1.5" ref={chipList}>
                {chips.map((c, i) => (
                  <li
                    key={`${c.key}=${c.value ?? ""}`}
                    className="inline-flex items-center gap-1 rounded-full border border-border bg-muted py-0.5 pr-0.5 pl-2 whitespace-nowrap"
                    data-chip={c.key}
                  >
                    {c.label}
                    <button
                      type="button"
                      className="rounded-full p-0.5 hover:bg-surface focus-visible:outline-2 focus-visible:outline-ring"
                      aria-label={`Remove filter ${c.label}`}
                      onClick={() => removeChip(c, i)}
                    >
                      <X className="size-3" aria-hidden />
                    </button>
                  </li>
                ))}
              </ul>
              <Button type="button" variant="ghost" size="sm" onClick={clearAll}>
                Clear all filters
              </Button>
            </>
          ) : null}
        </div>
      </form>

      {canBulk ? <BulkOperations onProgress={refresh} focusId={focusBulk} now={now} /> : null}
      {canBulk && view === "list" && (allMatching || selected.size > 0) ? (
        <BulkBar
          selection={allMatching ? { filter: filterQuery || "status=open" } : { ids: [...selected] }}
          count={allMatching ? queue.matching : selected.size}
          kinds={bulkKinds}
          me={me}
          ref={bar}
          onStarted={(operation: BulkSummary) => {
            setSelected(new Set());
            setAllMatching(false);
            setFocusBulk(operation.id);
          }}
        />
      ) : null}

      <section id="queue-results" aria-labelledby="queue-results-heading" aria-busy={pending} className="space-y-2">
        <h2 id="queue-results-heading" ref={resultsHeading} tabIndex={-1} className="text-sm font-medium focus-visible:outline-2 focus-visible:outline-ring">
          {summary}
        </h2>
        {canBulk && view === "list" && pageSelected && !allMatching && queue.matching > pageIds.length ? (
          <p className="text-xs">
            All {pageIds.length} on this page are selected.{" "}
            <button
              type="button"
              className="font-medium text-primary underline"
              onClick={() => selectAllMatching(`all ${matchingLabel} exceptions matching the filter`)}
            >
              Select all {matchingLabel} exceptions matching the filter
            </button>
          </p>
        ) : null}
        {canBulk && view === "list" && filter.fingerprint && !allMatching && !pageSelected && queue.matching > 0 ? (
          <p className="text-xs">
            Showing one failure group.{" "}
            <button
              ref={actOnAll}
              type="button"
              className="font-medium text-primary underline"
              onClick={() => selectAllMatching(`all ${matchingLabel} exceptions in group ${groupLabel(filter.fingerprint!)}`)}
            >
              Act on all {matchingLabel} in this group
            </button>
          </p>
        ) : null}

        {view === "list" && queue.group && filter.fingerprint === queue.group.fingerprint ? (
          <GroupRunbook fingerprint={queue.group.fingerprint} errorCode={queue.group.errorCode} zone={userZone} />
        ) : null}
        {view === "groups" && groups ? (
          <GroupsTable groups={groups} now={now} zone={userZone} onOpen={(fp) => apply({ fingerprint: fp, view: null }, "group")} />
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
            <QueueTable
              items={queue.items}
              now={now}
              canBulk={canBulk}
              allMatching={allMatching}
              pageSelected={pageSelected}
              selected={selected}
              onTogglePage={togglePage}
              onToggle={toggle}
            />
          </section>
        )}
        {view === "list" && queue.nextCursor ? (
          <div className="flex justify-end">
            <Button variant="secondary" onClick={() => apply({ cursor: queue.nextCursor }, "page")}>
              Next page
            </Button>
          </div>
        ) : null}
      </section>
    </div>
  );
}

/**
 * One line per exception at every width (a 820 px tablet shows 25+ rows): codes never wrap, the error
 * message is cut to one line (in full on hover and on its page), and the interface column gives way
 * below 1024 px (its code stays in the row's tooltip and in the group view) so Age always shows.
 */
function QueueTable(props: {
  items: QueuePage["items"];
  now: number;
  canBulk: boolean;
  allMatching: boolean;
  pageSelected: boolean;
  selected: Set<string>;
  onTogglePage: () => void;
  onToggle: (id: string) => void;
}) {
  const { items, now, canBulk, allMatching, pageSelected, selected } = props;
  const cell = "px-2 py-1.5 whitespace-nowrap lg:px-3";
  const head = "px-2 py-2 font-medium whitespace-nowrap lg:px-3";
  return (
    <table className="w-full text-left text-xs">
      <caption className="sr-only">Exceptions matching the filters</caption>
      <thead className="bg-muted text-muted-foreground">
        <tr>
          {canBulk ? (
            <th scope="col" className="w-8 px-2 py-2 lg:px-3">
              <input
                type="checkbox"
                aria-label="Select all on this page"
                checked={pageSelected || allMatching}
                onChange={props.onTogglePage}
                disabled={allMatching}
              />
            </th>
          ) : null}
          <th scope="col" className={head}>
            Severity
          </th>
          <th scope="col" className={head}>
            Plant
          </th>
          <th scope="col" className={cn(head, "hidden lg:table-cell")}>
            Interface
          </th>
          <th scope="col" className={cn(head, "w-full")}>
            Error
          </th>
          <th scope="col" className={head}>
            Business key
          </th>
          <th scope="col" className={head}>
            Status
          </th>
          <th scope="col" className={head}>
            Assignee
          </th>
          <th scope="col" className={cn(head, "text-right")}>
            Age
          </th>
        </tr>
      </thead>
      <tbody>
        {items.map((e) => (
          <tr key={e.id} className="border-t border-border hover:bg-muted/50" data-exception-row={e.id}>
            {canBulk ? (
              <td className="px-2 py-1.5 lg:px-3">
                <input
                  type="checkbox"
                  aria-label={`Select ${e.errorCode} ${e.businessKey ?? e.messageId}`}
                  checked={allMatching || selected.has(e.id)}
                  disabled={allMatching}
                  onChange={() => props.onToggle(e.id)}
                />
              </td>
            ) : null}
            <td className={cell}>
              <Badge tone={SEV_TONE[e.severity]}>{labelOf(SEVERITY_LABELS, e.severity)}</Badge>
            </td>
            <td className={cn(cell, "font-mono")} data-col="plant">
              {e.plantCode}
            </td>
            <td className={cn(cell, "hidden font-mono lg:table-cell")}>{e.interfaceCode}</td>
            <td className="max-w-0 px-2 py-1.5 lg:px-3" title={`${e.interfaceCode} · ${e.errorCode} ${e.errorMessage}`}>
              <div className="flex min-w-0 items-baseline gap-1">
                <Link href={`/exceptions/${e.id}`} className="min-w-0 truncate hover:underline">
                  <span className="font-mono text-muted-foreground">{e.errorCode}</span> {e.errorMessage}
                </Link>
                {e.occurrences > 1 ? <span className="shrink-0 text-muted-foreground">×{formatCount(e.occurrences)}</span> : null}
              </div>
            </td>
            <td className={cn(cell, "max-w-48 truncate font-mono")} title={e.businessKey ?? undefined}>
              {e.businessKey ?? "—"}
            </td>
            <td className={cell}>
              {labelOf(EXCEPTION_STATUS_LABELS, e.status)}
              {e.waitingOn ? (
                <Badge
                  tone="outline"
                  className="ml-1"
                  data-testid="waiting"
                  title={`Waits on ${e.waitingOn} open prerequisite${e.waitingOn === 1 ? "" : "s"} of the same business object: its replay is refused until ${e.waitingOn === 1 ? "it is" : "they are"} delivered`}
                >
                  Waiting on {formatCount(e.waitingOn)}
                </Badge>
              ) : null}
            </td>
            <td className={cn(cell, "max-w-36 truncate")}>{e.assignee?.name ?? <span className="text-muted-foreground">—</span>}</td>
            <td className={cn(cell, "text-right tabular-nums")} data-col="age">
              <time dateTime={e.firstSeenAt} title={`First seen ${formatInstant(e.firstSeenAt, e.plantZone, "datetime-seconds")}`}>
                {ageOf(e.firstSeenAt, now)}
              </time>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function GroupsTable({ groups, now, zone, onOpen }: { groups: ExceptionGroup[]; now: number; zone: string; onOpen: (fingerprint: string) => void }) {
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
            <th scope="col" className="px-3 py-2 font-medium whitespace-nowrap">
              Trend (1 h)
            </th>
            <th scope="col" className="px-3 py-2 font-medium whitespace-nowrap">
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
                <td className="px-3 py-1.5 text-right font-semibold tabular-nums">{formatCount(g.count)}</td>
                <td className="px-3 py-1.5 font-mono whitespace-nowrap">{g.interfaceCode}</td>
                <td className="max-w-lg px-3 py-1.5">
                  <Badge tone={SEV_TONE[g.worstSeverity]} className="mr-1">
                    {labelOf(SEVERITY_LABELS, g.worstSeverity)}
                  </Badge>
                  <span className="font-mono text-muted-foreground">{g.errorCode}</span> {g.sampleMessage}
                </td>
                <td className="px-3 py-1.5 font-mono whitespace-nowrap">{g.plants.join(", ")}</td>
                <td className="px-3 py-1.5 whitespace-nowrap">
                  <Trend className="inline size-3.5" aria-label={g.lastHour > g.previousHour ? "rising" : g.lastHour < g.previousHour ? "falling" : "steady"} />{" "}
                  {formatCount(g.lastHour)} vs {formatCount(g.previousHour)}
                </td>
                <td className="px-3 py-1.5 whitespace-nowrap tabular-nums">
                  <time dateTime={g.lastSeenAt} title={formatInstant(g.lastSeenAt, zone, "datetime-seconds")}>
                    {ageOf(g.lastSeenAt, now)} ago
                  </time>
                </td>
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
  const announce = useAnnounce();
  const nameInput = useRef<HTMLInputElement>(null);
  const [name, setName] = useState("");
  const save = useMutation({
    mutationFn: () => apiFetch("/api/views", { method: "POST", body: JSON.stringify({ name, query: current }) }),
    onSuccess: () => {
      announce(`View “${name.trim()}” saved`);
      setName("");
      focusElement(nameInput.current);
      onChanged();
    },
  });
  // The deleted view's button is gone: focus goes to the field for a new view.
  const remove = useMutation({
    mutationFn: (v: { id: string; name: string }) => apiFetch(`/api/views/${v.id}`, { method: "DELETE" }).catch(() => null),
    onSuccess: (_, v) => {
      announce(`View “${v.name}” deleted`);
      focusElement(nameInput.current);
      onChanged();
    },
  });
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
          <button type="button" className="px-1 hover:bg-muted" aria-label={`Delete view ${v.name}`} onClick={() => remove.mutate(v)}>
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
          ref={nameInput}
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
