"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useAnnounce } from "@/components/ui/announcer";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { DRY_RUN_OUTCOME_LABELS, labelOf } from "@/lib/labels";
import type { DryRunView } from "@/server/corrections/dry-run-view";

/**
 * The last dry run of a correction against its target (issue 20), beside the diff and key fields: "would
 * post", the target's refusal (its code and message) or why nothing was checked — and whether it checked
 * exactly the payload shown. Who may, asks the target again.
 */
export function DryRunPanel({ correctionId, dryRun, canRun, zone }: { correctionId: string; dryRun: DryRunView; canRun: boolean; zone: string }) {
  const router = useRouter();
  const announce = useAnnounce();
  const run = useMutation({
    mutationFn: () =>
      apiFetch<{ outcome: string; result: { code: string | null; message: string } }>(`/api/corrections/${correctionId}/dry-run`, { method: "POST" }),
    onSuccess: (r) => {
      announce(`Dry run: ${labelOf(DRY_RUN_OUTCOME_LABELS, r.outcome)}${r.result.code ? ` (${r.result.code})` : ""}: ${r.result.message}`);
      router.refresh();
    },
    onError: (err) => announce(`Dry run not recorded: ${err.message}`, "assertive"),
  });
  const tone = !dryRun?.current ? "outline" : dryRun.outcome === "WOULD_POST" ? "low" : dryRun.outcome === "REFUSED" ? "critical" : "high";
  return (
    <section aria-label="Dry run against the target" className="space-y-1 rounded-md border border-border px-3 py-2 text-xs" data-testid="dry-run">
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-semibold">Dry run</span>
        {dryRun ? (
          <>
            <Badge tone={tone} data-testid="dry-run-outcome">
              {dryRun.current ? labelOf(DRY_RUN_OUTCOME_LABELS, dryRun.outcome) : "Of an older payload: does not count"}
            </Badge>
            <span className="text-muted-foreground">
              {dryRun.at ? <Time iso={dryRun.at} plantZone={zone} /> : null}
              {dryRun.by ? ` by ${dryRun.by}` : ""}
            </span>
          </>
        ) : (
          <span className="text-muted-foreground" data-testid="dry-run-outcome">
            Not checked against the target yet
          </span>
        )}
        {canRun ? (
          <Button variant="secondary" size="sm" disabled={run.isPending} onClick={() => run.mutate()} data-testid="dry-run-button">
            {run.isPending ? "Asking the target…" : dryRun ? "Dry run again" : "Dry run against the target"}
          </Button>
        ) : null}
      </div>
      {dryRun?.current ? (
        <p data-testid="dry-run-message" className={dryRun.outcome === "REFUSED" ? "text-critical-fg" : undefined}>
          {dryRun.code ? <span className="font-mono">{dryRun.code} · </span> : null}
          {dryRun.message}
        </p>
      ) : null}
      {dryRun?.current && dryRun.answer ? (
        <details>
          <summary className="cursor-pointer">The target's answer</summary>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
          <pre className="mt-1 max-h-48 overflow-auto rounded bg-muted p-2 font-mono" tabIndex={0}>
            {JSON.stringify(dryRun.answer, null, 2)}
          </pre>
        </details>
      ) : null}
      {run.error ? (
        <p role="alert" className="text-critical-fg">
          {run.error.message}
        </p>
      ) : null}
    </section>
  );
}
