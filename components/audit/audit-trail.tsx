"use client";
import { useMutation } from "@tanstack/react-query";
import { Download, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { apiFetch } from "@/lib/api";
import type { AuditRow } from "@/server/audit/list-events";

type VerifyResult = { ok: boolean; checked: number; brokenAtId: string | null; reason?: "link" | "hash"; expectedHash?: string; foundHash?: string };

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "short", timeStyle: "medium", timeZone: "UTC" });

function summary(data: unknown): string {
  if (!data || typeof data !== "object") return "";
  return Object.entries(data as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}

type Filters = { type?: string; actor?: string; entity?: string; plant?: string; from?: string; to?: string };

export function AuditTrail(props: {
  events: AuditRow[];
  nextBefore: string | null;
  type: string | null;
  filters: Filters;
  plants: string[];
  types: { value: string; label: string }[];
  canVerify: boolean;
  canExport: boolean;
}) {
  const router = useRouter();
  const filterParams = (extra: Record<string, string> = {}) =>
    new URLSearchParams({ ...Object.fromEntries(Object.entries(props.filters).filter(([, v]) => v)), ...extra } as Record<string, string>);
  const go = (change: Filters) => {
    const next = { ...props.filters, ...change };
    const qs = new URLSearchParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as Record<string, string>).toString();
    router.push(qs ? `/audit?${qs}` : "/audit");
  };
  const verify = useMutation({ mutationFn: () => apiFetch<VerifyResult>("/api/audit/verify", { method: "POST" }), onSuccess: () => router.refresh() });

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="mr-auto text-lg font-semibold">Audit trail</h1>
        <label htmlFor="audit-type" className="text-xs text-muted-foreground">
          Event type
        </label>
        <select
          id="audit-type"
          className="h-8 rounded-md border border-border bg-surface px-2 text-sm"
          value={props.type ?? ""}
          onChange={(e) => go({ type: e.target.value || undefined })}
        >
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
        {props.canExport ? (
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
          const iso = (k: string) => (v(k) ? new Date(`${v(k)}Z`).toISOString() : undefined);
          go({ actor: v("actor"), entity: v("entity"), plant: v("plant"), from: iso("from"), to: iso("to") });
        }}
      >
        <label className="grid gap-1">
          Actor (starts with)
          <input
            name="actor"
            defaultValue={props.filters.actor ?? ""}
            className="h-8 w-52 rounded-md border border-border bg-surface px-2 text-sm"
            placeholder="operator@…"
          />
        </label>
        <label className="grid gap-1">
          Entity
          <input
            name="entity"
            defaultValue={props.filters.entity ?? ""}
            className="h-8 w-60 rounded-md border border-border bg-surface px-2 text-sm"
            placeholder="exception or exception:<id>"
          />
        </label>
        <label className="grid gap-1">
          Plant
          <select name="plant" defaultValue={props.filters.plant ?? ""} className="h-8 rounded-md border border-border bg-surface px-2 text-sm">
            <option value="">all</option>
            {props.plants.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label className="grid gap-1">
          From (UTC)
          <input
            name="from"
            type="datetime-local"
            defaultValue={props.filters.from?.slice(0, 16) ?? ""}
            className="h-8 rounded-md border border-border bg-surface px-2 text-sm"
          />
        </label>
        <label className="grid gap-1">
          To (UTC)
          <input
            name="to"
            type="datetime-local"
            defaultValue={props.filters.to?.slice(0, 16) ?? ""}
            className="h-8 rounded-md border border-border bg-surface px-2 text-sm"
          />
        </label>
        <Button type="submit" size="sm">
          Apply
        </Button>
        <span className="text-muted-foreground">Exports follow these filters.</span>
      </form>
      {verify.data ? (
        <p role="status" className={verify.data.ok ? "rounded-md border border-border px-3 py-2" : "rounded-md bg-critical-bg px-3 py-2 text-critical-fg"}>
          {verify.data.ok
            ? `Chain intact: ${verify.data.checked} events verified.`
            : `Chain BROKEN at event #${verify.data.brokenAtId} after ${verify.data.checked} good events (${verify.data.reason === "link" ? "its link to the previous event" : "its content"} does not match: expected ${verify.data.expectedHash ?? "?"}, found ${verify.data.foundHash ?? "?"}) — the trail was altered outside Andon.`}
        </p>
      ) : null}
      {verify.error ? (
        <p role="alert" className="text-danger">
          {verify.error.message}
        </p>
      ) : null}

      {props.events.length === 0 ? (
        <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
          <p className="font-medium">No audit events{props.type ? " of this type" : ""} yet</p>
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
            <caption className="sr-only">Audit events, newest first</caption>
            <thead className="bg-muted text-muted-foreground">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">
                  #
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Time (UTC)
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Event
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Actor
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Plant
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Details
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Hash
                </th>
              </tr>
            </thead>
            <tbody>
              {props.events.map((e) => (
                <tr key={e.id} className="border-t border-border align-top" data-audit-type={e.type}>
                  <td className="px-3 py-1.5 tabular-nums text-muted-foreground">{e.id}</td>
                  <td className="px-3 py-1.5 whitespace-nowrap tabular-nums">{dateTime.format(new Date(e.occurredAt))}</td>
                  <td className="px-3 py-1.5 whitespace-nowrap font-medium">{e.typeLabel}</td>
                  <td className="px-3 py-1.5">
                    {e.actorLabel} {e.actorType !== "user" ? <Badge tone="outline">{e.actorType}</Badge> : null}
                  </td>
                  <td className="px-3 py-1.5 font-mono">{e.plantCode ?? "—"}</td>
                  <td className="max-w-md px-3 py-1.5 [overflow-wrap:anywhere] text-muted-foreground">{summary(e.data)}</td>
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
        {props.nextBefore ? (
          <Link className="text-primary underline underline-offset-4" href={`/audit?${filterParams({ before: props.nextBefore })}`}>
            Older events
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
