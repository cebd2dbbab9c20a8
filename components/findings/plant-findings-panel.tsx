"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import type { ReactNode } from "react";
import { QueryError } from "@/components/dashboards/query-state";
import { Skeleton } from "@/components/ui/skeleton";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { formatCount, formatDuration } from "@/lib/format";
import { SYSTEM_LABELS, labelOf } from "@/lib/labels";
import { cn } from "@/lib/utils";
import type { PlantFindingsPanel as Panel } from "@/server/findings/plant-findings";
import { FindingItem } from "./findings-queue";
import { KINDS_WORST_FIRST, kindCount } from "./phrases";
import { findingKeys } from "./query-keys";
import { useLiveFindings } from "./use-live-findings";

/**
 * On the plant page: the three silences told apart (connector down, flow stopped, target down) and the
 * plant's open findings, live (a finding opened, acknowledged or cleared shows at once). Each finding links to
 * its page, where it is acknowledged or taken.
 */
export function PlantFindingsPanel({ code, plantId }: { code: string; plantId: string }) {
  const q = useQuery({
    queryKey: findingKeys.plant(code),
    queryFn: () => apiFetch<Panel>(`/api/findings/plants/${encodeURIComponent(code)}`),
    staleTime: 5_000,
    refetchInterval: 60_000,
  });
  useLiveFindings([plantId]);
  if (q.isError && !q.data) return <QueryError what="the findings of this plant" error={q.error} retry={() => void q.refetch()} />;
  if (!q.data) return <Skeleton className="h-24" aria-busy="true" />;
  const { summary, open, silences, plant } = q.data;
  const tz = plant.timezone;
  const kinds = KINDS_WORST_FIRST.filter((k) => summary.byKind[k] > 0);
  const rows: { key: string; label: string; what: string; items: { key: string; node: ReactNode }[] }[] = [
    {
      key: "connector",
      label: "Connector down",
      what: "no heartbeat",
      items: silences.connectorDown.map((c) => ({
        key: c.connectorId,
        node: (
          <>
            {c.name} ({labelOf(SYSTEM_LABELS, c.system)}), silent for {formatDuration(c.silentForS)} (last heartbeat{" "}
            {c.lastHeartbeatAt ? <Time iso={c.lastHeartbeatAt} plantZone={tz} /> : "never"})
          </>
        ),
      })),
    },
    {
      key: "flow",
      label: "Flow stopped",
      what: "heartbeats, no traffic",
      items: silences.flowStopped.map((f) => ({
        key: f.findingId,
        node: (
          <Link href={`/findings/${f.findingId}`} className="underline">
            <span className="font-mono">{f.interfaceCode}</span> ({f.interfaceName}) since <Time iso={f.openedAt} plantZone={tz} />
          </Link>
        ),
      })),
    },
    {
      key: "target",
      label: "Target down",
      what: "deliveries failing",
      items: silences.targetDown.map((t) => ({
        key: t.connectorId,
        node: (
          <>
            {t.name} ({labelOf(SYSTEM_LABELS, t.system)}): {formatCount(t.failures)} failures in a row
            {t.pausedUntil ? (
              <>
                , replays paused until <Time iso={t.pausedUntil} plantZone={tz} style="time-seconds" />
              </>
            ) : null}
          </>
        ),
      })),
    },
  ];
  return (
    <section aria-labelledby="plant-findings-heading" className="space-y-2" data-testid="plant-findings">
      <h2 id="plant-findings-heading" className="text-base font-semibold">
        Silences and findings
      </h2>
      <ul className="grid gap-2 sm:grid-cols-3" aria-label="The three silences" data-testid="plant-silences">
        {rows.map((r) => (
          <li
            key={r.key}
            data-silence={r.key}
            data-active={r.items.length > 0}
            className={cn("rounded-lg border px-3 py-2 text-sm", r.items.length ? "border-danger/50 bg-critical-bg/50" : "border-border bg-surface")}
          >
            <p className="font-medium">
              {r.label} <span className="font-normal text-muted-foreground">({r.what})</span>:{" "}
              <span className={r.items.length ? "text-danger" : "text-muted-foreground"}>{r.items.length ? formatCount(r.items.length) : "none"}</span>
            </p>
            {r.items.length ? (
              <ul className="mt-1 space-y-0.5 text-xs">
                {r.items.map((i) => (
                  <li key={i.key}>{i.node}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
      <p className="text-sm" data-testid="plant-findings-counts">
        {kinds.length === 0 ? (
          "No open findings: nothing late, no flow stopped or flooded, no batch run missed."
        ) : (
          <>
            Open findings:{" "}
            {kinds.map((k, i) => (
              <span key={k}>
                {i ? " · " : ""}
                <Link href={`/findings?plant=${code}&kind=${k}`} className="font-medium underline">
                  {kindCount(k, summary.byKind[k])}
                </Link>
              </span>
            ))}
          </>
        )}
      </p>
      {open.length ? (
        <ul className="divide-y divide-border rounded-lg border border-border bg-surface" aria-label={`Open findings of ${code}`}>
          {open.map((f) => (
            <FindingItem key={f.id} f={f} me="" canHandle={false} />
          ))}
        </ul>
      ) : null}
      {summary.open > open.length ? (
        <p className="text-xs">
          <Link href={`/findings?plant=${code}`} className="underline">
            All {formatCount(summary.open)} open findings of {code}
          </Link>
        </p>
      ) : null}
    </section>
  );
}
