"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useAnnounce } from "@/components/ui/announcer";
import { Button } from "@/components/ui/button";
import { ApiError, apiFetch } from "@/lib/api";
import { FINDING_KIND_LABELS } from "@/lib/labels";
import type { FindingDetail } from "@/server/findings/finding-detail";
import type { FindingRow } from "@/server/findings/finding-row";
import { findingKeys } from "./query-keys";

/**
 * Acknowledge / take / release one finding. Every action is checked and audited on the server; the
 * outcome is shown and read out (a refusal says why, e.g. someone else acknowledged it first).
 */
export function FindingActions({
  f,
  me,
  onOutcome,
}: {
  f: Pick<FindingRow, "id" | "status" | "kind" | "interfaceCode" | "plantCode" | "assignee">;
  me: string;
  onOutcome?: (message: string, ok: boolean) => void;
}) {
  const qc = useQueryClient();
  const announce = useAnnounce();
  const act = useMutation({
    mutationFn: ({ action, body }: { action: "acknowledge" | "assign"; body?: unknown }) =>
      apiFetch<FindingDetail>(`/api/findings/${f.id}/${action}`, { method: "POST", body: JSON.stringify(body ?? {}) }),
    onSuccess: async (d, { action }) => {
      const what = `${FINDING_KIND_LABELS[d.kind]} · ${d.interfaceCode} at ${d.plantCode}`;
      const message =
        action === "acknowledge"
          ? `Acknowledged: ${what}.`
          : d.assignee
            ? `Assigned to ${d.assignee.id === me ? "you" : d.assignee.label}: ${what}.`
            : `Released: ${what}.`;
      announce(message);
      onOutcome?.(message, true);
      await qc.invalidateQueries({ queryKey: findingKeys.all });
    },
    onError: (e) => {
      const message = e instanceof ApiError ? e.message : "The action failed";
      announce(message, "assertive");
      onOutcome?.(message, false);
      void qc.invalidateQueries({ queryKey: findingKeys.all });
    },
  });
  if (f.status === "RESOLVED") return null;
  return (
    <div className="flex flex-wrap gap-2">
      {f.status === "OPEN" ? (
        <Button size="sm" disabled={act.isPending} onClick={() => act.mutate({ action: "acknowledge" })}>
          Acknowledge
        </Button>
      ) : null}
      {f.assignee?.id !== me ? (
        <Button size="sm" variant="secondary" disabled={act.isPending} onClick={() => act.mutate({ action: "assign", body: { assigneeId: me } })}>
          Take it
        </Button>
      ) : (
        <Button size="sm" variant="secondary" disabled={act.isPending} onClick={() => act.mutate({ action: "assign", body: { assigneeId: null } })}>
          Release
        </Button>
      )}
    </div>
  );
}
