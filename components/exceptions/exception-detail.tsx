"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { focusElement, useAnnounce } from "@/components/ui/announcer";
import { Label } from "@/components/ui/input";
import { ReasonDialog } from "@/components/ui/reason-dialog";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import {
  CATEGORY_LABELS,
  EXCEPTION_STATUS_LABELS,
  OUTCOME_LABELS,
  REPLAY_REQUEST_STATUS_LABELS,
  REPLAY_STATUS_LABELS,
  SEVERITY_LABELS,
  humanize,
  labelOf,
} from "@/lib/labels";
import { withKeys } from "@/lib/utils";
import type { ExceptionPage } from "@/server/exceptions/exception-page";
import type { ExceptionReplayRequest } from "@/server/replay/exception-replay-request";
import { SYSTEM_LABELS, labelOf as systemLabelOf } from "@/lib/labels";
import { KeyFieldsTable } from "../corrections/key-fields";
import { RefLinks } from "../trace/ref-links";
import type { ObjectRef } from "@/server/trace/kinds";
import { CorrectionPanel, EDITOR_ID } from "../corrections/correction-panel";
import { useFollowExceptions } from "../realtime-provider";
import { DependenciesPanel } from "./dependencies-panel";
import { ExceptionRunbook } from "../runbooks/runbook-panel";

const SEV_TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
const STATUS_TONE: Record<string, "critical" | "high" | "medium" | "low" | "neutral"> = {
  NEW: "high",
  TRIAGED: "high",
  CORRECTING: "medium",
  AWAITING_APPROVAL: "medium",
  APPROVED: "medium",
  REPLAY_QUEUED: "medium",
  REPLAYING: "medium",
  REPLAY_FAILED: "critical",
  REJECTED: "critical",
  RESOLVED: "low",
  DISCARDED: "neutral",
};
/** Where focus goes after an action: the next control, the outcome, or (typing a comment) nowhere else. */
type Focus = "primary" | "result" | "stay";
const REPLAY_TONE = { SUCCEEDED: "low", FAILED: "critical", CANCELLED: "neutral", QUEUED: "medium", DELIVERING: "medium" } as const;

/**
 * One exception, followed live: the page joins its plant's room and re-reads itself when the exception
 * changes (a replay's outcome, an approval, someone else's action), without a reload. It leads with the
 * current state, the error that stands now and the next step; every action moves focus to its result
 * and announces it.
 */
export function ExceptionDetailView({ page, me, refs }: { page: ExceptionPage; me: { id: string; name: string }; refs?: ObjectRef[] }) {
  const { detail: d, allowed: can, replayApproval, nextStep, replayAgain } = page;
  const router = useRouter();
  const announce = useAnnounce();
  const zone = d.plant.timezone;
  const resultRef = useRef<HTMLParagraphElement>(null);
  const primaryRef = useRef<HTMLButtonElement>(null);
  const [result, setResult] = useState<{ text: string; focus: Focus } | null>(null);
  // Focus moves once the outcome is on screen: the next control when there is one to press, else the outcome itself.
  useEffect(() => {
    if (!result) return;
    if (result.focus === "primary" && primaryRef.current) focusElement(primaryRef.current);
    else if (result.focus !== "stay") focusElement(resultRef.current);
  }, [result]);

  // Also its blockers and dependents: a prerequisite delivered releases this one (server/dependencies).
  useFollowExceptions([d.plantId], [d.id, ...d.blockedBy.map((b) => b.id), ...d.blocks.map((b) => b.id)], () => router.refresh());
  const blocked = d.blockedBy.length > 0;

  // A change that arrives live (a replay's outcome, a decision) is read out too, not only drawn.
  const seen = useRef(d.status);
  useEffect(() => {
    if (seen.current === d.status) return;
    seen.current = d.status;
    announce(`Status: ${labelOf(EXCEPTION_STATUS_LABELS, d.status)}. ${nextStep.text}`);
  }, [d.status, nextStep.text, announce]);

  const act = useMutation({
    mutationFn: ({ path, body }: { path: string; body: unknown; done: string; focus?: Focus }) =>
      apiFetch(`/api/exceptions/${d.id}/${path}`, { method: "POST", body: JSON.stringify(body) }),
    onSuccess: (_data, { done, focus }) => {
      setResult({ text: done, focus: focus ?? "result" });
      announce(done);
      router.refresh();
    },
    onError: (err) => announce(`Not done: ${err.message}`, "assertive"),
  });
  const [comment, setComment] = useState("");
  const [discardOpen, setDiscardOpen] = useState(false);
  const [againOpen, setAgainOpen] = useState(false);

  const submitComment = (e: FormEvent) => {
    e.preventDefault();
    act.mutate({ path: "comments", body: { body: comment }, done: "Comment added", focus: "stay" }, { onSuccess: () => setComment("") });
  };
  const replay = () =>
    act.mutate({
      path: "replay",
      body: {},
      done: replayApproval.first
        ? "Replay requested: a second person approves it before it is sent"
        : "Replay queued: this page shows the answer as soon as it comes",
    });
  const toEditor = () => {
    const editor = document.getElementById(EDITOR_ID);
    editor?.scrollIntoView({ block: "center" });
    focusElement(editor);
  };

  const replayLabel = replayApproval.first
    ? "Request replay (needs approval)"
    : d.correction?.status === "APPROVED"
      ? "Replay corrected message"
      : "Replay as is";
  const primary =
    nextStep.action === "replay" && can.replay ? (
      <Button ref={primaryRef} disabled={act.isPending || blocked} onClick={replay}>
        {replayLabel}
      </Button>
    ) : (nextStep.action === "correct" || nextStep.action === "submit") && can.correct ? (
      <Button ref={primaryRef} onClick={toEditor}>
        {nextStep.action === "submit" ? "Finish the correction" : "Correct the payload"}
      </Button>
    ) : null;
  const again = AGAIN_TEXT[replayAgain ?? "resolved"];
  const err = d.currentError;

  return (
    <div className="space-y-3">
      <nav aria-label="Breadcrumb" className="text-xs text-muted-foreground">
        <Link href="/exceptions" className="hover:underline">
          Exceptions
        </Link>{" "}
        / <span className="font-mono">{d.id.slice(0, 8)}</span>
      </nav>
      <div>
        <h1 className="flex flex-wrap items-center gap-2 text-lg font-semibold">
          <Badge tone={SEV_TONE[d.severity]}>{labelOf(SEVERITY_LABELS, d.severity)}</Badge>
          <span className="font-mono">{d.interface.code}</span>
          {d.transaction.businessKey ? <span className="font-mono text-muted-foreground">{d.transaction.businessKey}</span> : null}
        </h1>
        <p className="mt-1 text-xs text-muted-foreground">
          {d.plant.code} · {labelOf(CATEGORY_LABELS, d.category).toLowerCase()} failure · seen {d.occurrences}× · first{" "}
          <Time iso={d.firstSeenAt} plantZone={zone} /> · SLA due <Time iso={d.slaDueAt} plantZone={zone} />
          {d.resolution ? ` · ${humanize(d.resolution).toLowerCase()}` : ""}
        </p>
      </div>

      {/* What stands now: the state, the latest error, the next step and the action that takes it. */}
      <Card aria-labelledby="now-h" data-testid="current-state">
        <CardBody className="space-y-2">
          <h2 id="now-h" className="flex flex-wrap items-center gap-2 text-sm font-semibold">
            Now:{" "}
            <Badge tone={STATUS_TONE[d.status] ?? "neutral"} className="text-sm" data-testid="exception-status">
              {labelOf(EXCEPTION_STATUS_LABELS, d.status)}
            </Badge>
          </h2>
          {d.status !== "RESOLVED" && d.status !== "DISCARDED" ? (
            <div data-testid="current-error" className="max-w-3xl">
              <p className="text-xs text-muted-foreground">
                {err.source === "replay" ? "The last replay failed" : "Reported"} <Time iso={err.at} plantZone={zone} />
                {err.source === "replay" ? null : <span className="font-mono"> · {err.code}</span>}
              </p>
              <p className="font-medium" data-testid="latest-error">
                {err.text}
              </p>
              {err.source === "replay" ? (
                <p className="mt-0.5 text-xs text-muted-foreground" data-testid="original-error">
                  Originally reported: <span className="font-mono">{d.errorCode}</span> {d.errorMessage}
                </p>
              ) : null}
            </div>
          ) : null}
          <p className="max-w-3xl rounded-md bg-muted px-3 py-2" data-testid="next-step">
            <strong>Next step:</strong> {nextStep.text}
          </p>
          {d.deliveredBefore && d.status !== "RESOLVED" ? (
            <p role="note" className="max-w-3xl rounded-md bg-medium-bg px-3 py-2 text-xs text-medium-fg" data-testid="delivered-before">
              This message was already delivered by a replay
              {d.deliveredBefore.at ? (
                <>
                  {" "}
                  on <Time iso={d.deliveredBefore.at} plantZone={zone} />
                </>
              ) : null}
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
          {replayApproval.request ? <ReplayRequestStatus r={replayApproval.request} zone={zone} /> : null}
          <DependenciesPanel
            d={d}
            zone={zone}
            canReplay={can.replay}
            pending={act.isPending}
            error={act.error?.message ?? null}
            onOverride={(reason, close) =>
              act.mutate(
                {
                  path: "replay",
                  body: { blockOverrideReason: reason },
                  done: replayApproval.first
                    ? "Replay requested despite the open prerequisite: a second person approves it before it is sent"
                    : "Replay queued despite the open prerequisite: this page shows the answer as soon as it comes",
                },
                { onSuccess: close },
              )
            }
          />
          <div className="flex flex-wrap items-center gap-2">
            {primary}
            {can.replay && nextStep.action !== "replay" ? (
              <Button variant="secondary" disabled={act.isPending || blocked} onClick={replay}>
                {replayLabel}
              </Button>
            ) : null}
            {can.replayAgain ? (
              <ReasonDialog
                open={againOpen}
                onOpenChange={setAgainOpen}
                trigger={<Button variant="secondary">{replayApproval.again ? again.requestTrigger : again.trigger}</Button>}
                title={again.title}
                description={`${again.description}${replayApproval.again ? " A second person approves it before it is sent." : ""}`}
                submitLabel={replayApproval.again ? "Request replay" : again.submit}
                pending={act.isPending}
                error={act.error?.message ?? null}
                onSubmit={(reason) =>
                  act.mutate(
                    {
                      path: "replay",
                      body: { reason },
                      done: replayApproval.again
                        ? "Replay requested: a second person approves it before it is sent"
                        : "Replay queued: this page shows the answer as soon as it comes",
                    },
                    { onSuccess: () => setAgainOpen(false) },
                  )
                }
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
                onSubmit={(reason) => act.mutate({ path: "discard", body: { reason }, done: "Discarded" }, { onSuccess: () => setDiscardOpen(false) })}
              />
            ) : null}
            <span className="ml-auto text-xs text-muted-foreground" data-testid="assignee">
              Assignee: {d.assignee?.name ?? "nobody"}
            </span>
            {can.triage ? (
              d.assignee?.id === me.id ? (
                <Button
                  variant="secondary"
                  disabled={act.isPending}
                  onClick={() => act.mutate({ path: "assign", body: { assigneeId: null }, done: "Unassigned: nobody is assigned now" })}
                >
                  Unassign
                </Button>
              ) : (
                <Button
                  variant="secondary"
                  disabled={act.isPending}
                  onClick={() => act.mutate({ path: "assign", body: { assigneeId: me.id }, done: "Assigned to you", focus: "primary" })}
                >
                  Assign to me
                </Button>
              )
            ) : null}
          </div>
          <p ref={resultRef} tabIndex={-1} className="text-xs text-success empty:hidden" data-testid="action-result">
            {result?.text}
          </p>
          {act.error && !discardOpen && !againOpen ? (
            <p role="alert" className="rounded-md bg-critical-bg px-3 py-2 text-critical-fg">
              {act.error.message}
            </p>
          ) : null}
        </CardBody>
      </Card>

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
              <RefLinks refs={refs} />
            </CardHeader>
            <CardBody className="space-y-3">
              <KeyFieldsTable fields={d.keyFields} caption="Key fields" />
              {d.transaction.payload === null ? (
                <p className="text-muted-foreground">No payload was reported for this message.</p>
              ) : (
                <details>
                  <summary className="cursor-pointer text-xs">Full payload (JSON)</summary>
                  <section aria-label="Payload JSON">
                    {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
                    <pre className="mt-1 max-h-96 overflow-auto rounded bg-muted p-2 font-mono text-xs" tabIndex={0}>
                      {JSON.stringify(d.transaction.payload, null, 2)}
                    </pre>
                  </section>
                </details>
              )}
              {d.errorDetails ? (
                <details className="text-xs">
                  <summary className="cursor-pointer">Error details as reported</summary>
                  {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
                  <pre className="mt-1 overflow-auto rounded bg-muted p-2 font-mono" tabIndex={0}>
                    {JSON.stringify(d.errorDetails, null, 2)}
                  </pre>
                </details>
              ) : null}
            </CardBody>
          </Card>

          <CorrectionPanel d={d} me={me} canCorrect={can.correct} canApprove={can.approveCorrection} zone={zone} />

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
                        <Badge tone={REPLAY_TONE[r.status]}>{labelOf(REPLAY_STATUS_LABELS, r.status)}</Badge>{" "}
                        {r.asIs ? "original payload" : "approved correction"} · <Time iso={r.createdAt} plantZone={zone} />
                        {r.reason ? <> · “{r.reason}”</> : null}
                      </p>
                      <ol className="ml-4 list-decimal text-muted-foreground">
                        {r.attempts.map((a) => (
                          <li key={a.attempt}>
                            {a.text} · {a.durationMs} ms
                          </li>
                        ))}
                      </ol>
                      <p className="text-muted-foreground">
                        idempotency key <span className="font-mono">{r.idempotencyKey}</span>
                      </p>
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
                      <Time iso={t.at} plantZone={zone} style="datetime-seconds" className="tabular-nums text-muted-foreground" />
                      <span className="font-mono">{t.interfaceCode}</span>
                      <span>
                        {systemLabelOf(SYSTEM_LABELS, t.source)} → {systemLabelOf(SYSTEM_LABELS, t.target)}
                      </span>
                      <Badge tone={t.outcome === "failed" ? "critical" : t.outcome === "delivered" ? "low" : "medium"}>
                        {labelOf(OUTCOME_LABELS, t.outcome.toUpperCase())}
                      </Badge>
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
                      {c.author} · <Time iso={c.createdAt} plantZone={zone} />
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

          <ExceptionRunbook exceptionId={d.id} zone={zone} />
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
                        <span className="font-mono">{r.plantCode}</span> {r.businessKey ?? ""} · {labelOf(EXCEPTION_STATUS_LABELS, r.status).toLowerCase()} ·{" "}
                        {r.errorMessage}
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
                      <Time iso={h.at} plantZone={zone} className="tabular-nums text-muted-foreground" /> <strong>{h.label}</strong> by {h.actor}
                      {h.note ? <> — {h.note}</> : null}
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

/** "Replay again" in words, by why it is offered. */
const AGAIN_TEXT = {
  resolved: {
    trigger: "Replay again…",
    requestTrigger: "Request replay again (needs approval)…",
    title: "Replay a resolved transaction again",
    description: "It was delivered before. Say why it must be sent again; the reason is audited.",
    submit: "Replay again",
  },
  delivered_before: {
    trigger: "Replay again…",
    requestTrigger: "Request replay again (needs approval)…",
    title: "Replay a delivered message again",
    description: "An earlier replay delivered this message. Say why it must be sent again; the reason is audited.",
    submit: "Replay again",
  },
  refused: {
    trigger: "Send the same payload again…",
    requestTrigger: "Request to send the same payload again (needs approval)…",
    title: "Send the refused payload again",
    description:
      "The target refused exactly this payload. Send it unchanged only if the cause was fixed on the target's side (e.g. stock was posted meanwhile): say so; the reason is audited.",
    submit: "Send again",
  },
} as const;

/** The latest replay request of this exception (interfaces that require approval): who asked, who decided. */
function ReplayRequestStatus({ r, zone }: { r: ExceptionReplayRequest; zone: string }) {
  if (r.status === "REQUESTED" && !r.waiting) return null; // stale: the exception moved on; withdrawn at the next decision or request
  const status = r.status === "WITHDRAWN" ? "withdrawn (the exception or its payload changed)" : labelOf(REPLAY_REQUEST_STATUS_LABELS, r.status).toLowerCase();
  return (
    <p className="max-w-3xl rounded-md bg-medium-bg px-3 py-2 text-xs text-medium-fg" data-testid="replay-request">
      Replay {r.asIs ? "as is" : "of the corrected payload"} requested by {r.requestedBy} on <Time iso={r.requestedAt} plantZone={zone} />:{" "}
      <strong>{status}</strong>
      {r.decidedBy ? ` by ${r.decidedBy}` : ""}
      {r.decidedAt && r.decidedBy ? (
        <>
          {" "}
          on <Time iso={r.decidedAt} plantZone={zone} />
        </>
      ) : null}
      {r.decisionComment ? ` — “${r.decisionComment}”` : ""}
    </p>
  );
}
