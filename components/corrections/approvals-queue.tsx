"use client";
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Label } from "@/components/ui/input";
import { apiFetch } from "@/lib/api";
import type { PendingApproval } from "@/server/corrections/pending-approvals";
import type { PendingReplayApproval } from "@/server/replay/pending-replay-approvals";
import { PatchView } from "./patch-view";

export function ApprovalsQueue({ items, replays }: { items: PendingApproval[]; replays: PendingReplayApproval[] }) {
  return (
    <div className="space-y-3">
      <div className="flex items-baseline justify-between">
        <h1 className="text-lg font-semibold">Approvals</h1>
        <p className="text-xs text-muted-foreground">
          {items.length} correction{items.length === 1 ? "" : "s"} and {replays.length} replay request{replays.length === 1 ? "" : "s"} waiting for a second
          person
        </p>
      </div>
      <h2 className="text-sm font-semibold">Corrections</h2>
      {items.length === 0 ? (
        <div className="rounded-lg border border-dashed border-border px-4 py-10 text-center">
          <p className="font-medium">Nothing to approve</p>
          <p className="mt-1 text-muted-foreground">Corrections submitted by support appear here with their diff.</p>
        </div>
      ) : (
        <ul className="space-y-3">
          {items.map((item) => (
            <li key={item.id}>
              <ApprovalCard item={item} />
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
          {replays.map((item) => (
            <li key={item.id}>
              <ReplayRequestCard item={item} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ReplayRequestCard({ item }: { item: PendingReplayApproval }) {
  const router = useRouter();
  const [comment, setComment] = useState("");
  const decide = useMutation({
    // The decision names the payload shown on this card: if what the replay would send changed since, the server answers 409.
    mutationFn: (decision: "approve" | "reject") =>
      apiFetch(`/api/replay-requests/${item.id}/${decision}`, {
        method: "POST",
        body: JSON.stringify({ payloadHash: item.payloadHash, ...(comment.trim() ? { comment } : {}) }),
      }),
    onSuccess: () => router.refresh(),
  });
  const headingId = `replay-request-${item.id}`;
  return (
    <Card aria-labelledby={headingId} data-replay-request={item.id}>
      <CardHeader>
        <div>
          <h3 id={headingId} className="flex flex-wrap items-center gap-2 text-sm font-semibold">
            <Badge tone="medium">replay</Badge>
            <span className="font-mono">{item.plantCode}</span> <span className="font-mono">{item.interfaceCode}</span>
            <Link href={`/exceptions/${item.exceptionId}`} className="font-normal text-primary underline underline-offset-4">
              {item.errorCode}
            </Link>
            <Badge tone="outline">{item.asIs ? "as is" : "approved correction"}</Badge>
            {item.second ? <Badge tone="high">second delivery</Badge> : null}
            {item.ownRequest ? <Badge tone="outline">your request</Badge> : null}
          </h3>
          <p className="mt-0.5 text-xs text-muted-foreground">
            {item.category.toLowerCase()} failure · {item.errorMessage}
          </p>
        </div>
        <p className="text-right text-xs text-muted-foreground">
          requested by {item.requester.name}
          <br />
          {item.businessKey ?? ""}
        </p>
      </CardHeader>
      <CardBody className="space-y-3">
        <p className="text-xs">
          <strong>Reason:</strong> {item.reason ?? "—"}
        </p>
        <div className="space-y-1">
          <p className="text-xs text-muted-foreground">
            {item.asIs ? "The original payload, sent as is" : "The payload of the approved correction"} (message{" "}
            <span className="font-mono">{item.messageId}</span>)
          </p>
          <section aria-label="Payload the replay sends">
            {/* biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable) */}
            <pre className="max-h-64 overflow-auto rounded bg-muted p-2 font-mono text-xs" tabIndex={0} data-testid="replay-payload">
              {JSON.stringify(item.payload, null, 2)}
            </pre>
          </section>
        </div>
        <div className="space-y-1">
          <Label htmlFor={`replay-comment-${item.id}`}>Comment (required to reject)</Label>
          <textarea
            id={`replay-comment-${item.id}`}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            rows={2}
            className="w-full rounded-md border border-border bg-surface p-2 text-sm"
          />
        </div>
        {decide.error ? (
          <p role="alert" className="rounded-md bg-critical-bg px-3 py-2 text-xs text-critical-fg">
            {decide.error.message}
          </p>
        ) : null}
        <div className="flex gap-2">
          <Button disabled={decide.isPending} onClick={() => decide.mutate("approve")}>
            Approve replay
          </Button>
          <Button variant="danger" disabled={decide.isPending} onClick={() => decide.mutate("reject")}>
            Reject replay
          </Button>
        </div>
      </CardBody>
    </Card>
  );
}

function ApprovalCard({ item }: { item: PendingApproval }) {
  const router = useRouter();
  const [comment, setComment] = useState("");
  const decide = useMutation({
    // The decision names the payload shown on this card: if the author changed it since, the server answers 409.
    mutationFn: (decision: "approve" | "reject") =>
      apiFetch(`/api/corrections/${item.id}/${decision}`, {
        method: "POST",
        body: JSON.stringify({ payloadHash: item.payloadHash, ...(comment.trim() ? { comment } : {}) }),
      }),
    onSuccess: () => router.refresh(),
  });
  const headingId = `approval-${item.id}`;
  return (
    <Card aria-labelledby={headingId} data-correction={item.id}>
      <CardHeader>
        <div>
          <h2 id={headingId} className="flex flex-wrap items-center gap-2 text-sm font-semibold">
            <span className="font-mono">{item.plantCode}</span> <span className="font-mono">{item.interfaceCode}</span>
            <Link href={`/exceptions/${item.exceptionId}`} className="font-normal text-primary underline underline-offset-4">
              {item.errorCode}
            </Link>
            {item.requiresApproval ? <Badge tone="high">approval required by interface</Badge> : null}
            {item.ownCorrection ? <Badge tone="outline">your correction</Badge> : null}
          </h2>
          <p className="mt-0.5 text-xs text-muted-foreground">{item.errorMessage}</p>
        </div>
        <p className="text-right text-xs text-muted-foreground">
          by {item.author.name}
          <br />
          {item.businessKey ?? ""}
        </p>
      </CardHeader>
      <CardBody className="space-y-3">
        <p className="text-xs">
          <strong>Reason:</strong> {item.reason}
        </p>
        <PatchView patch={item.patch} original={item.original} caption="Proposed change against the original payload" />
        <div className="space-y-1">
          <Label htmlFor={`comment-${item.id}`}>Comment (required to reject)</Label>
          <textarea
            id={`comment-${item.id}`}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            rows={2}
            className="w-full rounded-md border border-border bg-surface p-2 text-sm"
          />
        </div>
        {decide.error ? (
          <p role="alert" className="rounded-md bg-critical-bg px-3 py-2 text-xs text-critical-fg">
            {decide.error.message}
          </p>
        ) : null}
        <div className="flex gap-2">
          <Button disabled={decide.isPending} onClick={() => decide.mutate("approve")}>
            Approve
          </Button>
          <Button variant="danger" disabled={decide.isPending} onClick={() => decide.mutate("reject")}>
            Reject
          </Button>
        </div>
      </CardBody>
    </Card>
  );
}
