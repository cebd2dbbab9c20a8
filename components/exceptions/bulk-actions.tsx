"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type Ref, useEffect, useRef, useState } from "react";
import { focusElement, useAnnounce } from "@/components/ui/announcer";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { Label } from "@/components/ui/input";
import { JsonEditor } from "@/components/ui/json-editor";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { apiFetch } from "@/lib/api";
import { formatCount } from "@/lib/format";
import { bulkKeys } from "@/lib/query-keys";
import { cn } from "@/lib/utils";
import type { BulkSummary, PatchPreviewItem } from "@/server/exceptions/bulk-rules";
import { useRealtime } from "../realtime-provider";

/**
 * Bulk actions on the exception queue: a selection (ids) or everything matching the current filter.
 * The server resolves the targets and works through them in the background; progress arrives over
 * the socket (the author's own room) and can be cancelled.
 */
export type BulkSelection = { ids: string[] } | { filter: string };
type Kind = "ASSIGN" | "COMMENT" | "DISCARD" | "REPLAY" | "CORRECT";

export function BulkBar({
  selection,
  count,
  kinds,
  me,
  ref,
  onStarted,
}: {
  selection: BulkSelection;
  count: number;
  kinds: Kind[];
  me: string;
  /** The bar itself (the queue moves focus to its first action after "act on all"). */
  ref?: Ref<HTMLElement>;
  onStarted: (operation: BulkSummary) => void;
}) {
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const [open, setOpen] = useState<Kind | null>(null);
  const start = useMutation({
    mutationFn: (body: { kind: Kind; params?: object }) =>
      apiFetch<{ operation: BulkSummary }>("/api/bulk", { method: "POST", body: JSON.stringify({ ...body, selection }) }),
    onSuccess: ({ operation }) => {
      // Progress may have arrived over the socket before this answer (and its outcome been read out): keep it.
      const known = queryClient.getQueryData<BulkSummary[]>(bulkKeys.list())?.some((o) => o.id === operation.id);
      if (!known) {
        queryClient.setQueryData<BulkSummary[]>(bulkKeys.list(), (old = []) => [operation, ...old]);
        announce(`${operation.label}: started`);
      }
      setOpen(null);
      onStarted(operation);
    },
  });
  const run = (kind: Kind, params?: object) => start.mutate({ kind, params });
  const dialog = (kind: Kind) => ({
    open: open === kind,
    onOpenChange: (o: boolean) => {
      start.reset();
      setOpen(o ? kind : null);
    },
  });
  const what = "ids" in selection ? `${count} selected exception${count === 1 ? "" : "s"}` : `all ${formatCount(count)} exceptions matching the filter`;

  return (
    <section
      ref={ref}
      aria-label="Bulk actions"
      className="flex flex-wrap items-center gap-2 rounded-lg border border-primary/40 bg-primary/5 px-3 py-2 text-xs"
    >
      <span className="mr-auto font-medium">{"ids" in selection ? `${count} selected` : `All ${formatCount(count)} matching the filter`}</span>
      {kinds.includes("ASSIGN") ? (
        <Button size="sm" variant="secondary" disabled={start.isPending} onClick={() => run("ASSIGN", { assigneeId: me })}>
          Assign to me
        </Button>
      ) : null}
      {kinds.includes("COMMENT") ? (
        <Dialog {...dialog("COMMENT")}>
          <DialogTrigger asChild>
            <Button size="sm" variant="secondary">
              Comment
            </Button>
          </DialogTrigger>
          <DialogContent title="Comment on exceptions" description={`The same comment is added to ${what}.`}>
            <form
              className="space-y-3"
              onSubmit={(e) => {
                e.preventDefault();
                run("COMMENT", { body: String(new FormData(e.currentTarget).get("body") ?? "") });
              }}
            >
              <div className="space-y-1">
                <Label htmlFor="bulk-comment">Comment</Label>
                <textarea
                  id="bulk-comment"
                  name="body"
                  required
                  maxLength={4000}
                  rows={3}
                  className="w-full rounded-md border border-border bg-surface p-2 text-sm"
                />
              </div>
              {start.error ? (
                <p role="alert" className="text-xs text-danger">
                  {start.error.message}
                </p>
              ) : null}
              <div className="flex justify-end gap-2">
                <DialogClose asChild>
                  <Button type="button" variant="secondary">
                    Cancel
                  </Button>
                </DialogClose>
                <Button type="submit" disabled={start.isPending}>
                  Add comment
                </Button>
              </div>
            </form>
          </DialogContent>
        </Dialog>
      ) : null}
      {kinds.includes("DISCARD") ? (
        <ReasonDialog
          {...dialog("DISCARD")}
          trigger={
            <Button size="sm" variant="secondary">
              Discard
            </Button>
          }
          title="Discard exceptions"
          description={`Discard ${what}: they need no action (e.g. superseded). Closed ones are skipped. The reason is audited on each.`}
          submitLabel="Discard all"
          danger
          pending={start.isPending}
          error={start.error?.message ?? null}
          onSubmit={(reason) => run("DISCARD", { reason })}
        />
      ) : null}
      {kinds.includes("REPLAY") ? (
        <Dialog {...dialog("REPLAY")}>
          <DialogTrigger asChild>
            <Button size="sm" variant="secondary">
              Replay
            </Button>
          </DialogTrigger>
          <DialogContent
            title="Replay exceptions"
            description={`Queue a replay of ${what}. Technical failures go as they are; others only with an approved correction (the rest are skipped).`}
          >
            {start.error ? (
              <p role="alert" className="mb-2 text-xs text-danger">
                {start.error.message}
              </p>
            ) : null}
            <div className="flex justify-end gap-2">
              <DialogClose asChild>
                <Button type="button" variant="secondary">
                  Cancel
                </Button>
              </DialogClose>
              <Button disabled={start.isPending} onClick={() => run("REPLAY")}>
                Replay all
              </Button>
            </div>
          </DialogContent>
        </Dialog>
      ) : null}
      {kinds.includes("CORRECT") ? (
        <BulkCorrectDialog
          {...dialog("CORRECT")}
          selection={selection}
          what={what}
          start={(params) => run("CORRECT", params)}
          pending={start.isPending}
          error={start.error?.message ?? null}
        />
      ) : null}
    </section>
  );
}

type Preview = { total: number; selected: number; complete: boolean; counts: Record<PatchPreviewItem["result"], number>; items: PatchPreviewItem[] };
const RESULT_LABEL: Record<PatchPreviewItem["result"], string> = {
  ok: "valid",
  patch_error: "patch does not apply",
  schema_invalid: "fails the schema",
  not_correctable: "cannot be corrected",
  no_change: "no change",
};

/** One JSON Patch for every payload of the selection: preview item by item, then submit the valid ones for approval. */
function BulkCorrectDialog(props: {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  selection: BulkSelection;
  what: string;
  start: (params: object) => void;
  pending: boolean;
  error: string | null;
}) {
  const [text, setText] = useState('[\n  { "op": "replace", "path": "/", "value": null }\n]');
  const [reason, setReason] = useState("");
  const parsed = (() => {
    try {
      const v = JSON.parse(text) as unknown;
      return Array.isArray(v) ? { patch: v } : { error: "A JSON Patch is an array of operations" };
    } catch (e) {
      return { error: (e as Error).message };
    }
  })();
  const preview = useMutation({
    mutationFn: () => apiFetch<Preview>("/api/bulk/preview", { method: "POST", body: JSON.stringify({ selection: props.selection, patch: parsed.patch }) }),
  });
  return (
    <Dialog open={props.open} onOpenChange={props.onOpenChange}>
      <DialogTrigger asChild>
        <Button size="sm" variant="secondary">
          Correct with one patch
        </Button>
      </DialogTrigger>
      <DialogContent
        className="w-[min(52rem,calc(100vw-2rem))]"
        title="Correct payloads with one JSON Patch"
        description={`Apply one RFC 6902 patch to the payloads of ${props.what}. Preview first: each item is validated against its interface's schema; only valid ones are submitted for approval.`}
      >
        <div className="max-h-[70vh] space-y-3 overflow-y-auto">
          <JsonEditor
            id="bulk-patch"
            label="JSON Patch"
            value={text}
            onChange={(t) => {
              setText(t);
              preview.reset();
            }}
          />
          {"error" in parsed ? <p className="text-xs text-danger">{parsed.error}</p> : null}
          <div className="flex items-center gap-2">
            <Button size="sm" variant="secondary" disabled={"error" in parsed || preview.isPending} onClick={() => preview.mutate()}>
              Preview
            </Button>
            {preview.error ? (
              <span role="alert" className="text-xs text-danger">
                {preview.error.message}
              </span>
            ) : null}
          </div>
          {preview.data ? <PreviewTable preview={preview.data} /> : null}
          <div className="space-y-1">
            <Label htmlFor="bulk-correct-reason">Reason for the change (required, shown to the approver)</Label>
            <textarea
              id="bulk-correct-reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              minLength={10}
              rows={2}
              className="w-full rounded-md border border-border bg-surface p-2 text-sm"
            />
          </div>
          {props.error ? (
            <p role="alert" className="text-xs text-danger">
              {props.error}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button type="button" variant="secondary">
                Cancel
              </Button>
            </DialogClose>
            <Button
              disabled={!preview.data || preview.data.counts.ok === 0 || reason.trim().length < 10 || props.pending}
              onClick={() => props.start({ patch: parsed.patch, reason })}
            >
              {!preview.data
                ? "Preview first"
                : preview.data.complete
                  ? `Submit ${preview.data.counts.ok} correction${preview.data.counts.ok === 1 ? "" : "s"} for approval`
                  : `Submit the valid ones of ${preview.data.selected} for approval`}
            </Button>
          </div>
        </div>
      </DialogContent>
    </Dialog>
  );
}

function PreviewTable({ preview }: { preview: Preview }) {
  return (
    <div className="space-y-1">
      <p className="text-xs" role="status">
        {preview.complete ? "" : `Previewed ${preview.total} of ${preview.selected} (time limit; the action checks every one of them again) — `}
        {preview.total} payload{preview.total === 1 ? "" : "s"}:{" "}
        {Object.entries(preview.counts)
          .filter(([, n]) => n > 0)
          .map(([r, n]) => `${n} ${RESULT_LABEL[r as PatchPreviewItem["result"]]}`)
          .join(", ")}
      </p>
      <div className="max-h-56 overflow-y-auto rounded border border-border">
        <table className="w-full text-left text-xs">
          <caption className="sr-only">Patch preview per exception</caption>
          <thead className="bg-muted text-muted-foreground">
            <tr>
              <th scope="col" className="px-2 py-1 font-medium">
                Plant
              </th>
              <th scope="col" className="px-2 py-1 font-medium">
                Business key
              </th>
              <th scope="col" className="px-2 py-1 font-medium">
                Result
              </th>
            </tr>
          </thead>
          <tbody>
            {preview.items.map((i) => (
              <tr key={i.exceptionId} className="border-t border-border" data-preview-result={i.result}>
                <td className="px-2 py-1 font-mono">{i.plantCode}</td>
                <td className="px-2 py-1 font-mono">{i.businessKey ?? "—"}</td>
                <td className={cn("px-2 py-1", i.result === "ok" ? "text-success" : "text-danger")}>
                  {RESULT_LABEL[i.result]}
                  {i.message ? `: ${i.message}` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

const STATUS_TEXT: Record<BulkSummary["status"], string> = {
  QUEUED: "queued",
  RUNNING: "running",
  COMPLETED: "completed",
  CANCELLED: "cancelled",
  FAILED: "failed",
};

const ITEM_STATUS_TEXT: Record<string, string> = { SKIPPED: "skipped", FAILED: "failed", DONE: "done", PENDING: "waiting" };

const isActive = (o: BulkSummary) => o.status === "QUEUED" || o.status === "RUNNING";

/** What a finished bulk action did, in one sentence (shown and read out). */
function outcomeOf(o: BulkSummary): string {
  const parts = [`${o.done} done`, o.skipped ? `${o.skipped} skipped` : "", o.failed ? `${o.failed} failed` : ""].filter(Boolean);
  return `${o.label} ${STATUS_TEXT[o.status]}: ${parts.join(", ")}`;
}

/**
 * The user's recent bulk actions with live progress (socket `bulk.progress`) and cancel. A finished one is
 * read out; `focusId` (a bulk action just started) receives focus as soon as its line is shown.
 */
export function BulkOperations({ onProgress, focusId, now }: { onProgress: () => void; focusId: string | null; now: number }) {
  const queryClient = useQueryClient();
  const announce = useAnnounce();
  const { socket } = useRealtime();
  const list = useRef<HTMLUListElement>(null);
  const focused = useRef<string | null>(null);
  const { data: ops = [] } = useQuery({
    queryKey: bulkKeys.list(),
    queryFn: async () => (await apiFetch<{ operations: BulkSummary[] }>("/api/bulk")).operations,
  });
  useEffect(() => {
    if (!socket) return;
    const onUpdate = (p: BulkSummary) => {
      const before = queryClient.getQueryData<BulkSummary[]>(bulkKeys.list())?.find((o) => o.id === p.id);
      if (!isActive(p) && (!before || isActive(before))) announce(outcomeOf(p));
      queryClient.setQueryData<BulkSummary[]>(bulkKeys.list(), (old = []) =>
        old.some((o) => o.id === p.id) ? old.map((o) => (o.id === p.id ? p : o)) : [p, ...old],
      );
      void queryClient.invalidateQueries({ queryKey: bulkKeys.detail(p.id) });
      onProgress();
    };
    const resync = () => void queryClient.invalidateQueries({ queryKey: bulkKeys.all });
    socket.on("bulk.progress", onUpdate);
    socket.on("connect", resync);
    return () => {
      socket.off("bulk.progress", onUpdate);
      socket.off("connect", resync);
    };
  }, [socket, queryClient, onProgress, announce]);
  const cancel = useMutation({
    mutationFn: (id: string) => apiFetch<{ operation: BulkSummary }>(`/api/bulk/${id}/cancel`, { method: "POST" }),
    onSuccess: ({ operation }) =>
      queryClient.setQueryData<BulkSummary[]>(bulkKeys.list(), (old = []) => old.map((o) => (o.id === operation.id ? operation : o))),
  });
  const visible = ops.filter((o) => !o.finishedAt || now - Date.parse(o.finishedAt) < 24 * 3_600_000).slice(0, 5);
  useEffect(() => {
    if (!focusId || focused.current === focusId) return;
    const line = list.current?.querySelector<HTMLElement>(`[data-bulk="${focusId}"]`);
    if (!line) return;
    focused.current = focusId;
    focusElement(line);
  });
  if (visible.length === 0) return null;
  return (
    <section aria-label="My bulk actions" className="space-y-1 rounded-lg border border-border bg-surface p-2 text-xs">
      <h2 className="font-medium">My bulk actions</h2>
      <ul className="space-y-1" ref={list}>
        {visible.map((o) => {
          const processed = o.done + o.skipped + o.failed;
          const active = isActive(o);
          return (
            <li key={o.id} data-bulk={o.id} className="flex flex-wrap items-center gap-2 rounded focus-visible:outline-2 focus-visible:outline-ring">
              <span className="w-44 truncate">{o.label}</span>
              <progress className="h-2 w-40" max={o.total} value={processed} aria-label={`${o.label}: ${processed} of ${o.total} processed`} />
              <span className="tabular-nums" data-bulk-status={o.status}>
                {processed}/{o.total} · {o.done} done{o.skipped ? `, ${o.skipped} skipped` : ""}
                {o.failed ? `, ${o.failed} failed` : ""} · {o.cancelRequested && active ? "cancelling" : STATUS_TEXT[o.status]}
              </span>
              {active && !o.cancelRequested ? (
                <Button size="sm" variant="ghost" onClick={() => cancel.mutate(o.id)} aria-label={`Cancel ${o.label}`}>
                  Cancel
                </Button>
              ) : null}
              {!active && (o.skipped || o.failed) ? <BulkProblems id={o.id} /> : null}
            </li>
          );
        })}
      </ul>
      {cancel.error ? (
        <p role="alert" className="text-danger">
          {cancel.error.message}
        </p>
      ) : null}
    </section>
  );
}

type Problems = {
  problems: { exceptionId: string; status: string; message: string | null; plantCode: string; interfaceCode: string; businessKey: string | null }[];
};

function BulkProblems({ id }: { id: string }) {
  const [open, setOpen] = useState(false);
  const { data } = useQuery({
    queryKey: bulkKeys.detail(id),
    enabled: open,
    queryFn: async () => (await apiFetch<{ operation: Problems }>(`/api/bulk/${id}`)).operation,
  });
  return (
    <details className="w-full" onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary className="cursor-pointer text-muted-foreground">Skipped and failed items</summary>
      <ul className="ml-4 list-disc">
        {data?.problems.map((p) => (
          <li key={p.exceptionId}>
            <a href={`/exceptions/${p.exceptionId}`} className="font-mono hover:underline">
              {p.plantCode} {p.interfaceCode} {p.businessKey ?? p.exceptionId.slice(0, 8)}
            </a>{" "}
            — {ITEM_STATUS_TEXT[p.status] ?? p.status.toLowerCase()}: {p.message}
          </li>
        ))}
      </ul>
    </details>
  );
}
