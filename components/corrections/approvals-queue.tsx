"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { focusElement, useAnnounce } from "@/components/ui/announcer";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Label } from "@/components/ui/input";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { CATEGORY_LABELS, labelOf } from "@/lib/labels";
import type { PendingApproval } from "@/server/corrections/pending-approvals";
import type { LatestError } from "@/server/replay/latest-error";
import type { PendingReplayApproval } from "@/server/replay/pending-replay-approvals";
import { useFollowExceptions } from "../realtime-provider";
import { DryRunPanel } from "./dry-run-panel";
import { KeyFieldsTable } from "./key-fields";
import { PatchView } from "./patch-view";

type Decided = (text: string, nextHeadingId: string | null) => void;

/**
 * What waits for a second person: corrections and replay requests, each with what a decision needs —
 * the key business fields, the error it fixes and the change — followed live (a correction submitted
 * or decided elsewhere appears or goes without a reload). Nobody is offered a decision on their own work.
 */
export function ApprovalsQueue({ items, replays, plantIds }: { items: PendingApproval[]; replays: PendingReplayApproval[]; plantIds: string[] }) {
  const router = useRouter();
  const announce = useAnnounce();
  const [result, setResult] = useState<{ text: string; next: string | null } | null>(null);
  const resultRef = useRef<HTMLParagraphElement>(null);
  useFollowExceptions(plantIds, null, () => router.refresh(), 300);

  // After a decision: say what was done (visibly and aloud) and move on to the next item, else to the outcome.
  const decided: Decided = (text, next) => {
    setResult({ text, next });
    announce(text);
    router.refresh();
  };
  useEffect(() => {
    if (!result) return;
    const next = result.next ? document.getElementById(result.next) : null;
    focusElement(next ?? resultRef.current);
  }, [result]);
  const headingOf = (list: { id: string }[], i: number, prefix: string) => (list[i + 1] ? `${prefix}-${list[i + 1]!.id}` : null);

  return (
    <div className="space-y-3">
      <div className="flex items-baseline justify-between">
        <h1 className="text-lg font-semibold">Approvals</h1>
        <p className="text-xs text-muted-foreground">
          {items.length} correction{items.length === 1 ? "" : "s"} and {replays.length} replay request{replays.length === 1 ? "" : "s"} waiting for a second
          person
        </p>
      </div>
      <p ref={resultRef} tabIndex={-1} className="rounded-md bg-low-bg px-3 py-2 text-low-fg empty:hidden" data-testid="approval-result">
        {result?.text}
      </p>
      <h2 className="text-sm font-semibold">Corrections</h2>
      {items.length === 0 ? (
        <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
          <p className="font-medium">Nothing to approve</p>
          <p className="mt-1 text-muted-foreground">Corrections submitted by support appear here with their diff.</p>
        </div>
      ) : (
        <ul className="space-y-3">
          {items.map((item, i) => (
            <li key={item.id}>
              <ApprovalCard item={item} onDecided={(text) => decided(text, headingOf(items, i, "approval"))} />
            </li>
          ))}
        </ul>
      )}
      <h2 className="text-sm font-semibold">Replay requests</h2>
      {replays.length === 0 ? (
        <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
          <p className="font-medium">No replay waiting</p>
          <p className="mt-1 text-muted-foreground">Replays of interfaces that require approval appear here with the payload they would send.</p>
        </div>
      ) : (
        <ul className="space-y-3">
          {replays.map((item, i) => (
            <li key={item.id}>
              <ReplayRequestCard item={item} onDecided={(text) => decided(text, headingOf(replays, i, "replay-request"))} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The error a correction or replay is meant to fix: the latest one (a failed replay's, else the reported one). */
function ErrorItFixes({ error, zone }: { error: LatestError; zone: string }) {
  return (
    <div className="rounded-md bg-critical-bg px-3 py-2 text-xs text-critical-fg" data-testid="error-it-fixes">
      <p className="font-semibold">
        {error.source === "replay" ? "The error it fixes (the last replay failed" : "The error it fixes (reported"} <Time iso={error.at} plantZone={zone} />)
      </p>
      <p>
        {error.text}
        {error.source === "reported" ? <span className="font-mono"> · {error.code}</span> : null}
      </p>
    </div>
  );
}

/** Approve / reject, or — on one's own work — who must decide instead. */
function Decision({
  id,
  allowed,
  own,
  noun,
  pending,
  error,
  comment,
  setComment,
  onDecide,
}: {
  id: string;
  allowed: boolean;
  own: boolean;
  noun: "correction" | "replay";
  pending: boolean;
  error: string | null;
  comment: string;
  setComment: (c: string) => void;
  onDecide: (decision: "approve" | "reject") => void;
}) {
  if (!allowed)
    return (
      <p className="rounded-md bg-muted px-3 py-2 text-xs" data-testid="decision-not-yours">
        {own
          ? noun === "correction"
            ? "You wrote this correction — another approver must decide."
            : "You asked for this replay — another approver must decide."
          : "Your role or plants do not let you decide on this."}
      </p>
    );
  return (
    <>
      <div className="space-y-1">
        <Label htmlFor={`${noun}-comment-${id}`}>Comment (required to reject)</Label>
        <textarea
          id={`${noun}-comment-${id}`}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          rows={2}
          className="w-full rounded-md border border-border bg-surface p-2 text-sm"
        />
      </div>
      {error ? (
        <p role="alert" className="rounded-md bg-critical-bg px-3 py-2 text-xs text-critical-fg">
          {error}
        </p>
      ) : null}
      <div className="flex gap-2">
        <Button disabled={pending} onClick={() => onDecide("approve")}>
          {noun === "replay" ? "Approve replay" : "Approve"}
        </Button>
        <Button variant="danger" disabled={pending} onClick={() => onDecide("reject")}>
          {noun === "replay" ? "Reject replay" : "Reject"}
        </Button>
      </div>
    </>
  );
}

function ReplayRequestCard({ item, onDecided }: { item: PendingReplayApproval; onDecided: (text: string) => void }) {
  const announce = useAnnounce();
  const [comment, setComment] = useState("");
  const decide = useMutation({
    // The decision names the payload shown on this card: if what the replay would send changed since, the server answers 409.
    mutationFn: (decision: "approve" | "reject") =>
      apiFetch(`/api/replay-requests/${item.id}/${decision}`, {
        method: "POST",
        body: JSON.stringify({ payloadHash: item.payloadHash, ...(comment.trim() ? { comment } : {}) }),
      }),
    onSuccess: (_d, decision) =>
      onDecided(`Replay ${decision === "approve" ? "approved" : "rejected"}: ${item.interfaceCode} ${item.businessKey ?? ""} asked by ${item.requester.name}`),
    onError: (err) => announce(`Not decided: ${err.message}`, "assertive"),
  });
  const headingId = `replay-request-${item.id}`;
  return (
    <Card aria-labelledby={headingId} data-replay-request={item.id}>
      <CardHeader>
        <div>
          <h3 id={headingId} tabIndex={-1} className="flex flex-wrap items-center gap-2 text-sm font-semibold">
            <Badge tone="medium">replay</Badge>
            <span className="font-mono">{item.plantCode}</span> <span className="font-mono">{item.interfaceCode}</span>
            <Link href={`/exceptions/${item.exceptionId}`} className="font-normal text-primary underline underline-offset-4">
              {item.businessKey ?? item.errorCode}
            </Link>
            <Badge tone="outline">{item.asIs ? "as is" : "approved correction"}</Badge>
            {item.second ? <Badge tone="high">second delivery</Badge> : null}
            {item.ownRequest ? <Badge tone="outline">your request</Badge> : null}
          </h3>
          <p className="mt-0.5 text-xs text-muted-foreground">{labelOf(CATEGORY_LABELS, item.category).toLowerCase()} failure</p>
        </div>
        <p className="text-right text-xs text-muted-foreground">
          requested by {item.requester.name}
          <br />
          <Time iso={item.requestedAt} plantZone={item.plantZone} />
        </p>
      </CardHeader>
      <CardBody className="space-y-3">
        <div className="grid gap-3 lg:grid-cols-2">
          <KeyFieldsTable
            fields={item.keyFields}
            caption={item.asIs ? "What it sends" : "What it sends (against the original)"}
            compare={!item.asIs}
            labels={["Original", "Sent"]}
          />
          <ErrorItFixes error={item.error} zone={item.plantZone} />
        </div>
        <p className="text-xs">
          <strong>Reason:</strong> {item.reason ?? "—"}
        </p>
        <details>
          <summary className="cursor-pointer text-xs">
            {item.asIs ? "The original payload, sent as is" : "The payload of the approved correction"} (message{" "}
            <span className="font-mono">{item.messageId}</span>)
          </summary>
          <section aria-label="Payload the replay sends">
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
            <pre className="mt-1 max-h-64 overflow-auto rounded bg-muted p-2 font-mono text-xs" tabIndex={0} data-testid="replay-payload">
              {JSON.stringify(item.payload, null, 2)}
            </pre>
          </section>
        </details>
        <Decision
          id={item.id}
          allowed={item.allowed.decide}
          own={item.ownRequest}
          noun="replay"
          pending={decide.isPending}
          error={decide.error?.message ?? null}
          comment={comment}
          setComment={setComment}
          onDecide={(decision) => decide.mutate(decision)}
        />
      </CardBody>
    </Card>
  );
}

function ApprovalCard({ item, onDecided }: { item: PendingApproval; onDecided: (text: string) => void }) {
  const announce = useAnnounce();
  const [comment, setComment] = useState("");
  const [override, setOverride] = useState("");
  const refused = item.dryRun?.current === true && item.dryRun.outcome === "REFUSED";
  const decide = useMutation({
    // The decision names the payload shown on this card: if the author changed it since, the server answers 409.
    // After a refused dry run of this payload, approving needs the approver's override reason.
    mutationFn: (decision: "approve" | "reject") =>
      apiFetch(`/api/corrections/${item.id}/${decision}`, {
        method: "POST",
        body: JSON.stringify({
          payloadHash: item.payloadHash,
          ...(comment.trim() ? { comment } : {}),
          ...(decision === "approve" && refused && override.trim() ? { overrideReason: override } : {}),
        }),
      }),
    onSuccess: (_d, decision) =>
      onDecided(
        `Correction ${decision === "approve" ? "approved" : "rejected"}: ${item.interfaceCode} ${item.businessKey ?? ""} written by ${item.author.name}, who is told now`,
      ),
    onError: (err) => announce(`Not decided: ${err.message}`, "assertive"),
  });
  const headingId = `approval-${item.id}`;
  return (
    <Card aria-labelledby={headingId} data-correction={item.id}>
      <CardHeader>
        <div>
          <h3 id={headingId} tabIndex={-1} className="flex flex-wrap items-center gap-2 text-sm font-semibold">
            <span className="font-mono">{item.plantCode}</span> <span className="font-mono">{item.interfaceCode}</span>
            <Link href={`/exceptions/${item.exceptionId}`} className="font-normal text-primary underline underline-offset-4">
              {item.businessKey ?? item.errorCode}
            </Link>
            {item.requiresApproval ? <Badge tone="high">approval required by interface</Badge> : null}
            {item.ownCorrection ? <Badge tone="outline">your correction</Badge> : null}
          </h3>
        </div>
        <p className="text-right text-xs text-muted-foreground">
          written by {item.author.name}
          <br />
          {item.submittedAt ? <Time iso={item.submittedAt} plantZone={item.plantZone} /> : null}
        </p>
      </CardHeader>
      <CardBody className="space-y-3">
        <div className="grid gap-3 lg:grid-cols-2">
          <KeyFieldsTable fields={item.keyFields} caption="Key fields" compare labels={["Original", "Corrected"]} />
          <ErrorItFixes error={item.error} zone={item.plantZone} />
        </div>
        <p className="text-xs">
          <strong>Reason:</strong> {item.reason}
        </p>
        <div>
          <h4 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted-foreground">The change</h4>
          <PatchView patch={item.patch} original={item.original} caption="Proposed change against the original payload" />
        </div>
        <DryRunPanel correctionId={item.id} dryRun={item.dryRun} canRun={item.canDryRun} zone={item.plantZone} />
        {refused && item.allowed.decide ? (
          <div className="space-y-1">
            <Label htmlFor={`override-${item.id}`}>Override reason (required to approve after the target refused this payload; at least 10 characters)</Label>
            <textarea
              id={`override-${item.id}`}
              value={override}
              onChange={(e) => setOverride(e.target.value)}
              rows={2}
              className="w-full rounded-md border border-border bg-surface p-2 text-sm"
              data-testid="override-reason"
            />
          </div>
        ) : null}
        <Decision
          id={item.id}
          allowed={item.allowed.decide}
          own={item.ownCorrection}
          noun="correction"
          pending={decide.isPending}
          error={decide.error?.message ?? null}
          comment={comment}
          setComment={setComment}
          onDecide={(decision) => decide.mutate(decision)}
        />
      </CardBody>
    </Card>
  );
}
