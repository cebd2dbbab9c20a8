"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { withKeys } from "@/lib/utils";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { Label } from "@/components/ui/input";
import { apiFetch } from "@/lib/api";
import type { ExceptionDetail } from "@/server/exceptions/detail";
import type { ExceptionReplayRequest } from "@/server/replay/exception-replay-request";
import { CorrectionPanel } from "../corrections/correction-panel";

const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "short", timeStyle: "medium", timeZone: "UTC" });
const fmt = (iso: string) => `${when.format(new Date(iso))} UTC`;

type Can = { triage: boolean; comment: boolean; discard: boolean; correct: boolean; replay: boolean; replayAgain: boolean };
/** Whether the offered replay (first / again) waits for a second person, and the latest replay request. */
type ReplayApproval = { first: boolean; again: boolean; request: ExceptionReplayRequest | null };

export function ExceptionDetailView({
  detail: d,
  me,
  can,
  replayApproval,
}: {
  detail: ExceptionDetail;
  me: { id: string; name: string };
  can: Can;
  replayApproval: ReplayApproval;
}) {
  const router = useRouter();
  const act = useMutation({
    mutationFn: ({ path, body }: { path: string; body: unknown }) =>
      apiFetch(`/api/exceptions/${d.id}/${path}`, { method: "POST", body: JSON.stringify(body) }),
    onSuccess: () => router.refresh(),
  });
  const [comment, setComment] = useState("");
  const [discardOpen, setDiscardOpen] = useState(false);
  const [againOpen, setAgainOpen] = useState(false);

  const submitComment = (e: FormEvent) => {
    e.preventDefault();
    act.mutate({ path: "comments", body: { body: comment } }, { onSuccess: () => setComment("") });
  };

  return (
    <div className="space-y-3">
      <nav aria-label="Breadcrumb" className="text-xs text-muted-foreground">
        <Link href="/exceptions" className="hover:underline">
          Exceptions
        </Link>{" "}
        / <span className="font-mono">{d.id.slice(0, 8)}</span>
      </nav>
      <div className="flex flex-wrap items-start gap-3">
        <div className="mr-auto min-w-0">
          <h1 className="flex flex-wrap items-center gap-2 text-lg font-semibold">
            <Badge tone={SEV_TONE[d.severity]}>{d.severity.toLowerCase()}</Badge>
            <span className="font-mono">{d.interface.code}</span>
            <span className="font-mono text-muted-foreground">{d.errorCode}</span>
          </h1>
          <p className="mt-1 max-w-3xl">{d.errorMessage}</p>
          {d.deliveredBefore && d.status !== "RESOLVED" ? (
            <p role="note" className="mt-2 max-w-3xl rounded-md bg-medium-bg px-3 py-2 text-xs text-medium-fg" data-testid="delivered-before">
              This message was already delivered by a replay{d.deliveredBefore.at ? ` on ${fmt(d.deliveredBefore.at)}` : ""}
              {d.deliveredBefore.exceptionId !== d.id ? (
                <>
                  {" "}
                  (
                  <Link href={`/exceptions/${d.deliveredBefore.exceptionId}`} className="underline">
                    earlier exception
                  </Link>
                  )
                </>
              ) : null}
              . This failure was reported afterwards: check the target before sending it a second time.
            </p>
          ) : null}
          <p className="mt-1 text-xs text-muted-foreground">
            {d.plant.code} · {d.category.toLowerCase()} failure · status <strong data-testid="exception-status">{d.status}</strong> · seen {d.occurrences}× ·
            first {fmt(d.firstSeenAt)} · SLA due {fmt(d.slaDueAt)}
            {d.resolution ? ` · ${d.resolution.replace(/_/g, " ")}` : ""}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <span className="text-xs text-muted-foreground" data-testid="assignee">
            Assignee: {d.assignee?.name ?? "nobody"}
          </span>
          {can.triage ? (
            d.assignee?.id === me.id ? (
              <Button variant="secondary" disabled={act.isPending} onClick={() => act.mutate({ path: "assign", body: { assigneeId: null } })}>
                Unassign
              </Button>
            ) : (
              <Button disabled={act.isPending} onClick={() => act.mutate({ path: "assign", body: { assigneeId: me.id } })}>
                Assign to me
              </Button>
            )
          ) : null}
          {can.replay ? (
            <Button disabled={act.isPending} onClick={() => act.mutate({ path: "replay", body: {} })}>
              {replayApproval.first ? "Request replay (needs approval)" : d.correction?.status === "APPROVED" ? "Replay corrected message" : "Replay as is"}
            </Button>
          ) : null}
          {can.replayAgain ? (
            <ReasonDialog
              open={againOpen}
              onOpenChange={setAgainOpen}
              trigger={<Button variant="secondary">{replayApproval.again ? "Request replay again (needs approval)…" : "Replay again…"}</Button>}
              title="Replay a resolved transaction again"
              description={`It was delivered before. Say why it must be sent again; the reason is audited.${replayApproval.again ? " A second person approves it before it is sent." : ""}`}
              submitLabel={replayApproval.again ? "Request replay" : "Replay again"}
              pending={act.isPending}
              error={act.error?.message ?? null}
              onSubmit={(reason) => act.mutate({ path: "replay", body: { reason } }, { onSuccess: () => setAgainOpen(false) })}
            />
          ) : null}
          {can.discard ? (
            <ReasonDialog
              open={discardOpen}
              onOpenChange={setDiscardOpen}
              trigger={<Button variant="danger">Discard…</Button>}
              title="Discard this exception"
              description="Use this when the failure needs no replay (e.g. the message was superseded). The reason is audited."
              submitLabel="Discard"
              danger
              pending={act.isPending}
              error={act.error?.message ?? null}
              onSubmit={(reason) => act.mutate({ path: "discard", body: { reason } }, { onSuccess: () => setDiscardOpen(false) })}
            />
          ) : null}
        </div>
      </div>
      {act.error && !discardOpen && !againOpen ? (
        <p role="alert" className="rounded-md bg-critical-bg px-3 py-2 text-critical-fg">
          {act.error.message}
        </p>
      ) : null}
      {replayApproval.request ? <ReplayRequestStatus r={replayApproval.request} /> : null}

      <div className="grid gap-3 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <div className="space-y-3">
          <Card aria-labelledby="payload-h">
            <CardHeader>
              <h2 id="payload-h" className="text-sm font-semibold">
                Payload
              </h2>
              <span className="text-xs text-muted-foreground">
                message <span className="font-mono">{d.transaction.messageId}</span> · business key{" "}
                <span className="font-mono">{d.transaction.businessKey ?? "—"}</span>
              </span>
            </CardHeader>
            <CardBody>
              {d.transaction.payload === null ? (
                <p className="text-muted-foreground">No payload was reported for this message.</p>
              ) : (
                <section aria-label="Payload JSON">
                  {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
                  <pre className="max-h-96 overflow-auto rounded bg-muted p-2 font-mono text-xs" tabIndex={0}>
                    {JSON.stringify(d.transaction.payload, null, 2)}
                  </pre>
                </section>
              )}
              {d.errorDetails ? (
                <details className="mt-2 text-xs">
                  <summary className="cursor-pointer">Error details</summary>
                  <pre className="mt-1 overflow-auto rounded bg-muted p-2 font-mono">{JSON.stringify(d.errorDetails, null, 2)}</pre>
                </details>
              ) : null}
            </CardBody>
          </Card>

          <CorrectionPanel d={d} me={me} canCorrect={can.correct} />

          {d.replays.length ? (
            <Card aria-labelledby="replays-h">
              <CardHeader>
                <h2 id="replays-h" className="text-sm font-semibold">
                  Replays
                </h2>
              </CardHeader>
              <CardBody>
                <ul className="space-y-2 text-xs" data-testid="replays">
                  {d.replays.map((r) => (
                    <li key={r.id}>
                      <p>
                        <Badge tone={r.status === "SUCCEEDED" ? "low" : r.status === "FAILED" ? "critical" : r.status === "CANCELLED" ? "neutral" : "medium"}>
                          {r.status.toLowerCase()}
                        </Badge>{" "}
                        {r.asIs ? "original payload" : "approved correction"} · key <span className="font-mono">{r.idempotencyKey}</span> · {fmt(r.createdAt)}
                      </p>
                      <ol className="ml-4 list-decimal text-muted-foreground">
                        {r.attempts.map((a) => (
                          <li key={a.attempt}>
                            {a.mode} · {a.outcome} · {a.durationMs} ms{a.httpStatus ? ` · HTTP ${a.httpStatus}` : ""}
                            {a.error ? ` · ${a.error}` : ""}
                          </li>
                        ))}
                      </ol>
                    </li>
                  ))}
                </ul>
              </CardBody>
            </Card>
          ) : null}

          <Card aria-labelledby="timeline-h">
            <CardHeader>
              <h2 id="timeline-h" className="text-sm font-semibold">
                Timeline across systems
              </h2>
              <span className="font-mono text-xs text-muted-foreground">{d.transaction.correlationId}</span>
            </CardHeader>
            <CardBody>
              {d.timeline === null ? (
                <p className="text-muted-foreground">Transaction history is available to support, approvers and auditors.</p>
              ) : d.timeline.length === 0 ? (
                <p className="text-muted-foreground">No events recorded for this correlation id.</p>
              ) : (
                <ol className="space-y-1 text-xs" aria-label="Events in time order">
                  {withKeys(d.timeline, (t) => `${t.at}|${t.hop}|${t.outcome}|${t.attempt}`).map(({ key, item: t }) => (
                    <li key={key} className="flex flex-wrap gap-2">
                      <time className="tabular-nums text-muted-foreground" dateTime={t.at}>
                        {fmt(t.at)}
                      </time>
                      <span className="font-mono">{t.interfaceCode}</span>
                      <span>
                        {t.source} → {t.target}
                      </span>
                      <Badge tone={t.outcome === "failed" ? "critical" : t.outcome === "delivered" ? "low" : "medium"}>{t.outcome}</Badge>
                      {t.attempt && t.attempt > 1 ? <span className="text-muted-foreground">attempt {t.attempt}</span> : null}
                      {t.errorCode ? <span className="font-mono text-muted-foreground">{t.errorCode}</span> : null}
                      {t.latencyMs !== null ? <span className="text-muted-foreground">{t.latencyMs} ms</span> : null}
                    </li>
                  ))}
                </ol>
              )}
            </CardBody>
          </Card>
        </div>

        <div className="space-y-3">
          <Card aria-labelledby="comments-h">
            <CardHeader>
              <h2 id="comments-h" className="text-sm font-semibold">
                Comments
              </h2>
            </CardHeader>
            <CardBody className="space-y-2">
              {d.comments.length === 0 ? <p className="text-xs text-muted-foreground">No comments yet.</p> : null}
              <ul className="space-y-2">
                {d.comments.map((c) => (
                  <li key={c.id} className="text-xs">
                    <p className="text-muted-foreground">
                      {c.author} · {fmt(c.createdAt)}
                    </p>
                    <p className="whitespace-pre-wrap">{c.body}</p>
                  </li>
                ))}
              </ul>
              {can.comment ? (
                <form onSubmit={submitComment} className="space-y-1">
                  <Label htmlFor="comment">Add a comment</Label>
                  <textarea
                    id="comment"
                    value={comment}
                    onChange={(e) => setComment(e.target.value)}
                    rows={2}
                    className="w-full rounded-md border border-border bg-surface p-2 text-sm"
                  />
                  <Button type="submit" size="sm" disabled={act.isPending || !comment.trim()}>
                    Comment
                  </Button>
                </form>
              ) : null}
            </CardBody>
          </Card>

          <Card aria-labelledby="related-h">
            <CardHeader>
              <h2 id="related-h" className="text-sm font-semibold">
                Same failure elsewhere
              </h2>
              <Link className="text-xs text-primary underline underline-offset-4" href={`/exceptions?fingerprint=${d.fingerprint}&status=all`}>
                All {d.relatedCount + 1} in this group
              </Link>
            </CardHeader>
            <CardBody>
              {d.related.length === 0 ? (
                <p className="text-xs text-muted-foreground">This is the only occurrence of this failure.</p>
              ) : (
                <ul className="space-y-1 text-xs">
                  {d.related.map((r) => (
                    <li key={r.id}>
                      <Link href={`/exceptions/${r.id}`} className="hover:underline">
                        <span className="font-mono">{r.plantCode}</span> {r.businessKey ?? ""} · {r.status.toLowerCase()} · {r.errorMessage}
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
            </CardBody>
          </Card>

          <Card aria-labelledby="history-h">
            <CardHeader>
              <h2 id="history-h" className="text-sm font-semibold">
                History (audit trail)
              </h2>
            </CardHeader>
            <CardBody>
              {d.history.length === 0 ? (
                <p className="text-xs text-muted-foreground">Opened by the connector; nobody has acted on it yet.</p>
              ) : (
                <ol className="space-y-1 text-xs" data-testid="history">
                  {d.history.map((h) => (
                    <li key={h.id}>
                      <span className="tabular-nums text-muted-foreground">{fmt(h.at)}</span> <strong>{h.label}</strong> by {h.actor}
                      {typeof (h.data as { reason?: string }).reason === "string" ? <> — “{(h.data as { reason: string }).reason}”</> : null}
                    </li>
                  ))}
                </ol>
              )}
            </CardBody>
          </Card>
        </div>
      </div>
    </div>
  );
}

const REQUEST_TEXT = {
  REQUESTED: "waiting for a second person's approval",
  APPROVED: "approved",
  REJECTED: "rejected",
  WITHDRAWN: "withdrawn (the exception or its payload changed)",
} as const;

/** The latest replay request of this exception (interfaces that require approval): who asked, who decided. */
function ReplayRequestStatus({ r }: { r: ExceptionReplayRequest }) {
  if (r.status === "REQUESTED" && !r.waiting) return null; // stale: the exception moved on; withdrawn at the next decision or request
  return (
    <p role="status" className="rounded-md bg-medium-bg px-3 py-2 text-xs text-medium-fg" data-testid="replay-request">
      Replay {r.asIs ? "as is" : "of the corrected payload"} requested by {r.requestedBy} on {fmt(r.requestedAt)}: <strong>{REQUEST_TEXT[r.status]}</strong>
      {r.decidedBy ? ` by ${r.decidedBy}` : ""}
      {r.decidedAt && r.decidedBy ? ` on ${fmt(r.decidedAt)}` : ""}
      {r.decisionComment ? ` — “${r.decisionComment}”` : ""}
    </p>
  );
}
