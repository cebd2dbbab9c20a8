"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { QueryError } from "@/components/dashboards/query-state";
import { findingKeys } from "@/components/findings/query-keys";
import { useLiveFindings } from "@/components/findings/use-live-findings";
import { Badge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { BUSINESS_PROCESS_LABELS } from "@/lib/labels";
import { cn } from "@/lib/utils";
import { CELL_STATE_LABELS, type CellState, cellText } from "@/server/findings/process-cell";
import type { ProcessCell, ProcessView } from "@/server/findings/process-view";

const TONE: Record<CellState, "critical" | "high" | "medium" | "low" | "outline"> = {
  stopped: "critical",
  failing: "high",
  flooded: "medium",
  late: "medium",
  ok: "low",
  none: "outline",
};
const CELL_BG: Record<CellState, string> = {
  stopped: "bg-critical-bg/60",
  failing: "bg-high-bg/50",
  flooded: "bg-medium-bg/40",
  late: "bg-medium-bg/40",
  ok: "",
  none: "",
};

/**
 * Business processes × the user's plants: one glance says which plant's process is stuck. Each cell says
 * its state in words (colour only repeats it) and its counts, and links to the findings and exceptions
 * behind it. Live: a finding or exception of one of these plants opening, moving or clearing refetches
 * the grid at once.
 */
export function ProcessGrid({ initial }: { initial: ProcessView }) {
  const q = useQuery({
    queryKey: findingKeys.processes(),
    queryFn: () => apiFetch<ProcessView>("/api/processes"),
    initialData: initial,
    staleTime: 5_000,
    refetchInterval: 60_000,
  });
  useLiveFindings(
    initial.plants.map((p) => p.id),
    { exceptions: true, throttleMs: 500 },
  );
  const v = q.data;
  const cellOf = (process: string, plant: string) => v.cells.find((c) => c.process === process && c.plantCode === plant);
  if (v.plants.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
        <h1 className="font-medium">No plants to show</h1>
        <p className="mt-1 text-sm text-muted-foreground">Your account is not assigned to any plant yet. Ask an administrator to add your plants.</p>
      </div>
    );
  }
  return (
    <div className="space-y-3">
      <h1 className="text-lg font-semibold">Processes</h1>
      <p className="text-xs text-muted-foreground">
        Each cell is one business process at one plant, judged on its interfaces there. The worst state wins: <strong>Stopped</strong> (a flow below its
        expected traffic while its connector is alive, or a batch run missed), <strong>Failing</strong> (open exceptions), <strong>Flooded</strong> (a flow
        above its expected traffic), <strong>Late</strong> (messages not delivered in time), else <strong>OK</strong>. As of{" "}
        <Time iso={v.generatedAt} style="time-seconds" />; updates live.
      </p>
      {q.isError ? <QueryError what="the process view" error={q.error} retry={() => void q.refetch()} stale /> : null}
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
      <section className="overflow-x-auto rounded-lg border border-border bg-surface" tabIndex={0} aria-label="Processes by plant">
        <table className="w-full text-left text-sm" data-testid="process-grid">
          <caption className="sr-only">Business processes (rows) by plant (columns): state and counts of each</caption>
          <thead>
            <tr className="border-b border-border">
              <th scope="col" className="px-3 py-2 font-medium text-muted-foreground">
                Process
              </th>
              {v.plants.map((p) => (
                <th key={p.code} scope="col" className="px-3 py-2 font-medium">
                  <Link href={`/plants/${p.code}`} className="hover:underline">
                    <span className="font-mono">{p.code}</span>
                  </Link>
                  <span className="block text-xs font-normal text-muted-foreground">{p.name}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {v.processes.map((process) => (
              <tr key={process} className="border-b border-border last:border-0">
                <th scope="row" className="px-3 py-2 font-medium whitespace-nowrap">
                  {BUSINESS_PROCESS_LABELS[process]}
                </th>
                {v.plants.map((p) => {
                  const c = cellOf(process, p.code);
                  return c ? <Cell key={p.code} c={c} /> : <td key={p.code} />;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function Cell({ c }: { c: ProcessCell }) {
  const parts = cellText(c.counts);
  return (
    <td className={cn("px-3 py-2 align-top", CELL_BG[c.state])} data-cell={`${c.plantCode}:${c.process}`} data-state={c.state}>
      {c.state === "none" ? (
        <span className="text-xs text-muted-foreground">{CELL_STATE_LABELS.none}</span>
      ) : (
        <div className="space-y-1">
          <Link href={c.findingsHref} className="inline-block hover:underline" aria-label={`${CELL_STATE_LABELS[c.state]}: findings of ${c.plantCode}`}>
            <Badge tone={TONE[c.state]} className="text-sm">
              {CELL_STATE_LABELS[c.state]}
            </Badge>
          </Link>
          {parts.length ? (
            <p className="text-xs">
              {c.counts.failing && c.exceptionsHref ? (
                <>
                  {parts.filter((t) => !t.includes("open exception")).join(" · ")}
                  {parts.length > 1 ? " · " : ""}
                  <Link href={c.exceptionsHref} className="underline">
                    {parts.find((t) => t.includes("open exception"))}
                  </Link>
                </>
              ) : (
                parts.join(" · ")
              )}
            </p>
          ) : (
            <p className="text-xs text-muted-foreground">{c.interfaces.join(", ")}</p>
          )}
        </div>
      )}
    </td>
  );
}
