"use client";
import { useMutation } from "@tanstack/react-query";
import { Download, ShieldCheck } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { apiFetch } from "@/lib/api";
import type { AuditRow } from "@/server/audit/list-events";

type VerifyResult = { ok: boolean; checked: number; brokenAtId: string | null };

const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "short", timeStyle: "medium", timeZone: "UTC" });

function summary(data: unknown): string {
  if (!data || typeof data !== "object") return "";
  return Object.entries(data as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
    .join(" · ");
}

export function AuditTrail(props: {
  events: AuditRow[];
  nextBefore: string | null;
  type: string | null;
  types: { value: string; label: string }[];
  canVerify: boolean;
  canExport: boolean;
}) {
  const router = useRouter();
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
          onChange={(e) => router.push(e.target.value ? `/audit?type=${encodeURIComponent(e.target.value)}` : "/audit")}
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
          <Button variant="secondary" asChild>
            <a href="/api/audit/export" download>
              <Download /> Export NDJSON
            </a>
          </Button>
        ) : null}
      </div>
      {verify.data ? (
        <p role="status" className={verify.data.ok ? "rounded-md border border-border px-3 py-2" : "rounded-md bg-critical-bg px-3 py-2 text-critical-fg"}>
          {verify.data.ok
            ? `Chain intact: ${verify.data.checked} events verified.`
            : `Chain BROKEN at event #${verify.data.brokenAtId} after ${verify.data.checked} good events — the trail was altered outside Andon.`}
        </p>
      ) : null}
      {verify.error ? <p role="alert" className="text-danger">{verify.error.message}</p> : null}

      {props.events.length === 0 ? (
        <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
          <p className="font-medium">No audit events{props.type ? " of this type" : ""} yet</p>
          <p className="mt-1 text-muted-foreground">Sign-ins, changes and their approvals appear here as they happen.</p>
        </div>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-border bg-surface">
          <table className="w-full text-left text-xs">
            <caption className="sr-only">Audit events, newest first</caption>
            <thead className="bg-muted text-muted-foreground">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">#</th>
                <th scope="col" className="px-3 py-2 font-medium">Time (UTC)</th>
                <th scope="col" className="px-3 py-2 font-medium">Event</th>
                <th scope="col" className="px-3 py-2 font-medium">Actor</th>
                <th scope="col" className="px-3 py-2 font-medium">Plant</th>
                <th scope="col" className="px-3 py-2 font-medium">Details</th>
                <th scope="col" className="px-3 py-2 font-medium">Hash</th>
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
                  <td className="max-w-md px-3 py-1.5 break-words text-muted-foreground">{summary(e.data)}</td>
                  <td className="px-3 py-1.5 font-mono text-muted-foreground" title={`hash ${e.hash}\nprev ${e.prevHash}`}>
                    {e.hash.slice(0, 10)}…
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Pagination" className="flex justify-end gap-2">
        {props.nextBefore ? (
          <Link className="text-primary underline underline-offset-4" href={`/audit?${new URLSearchParams({ ...(props.type ? { type: props.type } : {}), before: props.nextBefore })}`}>
            Older events
          </Link>
        ) : null}
      </nav>
    </div>
  );
}
