"use client";
import { useMutation } from "@tanstack/react-query";
import jsonpatch from "fast-json-patch";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { focusElement, useAnnounce } from "@/components/ui/announcer";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Label } from "@/components/ui/input";
import { JsonEditor } from "@/components/ui/json-editor";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { CORRECTION_STATUS_LABELS, labelOf } from "@/lib/labels";
import { isCorrectable } from "@/lib/rules";
import { withKeys } from "@/lib/utils";
import { REASON_MIN_LENGTH } from "@/server/corrections/limits";
import { validatePayload } from "@/server/corrections/validate";
import type { ExceptionDetail } from "@/server/exceptions/detail";
import { PatchView } from "./patch-view";
import { DryRunPanel } from "./dry-run-panel";

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** The payload editor's id (the exception page's "Correct the payload" moves focus there). */
export const EDITOR_ID = "payload-editor";
const LIVE = ["DRAFT", "SUBMITTED", "APPROVED"];

/**
 * Correct the payload: edit as JSON, validated live against the interface's JSON Schema, with the
 * diff (JSON Patch) against the original. Invalid payloads can be saved as drafts, not submitted.
 * Once submitted, the form gives way to a confirmation (focused and announced) until an approver
 * decides: pressing Submit again cannot happen, and the author reopens it only on purpose.
 */
export function CorrectionPanel({
  d,
  me,
  canCorrect,
  canApprove,
  zone,
}: {
  d: ExceptionDetail;
  me: { id: string };
  canCorrect: boolean;
  canApprove: boolean;
  zone: string;
}) {
  const router = useRouter();
  const announce = useAnnounce();
  const c = d.correction;
  const live = c && LIVE.includes(c.status) ? c : null;
  const mine = live?.author.id === me.id;
  // A rejected correction is revised from where it was left, not from the original.
  const start = (live ?? (c?.status === "REJECTED" ? c : null))?.payload ?? d.transaction.payload ?? {};
  const [text, setText] = useState(() => JSON.stringify(start, null, 2));
  const [reason, setReason] = useState(live?.reason ?? "");
  const [editing, setEditing] = useState(false);
  const [justSubmitted, setJustSubmitted] = useState(false);
  const confirmation = useRef<HTMLDivElement>(null);

  const parsed: Parsed = useMemo(() => {
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }, [text]);
  const issues = useMemo(() => (parsed.ok && d.schema ? validatePayload(d.schema.schema, parsed.value) : []), [parsed, d.schema]);
  const patch = useMemo(
    () =>
      parsed.ok && parsed.value && typeof parsed.value === "object" ? jsonpatch.compare((d.transaction.payload ?? {}) as object, parsed.value as object) : [],
    [parsed, d.transaction.payload],
  );

  const saveBody = () => JSON.stringify({ payload: parsed.ok ? parsed.value : null, reason });
  const save = useMutation({
    mutationFn: () => apiFetch<{ correction: { id: string } }>(`/api/exceptions/${d.id}/correction`, { method: "POST", body: saveBody() }),
    onSuccess: () => {
      announce("Draft saved");
      router.refresh();
    },
  });
  const submit = useMutation({
    mutationFn: async () => {
      // Saving and submitting what the server already holds changes nothing there (no new version, no audit event).
      const saved = await apiFetch<{ correction: { id: string } }>(`/api/exceptions/${d.id}/correction`, { method: "POST", body: saveBody() });
      return apiFetch(`/api/corrections/${saved.correction.id}/submit`, { method: "POST", body: JSON.stringify({ reason }) });
    },
    onSuccess: () => {
      setEditing(false);
      setJustSubmitted(true);
      announce("Submitted for approval: an approver decides, and you will be told here");
      router.refresh();
    },
    onError: (err) => announce(`Not submitted: ${err.message}`, "assertive"),
  });
  useEffect(() => {
    if (justSubmitted) focusElement(confirmation.current);
  }, [justSubmitted]);

  const error = save.error ?? submit.error;
  // Submitted and waiting: until the server's state arrives (a draft still) and while it says so.
  const waiting = !editing && ((mine && live?.status === "SUBMITTED") || (justSubmitted && (!live || live.status === "DRAFT" || live.status === "SUBMITTED")));
  const editable = canCorrect && isCorrectable(d.status) && (!live || mine || live.status === "APPROVED") && !waiting;
  const reasonLength = reason.trim().length;
  const missing = [
    !parsed.ok ? "valid JSON" : issues.length ? "a payload that matches the schema" : null,
    parsed.ok && patch.length === 0 ? "a change to the payload" : null,
    reasonLength < REASON_MIN_LENGTH ? `a reason of at least ${REASON_MIN_LENGTH} characters` : null,
  ].filter((m): m is string => m !== null);

  return (
    <Card aria-labelledby="correct-h">
      <CardHeader>
        <h2 id="correct-h" className="text-sm font-semibold">
          Correct the payload
        </h2>
        {c ? (
          <span className="text-xs text-muted-foreground" data-testid="correction-status">
            Correction{" "}
            <Badge tone={c.status === "APPROVED" ? "low" : c.status === "REJECTED" ? "critical" : "medium"}>
              {labelOf(CORRECTION_STATUS_LABELS, c.status)}
            </Badge>{" "}
            · written by {c.author.name}
            {c.approver ? ` · ${c.status === "REJECTED" ? "rejected" : "approved"} by ${c.approver}` : ""}
          </span>
        ) : null}
      </CardHeader>
      <CardBody className="space-y-3">
        {c && (c.status === "APPROVED" || c.status === "REJECTED") && c.approver ? (
          <p
            className={`rounded-md px-3 py-2 text-xs ${c.status === "APPROVED" ? "bg-low-bg text-low-fg" : "bg-critical-bg text-critical-fg"}`}
            data-testid="correction-decision"
          >
            {c.author.id === me.id ? "Your correction was" : "The correction was"} {c.status === "APPROVED" ? "approved" : "rejected"} by {c.approver}
            {c.decidedAt ? (
              <>
                {" "}
                on <Time iso={c.decidedAt} plantZone={zone} />
              </>
            ) : null}
            {c.decisionComment ? <> — “{c.decisionComment}”</> : null}
          </p>
        ) : null}
        {live ? <DryRunPanel correctionId={live.id} dryRun={live.dryRun} canRun={canCorrect} zone={zone} /> : null}
        {waiting ? (
          <div
            ref={confirmation}
            tabIndex={-1}
            className="space-y-2 rounded-md border border-border bg-low-bg px-3 py-2 text-low-fg"
            data-testid="submit-confirmation"
          >
            <p className="font-medium">
              Submitted for approval
              {live?.submittedAt ? (
                <>
                  {" "}
                  on <Time iso={live.submittedAt} plantZone={zone} />
                </>
              ) : null}
              . An approver decides; you will see the decision here as soon as it is made.
            </p>
            {live?.reason ? <p className="text-xs">Your reason: “{live.reason}”</p> : null}
            {live ? <PatchView patch={live.patch} original={d.transaction.payload} caption="Submitted change" /> : null}
            {canCorrect ? (
              <Button variant="secondary" size="sm" onClick={() => setEditing(true)}>
                Change the correction…
              </Button>
            ) : null}
          </div>
        ) : !editable ? (
          live ? (
            <>
              {live.status === "SUBMITTED" ? (
                <p className="text-xs" data-testid="correction-waiting">
                  {mine
                    ? "You wrote this correction — another approver must decide."
                    : canApprove
                      ? "Written by someone else: decide on it on the "
                      : `Waiting for an approver to decide on ${live.author.name}'s correction.`}
                  {!mine && canApprove ? (
                    <Link href="/approvals" className="text-primary underline underline-offset-4">
                      Approvals page
                    </Link>
                  ) : null}
                </p>
              ) : null}
              <PatchView patch={live.patch} original={d.transaction.payload} caption="Proposed change" />
            </>
          ) : (
            <p className="text-xs text-muted-foreground">
              {canCorrect ? "This exception can no longer be corrected." : "Corrections are made by support operators and approvers."}
            </p>
          )
        ) : (
          <>
            {editing ? (
              <p className="rounded-md bg-medium-bg px-3 py-2 text-xs text-medium-fg" role="note">
                Saving a change takes the correction back from the approvers until you submit it again.
              </p>
            ) : null}
            <div className="space-y-1">
              <Label htmlFor={EDITOR_ID}>Payload (JSON{d.schema ? `, schema v${d.schema.version}` : ""})</Label>
              <JsonEditor id={EDITOR_ID} label="Corrected payload JSON" value={text} onChange={setText} />
            </div>
            <div role="status" aria-live="polite" className="text-xs" data-testid="schema-result">
              {!parsed.ok ? (
                <span className="text-danger">Not valid JSON: {parsed.error}</span>
              ) : issues.length ? (
                <ul className="text-danger">
                  {withKeys(issues, (i) => `${i.path} ${i.message}`).map(({ key, item: i }) => (
                    <li key={key}>
                      <span className="font-mono">{i.path}</span> {i.message}
                    </li>
                  ))}
                </ul>
              ) : (
                <span className="text-success">Matches the interface schema.</span>
              )}
            </div>
            <div>
              <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-muted-foreground">Diff against the original</h3>
              <PatchView patch={patch} original={d.transaction.payload} caption="Changes against the original payload" />
            </div>
            <div className="space-y-1">
              <Label htmlFor="correction-reason">Reason for the change (at least {REASON_MIN_LENGTH} characters)</Label>
              <textarea
                id="correction-reason"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                rows={2}
                aria-describedby="correction-reason-hint"
                className="w-full rounded-md border border-border bg-surface p-2 text-sm"
              />
              <p id="correction-reason-hint" className="text-xs text-muted-foreground" data-testid="reason-hint">
                {reasonLength < REASON_MIN_LENGTH
                  ? `${reasonLength} of at least ${REASON_MIN_LENGTH} characters: ${REASON_MIN_LENGTH - reasonLength} more needed. The approver reads it.`
                  : `${reasonLength} characters: long enough. The approver reads it.`}
              </p>
            </div>
            {error ? (
              <p role="alert" className="text-xs text-danger">
                {error.message}
              </p>
            ) : null}
            <div className="flex flex-wrap items-center gap-2">
              <Button variant="secondary" disabled={!parsed.ok || patch.length === 0 || save.isPending || submit.isPending} onClick={() => save.mutate()}>
                Save draft
              </Button>
              <Button disabled={missing.length > 0 || submit.isPending} aria-describedby="submit-needs" onClick={() => submit.mutate()}>
                {submit.isPending ? "Submitting…" : "Submit for approval"}
              </Button>
              {editing ? (
                <Button variant="ghost" size="sm" onClick={() => setEditing(false)}>
                  Keep it as submitted
                </Button>
              ) : null}
              <p id="submit-needs" className="text-xs text-muted-foreground">
                {missing.length ? `To submit: ${missing.join(", ")}.` : "Ready to submit: a second person approves it before it can be replayed."}
              </p>
            </div>
          </>
        )}
      </CardBody>
    </Card>
  );
}
