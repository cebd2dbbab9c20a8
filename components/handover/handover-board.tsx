"use client";
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useId, useState } from "react";
import { QueryError } from "@/components/dashboards/query-state";
import { usePlantRooms, useSocketEvent } from "@/components/realtime-provider";
import { useAnnounce } from "@/components/ui/announcer";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Time } from "@/components/ui/time";
import { ApiError, apiFetch } from "@/lib/api";
import { formatCount } from "@/lib/format";
import { HANDOVER_STATUS_LABELS, labelOf } from "@/lib/labels";
import { handoverKeys } from "@/lib/query-keys";
import type { ShiftWindows } from "@/server/dashboards/shift-window";
import type { HandoverView } from "@/server/handover/handover-view";
import type { HandoverList } from "@/server/handover/list-handovers";
import { HandoverFigures } from "./handover-card";
import { ShiftLabel } from "./shift-label";

/**
 * A plant's shift handovers: the latest prominent (its figures, the outgoing lead's notes, the incoming
 * lead's acknowledgement), earlier ones below. Live: any "handover.changed" of the plant's room refetches,
 * so a handover prepared at a shift's end, notes written or an acknowledgement elsewhere show at once.
 */
const NOTES_MAX = 4000;

export function HandoverBoard({ initial, windows }: { initial: HandoverList; windows: ShiftWindows | null }) {
  const qc = useQueryClient();
  const { plant } = initial;
  const key = handoverKeys.list(plant.code);
  const query = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam }) =>
      apiFetch<HandoverList>(`/api/plants/${encodeURIComponent(plant.code)}/handovers${pageParam ? `?${new URLSearchParams({ before: pageParam })}` : ""}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextBefore,
    initialData: { pages: [initial], pageParams: [null] },
    staleTime: 5_000,
  });
  const refetch = () => void qc.invalidateQueries({ queryKey: key });
  usePlantRooms([plant.id], refetch, true);
  useSocketEvent("handover.changed", (c) => {
    if (c.plantId === plant.id) refetch();
  });
  const all = query.data.pages.flatMap((p) => p.handovers);
  const [latest, ...earlier] = all;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-2">
        <h1 className="mr-auto text-lg font-semibold">
          <Badge tone="outline" className="mr-2 font-mono">
            {plant.code}
          </Badge>
          Shift handover · {plant.name}
        </h1>
        <Link href={`/plants/${plant.code}`} className="text-sm underline">
          Plant figures
        </Link>
      </div>
      <p className="text-xs text-muted-foreground">
        At the end of each shift Andon prepares its handover: what failed and what was resolved during it, what was still open, late or stopped at its end, and
        the alerts. The outgoing lead adds notes; the incoming lead acknowledges. Times in plant time ({plant.timezone}).
        {windows?.current ? (
          <>
            {" "}
            This shift: <ShiftLabel name={windows.current.name} start={windows.current.start} end={windows.current.end} zone={plant.timezone} />; its handover
            is prepared when it ends.
          </>
        ) : windows && !windows.hasShifts ? (
          " This plant has no shifts in its calendar yet: an administrator sets them up, then each shift's end prepares a handover."
        ) : (
          " No shift is running now."
        )}
      </p>
      {query.isError ? <QueryError what="the handovers" error={query.error} retry={() => void query.refetch()} stale /> : null}
      {latest ? (
        <HandoverPanel h={latest} latest />
      ) : (
        <p className="rounded-lg border border-dashed border-border px-4 py-8 text-center text-sm text-muted-foreground">
          No handover yet. The first one appears here, live, when a shift ends.
        </p>
      )}
      {earlier.length ? (
        <section aria-labelledby="handover-history" className="space-y-2">
          <h2 id="handover-history" className="text-base font-semibold">
            Earlier handovers
          </h2>
          <ul className="divide-y divide-border rounded-lg border border-border bg-surface" aria-label="Earlier handovers">
            {earlier.map((h) => (
              <li key={h.id} className="px-4 py-2" data-handover={h.id}>
                <details>
                  <summary className="cursor-pointer text-sm">
                    <ShiftLabel name={h.shiftName} start={h.shiftStart} end={h.shiftEnd} zone={h.timezone} /> ·{" "}
                    <Badge tone="outline">{labelOf(HANDOVER_STATUS_LABELS, h.status)}</Badge> · {formatCount(h.summary.exceptions.failed)} failed,{" "}
                    {formatCount(h.summary.exceptions.openAtEnd.total)} open at the end
                  </summary>
                  <div className="mt-2">
                    <HandoverPanel h={h} latest={false} />
                  </div>
                </details>
              </li>
            ))}
          </ul>
          {query.hasNextPage ? (
            <Button size="sm" variant="ghost" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
              {query.isFetchingNextPage ? "Loading…" : "Older handovers"}
            </Button>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}

function HandoverPanel({ h, latest }: { h: HandoverView; latest: boolean }) {
  const headingId = useId();
  const Heading = latest ? "h2" : "h3";
  return (
    <article
      aria-labelledby={headingId}
      className={latest ? "space-y-3 rounded-lg border border-border bg-surface p-4" : "space-y-3"}
      data-testid={latest ? "handover-latest" : undefined}
      data-status={h.status}
    >
      <div className="flex flex-wrap items-center gap-2">
        <Heading id={headingId} className="mr-auto text-base font-semibold">
          {latest ? "Latest handover: " : ""}
          <ShiftLabel name={h.shiftName} start={h.shiftStart} end={h.shiftEnd} zone={h.timezone} />
        </Heading>
        <Badge tone="outline" data-testid="handover-status">
          {labelOf(HANDOVER_STATUS_LABELS, h.status)}
        </Badge>
      </div>
      <HandoverFigures h={h} />
      <Notes h={h} />
      <Acknowledgement h={h} />
    </article>
  );
}

function Notes({ h }: { h: HandoverView }) {
  const qc = useQueryClient();
  const announce = useAnnounce();
  const id = useId();
  const [draft, setDraft] = useState(h.notes ?? "");
  const [base, setBase] = useState(h.notesVersion);
  const [dirty, setDirty] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  // Someone else's edit (live) replaces the text unless this person is typing; then saving reports the conflict.
  useEffect(() => {
    if (!dirty) {
      setDraft(h.notes ?? "");
      setBase(h.notesVersion);
    }
  }, [h.notes, h.notesVersion, dirty]);
  const save = useMutation({
    mutationFn: () =>
      apiFetch<HandoverView>(`/api/plants/${encodeURIComponent(h.plantCode)}/handovers/${h.id}`, {
        method: "PUT",
        body: JSON.stringify({ notes: draft, version: base }),
      }),
    onSuccess: async (saved) => {
      setDirty(false);
      setBase(saved.notesVersion);
      const text = "Notes saved.";
      setMessage({ ok: true, text });
      announce(text);
      await qc.invalidateQueries({ queryKey: handoverKeys.list(h.plantCode) });
    },
    onError: (e) => {
      const text =
        e instanceof ApiError && e.code === "conflict"
          ? "Someone else changed these notes meanwhile. Their version is shown below yours: merge what you need, then save again."
          : e instanceof ApiError
            ? e.message
            : "The notes could not be saved.";
      if (e instanceof ApiError && e.code === "conflict") setBase(h.notesVersion);
      setMessage({ ok: false, text });
      announce(text, "assertive");
      void qc.invalidateQueries({ queryKey: handoverKeys.list(h.plantCode) });
    },
  });
  const conflict = dirty && h.notesVersion !== base;
  if (!h.allowed.writeNotes)
    return (
      <section aria-labelledby={`${id}-h`} className="space-y-1">
        <h3 id={`${id}-h`} className="text-sm font-semibold">
          Notes of the outgoing lead
        </h3>
        <p className="whitespace-pre-wrap text-sm" data-testid="handover-notes">
          {h.notes ?? <span className="text-muted-foreground">No notes.</span>}
        </p>
        {h.notesUpdatedBy ? <p className="text-xs text-muted-foreground">Written by {h.notesUpdatedBy}</p> : null}
      </section>
    );
  return (
    <section className="space-y-1">
      <label htmlFor={`${id}-notes`} className="block text-sm font-semibold">
        Notes of the outgoing lead
      </label>
      <p id={`${id}-hint`} className="text-xs text-muted-foreground">
        What the next shift must know: what you did, what is pending, whom to call. Up to {formatCount(NOTES_MAX)} characters.
        {h.notesUpdatedBy ? ` Last written by ${h.notesUpdatedBy}.` : ""}
      </p>
      <textarea
        id={`${id}-notes`}
        aria-describedby={`${id}-hint`}
        data-testid="handover-notes-input"
        rows={4}
        maxLength={NOTES_MAX}
        value={draft}
        onChange={(e) => {
          if (!dirty) setBase(h.notesVersion);
          setDirty(true);
          setDraft(e.target.value);
        }}
        className="w-full rounded-md border border-border bg-surface p-2 text-sm"
      />
      {conflict ? (
        <div className="rounded-md border border-border p-2 text-xs">
          <p className="font-medium">Saved meanwhile by {h.notesUpdatedBy ?? "someone else"}:</p>
          <p className="whitespace-pre-wrap">{h.notes ?? "(no notes)"}</p>
        </div>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        <Button size="sm" data-testid="handover-notes-save" disabled={save.isPending || !dirty} onClick={() => save.mutate()}>
          {save.isPending ? "Saving…" : "Save notes"}
        </Button>
        {message ? (
          <p className={message.ok ? "text-xs" : "text-xs text-danger"} data-testid="handover-notes-outcome">
            {message.text}
          </p>
        ) : null}
      </div>
    </section>
  );
}

function Acknowledgement({ h }: { h: HandoverView }) {
  const qc = useQueryClient();
  const announce = useAnnounce();
  const [error, setError] = useState<string | null>(null);
  const ack = useMutation({
    mutationFn: () => apiFetch<HandoverView>(`/api/plants/${encodeURIComponent(h.plantCode)}/handovers/${h.id}/acknowledge`, { method: "POST" }),
    onSuccess: async () => {
      setError(null);
      announce(`Handover acknowledged: ${h.shiftName}.`);
      await qc.invalidateQueries({ queryKey: handoverKeys.list(h.plantCode) });
    },
    onError: (e) => {
      const text = e instanceof ApiError ? e.message : "The acknowledgement failed.";
      setError(text);
      announce(text, "assertive");
      void qc.invalidateQueries({ queryKey: handoverKeys.list(h.plantCode) });
    },
  });
  return (
    <div className="flex flex-wrap items-center gap-2 border-t border-border pt-3 text-sm">
      {h.status === "ACKNOWLEDGED" ? (
        <p role="status" data-testid="handover-acknowledged">
          Acknowledged by {h.acknowledgedBy ?? "a former user"} at <Time iso={h.acknowledgedAt} plantZone={h.timezone} />.
        </p>
      ) : h.allowed.acknowledge ? (
        <>
          <Button size="sm" data-testid="handover-acknowledge" disabled={ack.isPending} onClick={() => ack.mutate()}>
            {ack.isPending ? "Acknowledging…" : "Acknowledge handover"}
          </Button>
          <span className="text-xs text-muted-foreground">As the incoming lead: you have read it and take the shift over.</span>
        </>
      ) : (
        <p className="text-muted-foreground">Awaiting the incoming lead's acknowledgement.</p>
      )}
      {error ? (
        <p className="text-danger" data-testid="handover-acknowledge-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}
