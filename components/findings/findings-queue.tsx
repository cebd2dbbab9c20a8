"use client";
import { useQuery } from "@tanstack/react-query";
import Form from "next/form";
import Link from "next/link";
import { useState } from "react";
import { QueryError } from "@/components/dashboards/query-state";
import { Badge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { formatCount } from "@/lib/format";
import { BUSINESS_PROCESS_LABELS, FINDING_KIND_LABELS, FINDING_STATUS_LABELS, SEVERITY_LABELS, labelOf } from "@/lib/labels";
import type { FindingRow } from "@/server/findings/finding-row";
import type { FindingFilter, FindingsPage } from "@/server/findings/list-findings";
import { FindingActions } from "./finding-actions";
import { findingKeys } from "./query-keys";
import { useLiveFindings } from "./use-live-findings";

export const KIND_TONE = { STOPPED: "critical", MISSED_RUN: "critical", FLOOD: "high", LATE: "medium" } as const;
const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
const KINDS = ["LATE", "STOPPED", "FLOOD", "MISSED_RUN"] as const;
const STATUS_CHOICES = [
  ["open", "Open (not cleared)"],
  ["OPEN", "Not acknowledged"],
  ["ACKNOWLEDGED", "Acknowledged"],
  ["RESOLVED", "Cleared"],
  ["all", "All"],
] as const;

/** The queue's query string of a filter (what the URL and GET /api/findings take). */
export function findingsQuery(f: Partial<Pick<FindingFilter, "plant" | "interface" | "kind" | "process" | "status" | "assignee" | "sort" | "cursor">>) {
  const p = new URLSearchParams();
  if (f.plant?.length) p.set("plant", f.plant.join(","));
  if (f.interface?.length) p.set("interface", f.interface.join(","));
  if (f.kind?.length) p.set("kind", f.kind.join(","));
  if (f.process?.length) p.set("process", f.process.join(","));
  if (f.status && f.status !== "open") p.set("status", f.status);
  if (f.assignee) p.set("assignee", f.assignee);
  if (f.sort && f.sort !== "recent") p.set("sort", f.sort);
  if (f.cursor) p.set("cursor", f.cursor);
  return p.toString();
}

/**
 * The findings queue: what the flow monitor found missing at the user's plants — late messages, stopped
 * and flooded flows, missed batch runs — newest first, filtered by the URL (the dashboard tile, the plant
 * page and the process view link here pre-filtered). Live: a finding opened, acknowledged or cleared at
 * one of these plants refetches the page at once.
 */
export function FindingsQueue({
  initial,
  filter,
  plants,
  interfaces,
  canHandle,
  me,
}: {
  initial: FindingsPage;
  filter: FindingFilter;
  plants: { id: string; code: string }[];
  interfaces: string[];
  canHandle: boolean;
  me: string;
}) {
  const query = findingsQuery(filter);
  const q = useQuery({
    queryKey: findingKeys.list(query),
    queryFn: () => apiFetch<FindingsPage>(`/api/findings?${query}`),
    initialData: initial,
    staleTime: 5_000,
    refetchInterval: 60_000,
  });
  useLiveFindings(plants.map((p) => p.id));
  const [outcome, setOutcome] = useState<{ message: string; ok: boolean } | null>(null);
  const { items, counts, matching, nextCursor } = q.data;
  const openTotal = KINDS.reduce((n, k) => n + counts.openByKind[k], 0);
  const one = (v: string[]) => v[0] ?? "";

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <h1 className="text-lg font-semibold">Findings</h1>
        <nav aria-label="Queues" className="flex gap-1 text-sm">
          <Link href="/exceptions" className="rounded-md px-2 py-1 text-muted-foreground hover:bg-muted">
            Exceptions
          </Link>
          <Link href="/findings" aria-current="page" className="rounded-md bg-muted px-2 py-1 font-medium">
            Findings
          </Link>
        </nav>
      </div>
      <p className="text-xs text-muted-foreground">
        What Andon found missing rather than failed: messages received and not delivered in time (late), flows below their expected traffic while their
        connector is alive (stopped) or above it (flooded), batch runs that did not complete by their deadline. Each clears itself when the condition does;
        acknowledging says someone is on it.
      </p>
      <p className="text-sm" data-testid="findings-counts">
        <strong>{formatCount(openTotal)}</strong> open in this selection
        {openTotal ? ": " : ""}
        {KINDS.filter((k) => counts.openByKind[k] > 0)
          .map((k) => `${formatCount(counts.openByKind[k])} ${FINDING_KIND_LABELS[k].toLowerCase()}`)
          .join(", ")}
        {" · "}
        {formatCount(counts.byStatus.OPEN)} not acknowledged
      </p>
      <Form key={query} action="/findings" className="flex flex-wrap items-end gap-2 text-xs" aria-label="Filter findings">
        <Select label="Plant" name="plant" value={one(filter.plant)} choices={plants.map((p) => [p.code, p.code])} all="All your plants" />
        <Select label="Interface" name="interface" value={one(filter.interface)} choices={interfaces.map((i) => [i, i])} all="All interfaces" />
        <Select label="Kind" name="kind" value={one(filter.kind)} choices={KINDS.map((k) => [k, FINDING_KIND_LABELS[k]])} all="All kinds" />
        <Select
          label="Process"
          name="process"
          value={one(filter.process)}
          choices={Object.entries(BUSINESS_PROCESS_LABELS).map(([k, v]) => [k, v])}
          all="All processes"
        />
        <Select label="Status" name="status" value={filter.status} choices={STATUS_CHOICES.map(([k, v]) => [k, v])} />
        <Select
          label="Assignee"
          name="assignee"
          value={filter.assignee ?? ""}
          choices={[
            ["me", "Me"],
            ["none", "Unassigned"],
          ]}
          all="Anyone"
        />
        <button type="submit" className="h-8 rounded-md border border-border bg-surface px-3 text-sm font-medium hover:bg-muted">
          Apply
        </button>
        {query ? (
          <Link href="/findings" className="h-8 px-2 py-1.5 text-sm underline">
            Clear filters
          </Link>
        ) : null}
      </Form>
      {q.isError ? <QueryError what="findings" error={q.error} retry={() => void q.refetch()} stale /> : null}
      {outcome ? (
        <p className={outcome.ok ? "text-sm" : "text-sm text-danger"} data-testid="findings-outcome">
          {outcome.message}
        </p>
      ) : null}
      {items.length === 0 ? (
        <p className="rounded-lg border border-dashed border-border px-4 py-8 text-center text-sm text-muted-foreground">
          {filter.status === "open"
            ? "Nothing found missing in this selection. The monitor checks every minute; a new finding appears here at once."
            : "No findings match this filter."}
        </p>
      ) : (
        <ul className="divide-y divide-border rounded-lg border border-border bg-surface" aria-label={`Findings (${formatCount(matching)} matching)`}>
          {items.map((f) => (
            <FindingItem key={f.id} f={f} me={me} canHandle={canHandle} onOutcome={(message, ok) => setOutcome({ message, ok })} />
          ))}
        </ul>
      )}
      <div className="flex gap-3 text-sm">
        {filter.cursor ? (
          <Link href={`/findings?${findingsQuery({ ...filter, cursor: undefined })}`} className="underline">
            First page
          </Link>
        ) : null}
        {nextCursor ? (
          <Link href={`/findings?${findingsQuery({ ...filter, cursor: nextCursor })}`} className="underline">
            Next page
          </Link>
        ) : null}
      </div>
    </div>
  );
}

function Select({ label, name, value, choices, all }: { label: string; name: string; value: string; choices: [string, string][]; all?: string }) {
  return (
    <label className="grid gap-1">
      {label}
      <select name={name} defaultValue={value} className="h-8 rounded-md border border-border bg-surface px-2 text-xs">
        {all ? <option value="">{all}</option> : null}
        {choices.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </label>
  );
}

/** One finding in a list (the queue, the plant page). */
export function FindingItem({
  f,
  me,
  canHandle,
  onOutcome,
}: {
  f: FindingRow;
  me: string;
  canHandle: boolean;
  onOutcome?: (message: string, ok: boolean) => void;
}) {
  return (
    <li className="px-4 py-3" data-finding={f.id} data-kind={f.kind} data-status={f.status}>
      <article aria-labelledby={`finding-${f.id}`}>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Badge tone={KIND_TONE[f.kind]}>{FINDING_KIND_LABELS[f.kind]}</Badge>
          <Badge tone={SEV_TONE[f.severity]}>{labelOf(SEVERITY_LABELS, f.severity)}</Badge>
          <h3 id={`finding-${f.id}`} className="font-medium">
            <Link href={`/findings/${f.id}`} className="hover:underline">
              <span className="font-mono">{f.interfaceCode}</span> at {f.plantCode}
            </Link>
          </h3>
          <Badge tone="outline" className="ml-auto">
            {FINDING_STATUS_LABELS[f.status]}
          </Badge>
        </div>
        <p className="mt-1 text-sm">{f.summary}</p>
        <p className="mt-1 text-xs text-muted-foreground">
          {BUSINESS_PROCESS_LABELS[f.process]} · opened <Time iso={f.openedAt} plantZone={f.plantZone} />
          {f.businessKey ? ` · ${f.businessKey}` : ""}
          {f.acknowledgedBy ? ` · acknowledged by ${f.acknowledgedBy}` : ""}
          {f.assignee ? ` · assigned to ${f.assignee.label}` : ""}
          {f.resolvedAt ? (
            <>
              {" "}
              · cleared <Time iso={f.resolvedAt} plantZone={f.plantZone} />
            </>
          ) : null}
        </p>
        {canHandle ? (
          <div className="mt-2">
            <FindingActions f={f} me={me} onOutcome={onOutcome} />
          </div>
        ) : null}
      </article>
    </li>
  );
}
