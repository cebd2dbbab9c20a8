"use client";
import { useMutation } from "@tanstack/react-query";
import { Download, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Fragment, useEffect, useRef } from "react";
import { focusElement, useAnnounce } from "@/components/ui/announcer";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Time, useUserZone } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { formatCount } from "@/lib/format";
import { withKeys } from "@/lib/utils";
import { isoToZoned, zonedToIso } from "@/lib/timezone";
import type { AuditRow } from "@/server/audit/list-events";
import { ListTime } from "./list-time";

type VerifyResult = { ok: boolean; checked: number; brokenAtId: string | null; reason?: "link" | "hash"; expectedHash?: string; foundHash?: string };

type Filters = { type?: string; actor?: string; entity?: string; plant?: string; from?: string; to?: string };

const field = "h-8 rounded-md border border-border bg-surface px-2 text-sm";

/**
 * Set by a filter change, read when its results are rendered: focus then moves to them and they are read
 * out. Kept outside the component: the page below the layout may mount anew for new search parameters.
 */
let filterPending = false;

/** One event's details: names, labels, instants in the event's plant zone (else the user's), links to what they name. */
function Details({ event }: { event: AuditRow }) {
  return (
    <>
      {withKeys(event.details, (d) => d.label).map(({ key, item: d }, i) => (
        <Fragment key={key}>
          {i ? " · " : ""}
          <span className="text-foreground">{d.label}:</span>{" "}
          {d.at ? (
            <Time iso={d.at} plantZone={event.plantZone} />
          ) : d.href ? (
            <Link href={d.href} className="underline underline-offset-2">
              {d.text}
            </Link>
          ) : (
            d.text
          )}
        </Fragment>
      ))}
    </>
  );
}

export function AuditTrail(props: {
  events: AuditRow[];
  nextBefore: string | null;
  type: string | null;
  filters: Filters;
  /** What was typed in the entity filter (kept when it is refused, so it can be corrected). */
  entityInput: string;
  /** Why nothing is listed: a filter that names nothing or is not valid. */
  problem: string | null;
  /** Malformed filters the page left out (the export leaves them out too). */
  ignored: { filter: string; message: string }[];
  entityHelp: string;
  plants: string[];
  types: { value: string; label: string }[];
  canVerify: boolean;
  canExport: boolean;
}) {
  const router = useRouter();
  const announce = useAnnounce();
  const zone = useUserZone();
  const results = useRef<HTMLParagraphElement>(null);
  const problemRef = useRef<HTMLParagraphElement>(null);
  const active = Object.fromEntries(Object.entries(props.filters).filter(([, v]) => v)) as Record<string, string>;
  const filterParams = (extra: Record<string, string> = {}) => new URLSearchParams({ ...active, ...extra });
  const go = (change: Filters) => {
    const next = { ...active, ...(props.problem && props.entityInput ? { entity: props.entityInput } : {}), ...change };
    const qs = new URLSearchParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as Record<string, string>).toString();
    filterPending = true;
    router.push(qs ? `/audit?${qs}` : "/audit");
  };
  const verify = useMutation({ mutationFn: () => apiFetch<VerifyResult>("/api/audit/verify", { method: "POST" }), onSuccess: () => router.refresh() });

  const count = props.events.length;
  const summary = props.problem
    ? "No events listed"
    : `${count === 0 ? "No events" : `${formatCount(count)} event${count === 1 ? "" : "s"}${props.nextBefore ? " (more on older pages)" : ""}`}${
        Object.keys(active).length ? " match these filters" : ""
      }`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when a filter change's results (new props) arrive
  useEffect(() => {
    if (!filterPending) return;
    filterPending = false;
    if (props.problem) {
      focusElement(problemRef.current);
      announce(props.problem, "assertive");
    } else {
      focusElement(results.current);
      announce(summary);
    }
  }, [props.events, props.problem]);

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="mr-auto text-lg font-semibold">Audit trail</h1>
        <label htmlFor="audit-type" className="text-xs text-muted-foreground">
          Event type
        </label>
        <select id="audit-type" className={field} value={props.type ?? ""} onChange={(e) => go({ type: e.target.value || undefined })}>
          <option value="">All events</option>
          {props.types.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </select>
        {props.canVerify ? (
          <Button variant="secondary" onClick={() => verify.mutate()} disabled={verify.isPending}>
            <ShieldCheck /> {verify.isPending ? "Verifying…" : "Verify chain"}
          </Button>
        ) : null}
        {props.canExport && !props.problem ? (
          <>
            <Button variant="secondary" asChild>
              <a href={`/api/audit/export?${filterParams({ format: "csv" })}`} download>
                <Download /> Export CSV
              </a>
            </Button>
            <Button variant="secondary" asChild>
              <a href={`/api/audit/export?${filterParams()}`} download>
                <Download /> Export NDJSON
              </a>
            </Button>
          </>
        ) : null}
      </div>
      <form
        aria-label="Filter the audit trail"
        className="flex flex-wrap items-end gap-2 rounded-lg border border-border bg-surface p-3 text-xs"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const v = (k: string) => String(f.get(k) ?? "").trim() || undefined;
          const iso = (k: string) => {
            const local = v(k);
            return local ? zonedToIso(local, zone) : undefined;
          };
          go({ actor: v("actor"), entity: v("entity"), plant: v("plant"), from: iso("from"), to: iso("to") });
        }}
      >
        <label className="grid gap-1">
          Actor (name or e-mail, starts with)
          <input name="actor" defaultValue={props.filters.actor ?? ""} className={`${field} w-52`} placeholder="Anna or approver@…" />
        </label>
        <label className="grid gap-1">
          Entity
          <input
            name="entity"
            defaultValue={props.entityInput}
            aria-describedby="audit-entity-help"
            aria-invalid={props.problem ? true : undefined}
            className={`${field} w-64`}
            placeholder="business key, message id, exception:<id>…"
          />
        </label>
        <label className="grid gap-1">
          Plant
          <select name="plant" defaultValue={props.filters.plant ?? ""} className={field}>
            <option value="">all</option>
            {props.plants.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          From ({zone})
          <input key={zone} name="from" type="datetime-local" defaultValue={props.filters.from ? isoToZoned(props.filters.from, zone) : ""} className={field} />
        </label>
        <label className="grid gap-1">
          To ({zone})
          <input key={zone} name="to" type="datetime-local" defaultValue={props.filters.to ? isoToZoned(props.filters.to, zone) : ""} className={field} />
        </label>
        <Button type="submit" size="sm">
          Apply
        </Button>
        {Object.keys(active).length || props.problem ? (
          <Button type="button" size="sm" variant="secondary" onClick={() => go({ type: "", actor: "", entity: "", plant: "", from: "", to: "" })}>
            Clear filters
          </Button>
        ) : null}
        <p id="audit-entity-help" className="basis-full text-muted-foreground">
          Entity: {props.entityHelp}. Exports follow these filters; their times are UTC (ISO 8601, ending in Z).
        </p>
      </form>
      {props.problem ? (
        <p ref={problemRef} role="alert" className="rounded-md bg-critical-bg px-3 py-2 text-critical-fg" data-testid="audit-filter-problem">
          {props.problem}
        </p>
      ) : null}
      {props.ignored.length ? (
        <p role="note" className="rounded-md border border-border px-3 py-2 text-xs">
          Left out (not valid): {props.ignored.map((i) => `${i.filter} — ${i.message}`).join("; ")}.
        </p>
      ) : null}
      {verify.data ? (
        <p role="status" className={verify.data.ok ? "rounded-md border border-border px-3 py-2" : "rounded-md bg-critical-bg px-3 py-2 text-critical-fg"}>
          {verify.data.ok
            ? `Chain intact: ${formatCount(verify.data.checked)} events verified.`
            : `Chain BROKEN at event #${verify.data.brokenAtId} after ${formatCount(verify.data.checked)} good events (${verify.data.reason === "link" ? "its link to the previous event" : "its content"} does not match: expected ${verify.data.expectedHash ?? "?"}, found ${verify.data.foundHash ?? "?"}) — the trail was altered outside Andon.`}
        </p>
      ) : null}
      {verify.error ? (
        <p role="alert" className="text-danger">
          {verify.error.message}
        </p>
      ) : null}

      <p ref={results} className="text-sm font-medium" data-testid="audit-results">
        {summary}
      </p>
      {props.problem ? null : props.events.length === 0 ? (
        <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
          <p className="font-medium">No audit events{Object.keys(active).length ? " match these filters" : " yet"}</p>
          <p className="mt-1 text-muted-foreground">Sign-ins, changes and their approvals appear here as they happen.</p>
        </div>
      ) : (
        <section
          aria-label="Audit events"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
          tabIndex={0}
          className="overflow-x-auto rounded-lg border border-border bg-surface focus-visible:outline-2 focus-visible:outline-ring"
        >
          <table className="w-full text-left text-xs">
            <caption className="sr-only">Audit events, newest first; times in your zone ({zone}), and the plant's where it differs</caption>
            <thead className="bg-muted text-muted-foreground">
              <tr>
                {["#", "Time", "Event", "Actor", "Plant", "About", "Details", "Hash"].map((h) => (
                  <th key={h} scope="col" className="px-3 py-2 font-medium">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.events.map((e) => (
                <tr key={e.id} className="border-t border-border align-top" data-audit-type={e.type} data-audit-id={e.id}>
                  <td className="px-3 py-1.5 tabular-nums text-muted-foreground">{e.id}</td>
                  <td className="px-3 py-1.5">
                    <ListTime iso={e.occurredAt} plantZone={e.plantZone} />
                  </td>
                  <td className="px-3 py-1.5 whitespace-nowrap font-medium">{e.typeLabel}</td>
                  <td className="px-3 py-1.5" data-testid="audit-actor">
                    {e.actorName}
                    {e.actorType === "user" ? (
                      e.actorName !== e.actorLabel ? (
                        <span className="block text-muted-foreground">{e.actorLabel}</span>
                      ) : null
                    ) : (
                      <>
                        {" "}
                        <Badge tone="outline">{e.actorTypeLabel}</Badge>
                      </>
                    )}
                  </td>
                  <td className="px-3 py-1.5 whitespace-nowrap font-mono">{e.plantCode ?? "—"}</td>
                  <td className="px-3 py-1.5">
                    {e.links.length
                      ? e.links.map((l) => (
                          <Link key={l.href} href={l.href} className="block whitespace-nowrap text-primary underline underline-offset-2">
                            {l.label}
                          </Link>
                        ))
                      : "—"}
                  </td>
                  <td className="max-w-md px-3 py-1.5 [overflow-wrap:anywhere] text-muted-foreground" data-testid="audit-details">
                    <Details event={e} />
                  </td>
                  <td className="px-3 py-1.5 font-mono text-muted-foreground" title={`hash ${e.hash}\nprev ${e.prevHash}`}>
                    {e.hash.slice(0, 10)}…
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <nav aria-label="Pagination" className="flex justify-end gap-2">
        {props.nextBefore && !props.problem ? (
          <Link className="text-primary underline underline-offset-2" href={`/audit?${filterParams({ before: props.nextBefore })}`}>
            Older events
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
