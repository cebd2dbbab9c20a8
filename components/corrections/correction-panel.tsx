"use client";
import { useMutation } from "@tanstack/react-query";
import jsonpatch from "fast-json-patch";
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Label } from "@/components/ui/input";
import { JsonEditor } from "@/components/ui/json-editor";
import { apiFetch } from "@/lib/api";
import { isCorrectable } from "@/lib/rules";
import { withKeys } from "@/lib/utils";
import { validatePayload } from "@/server/corrections/validate";
import type { ExceptionDetail } from "@/server/exceptions/detail";
import { PatchView } from "./patch-view";

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/**
 * Correct the payload: edit as JSON, validated live against the interface's JSON Schema, with the
 * diff (JSON Patch) against the original. Invalid payloads can be saved as drafts, not submitted.
 */
export function CorrectionPanel({ d, me, canCorrect }: { d: ExceptionDetail; me: { id: string }; canCorrect: boolean }) {
  const router = useRouter();
  const live = d.correction && ["DRAFT", "SUBMITTED", "APPROVED"].includes(d.correction.status) ? d.correction : null;
  const start = live?.payload ?? d.transaction.payload ?? {};
  const [text, setText] = useState(() => JSON.stringify(start, null, 2));
  const [reason, setReason] = useState(live?.reason ?? "");
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

  const save = useMutation({
    mutationFn: () =>
      apiFetch<{ correction: { id: string } }>(`/api/exceptions/${d.id}/correction`, {
        method: "POST",
        body: JSON.stringify({ payload: parsed.ok ? parsed.value : null, reason }),
      }),
    onSuccess: () => router.refresh(),
  });
  const submit = useMutation({
    mutationFn: async () => {
      const saved = await apiFetch<{ correction: { id: string } }>(`/api/exceptions/${d.id}/correction`, {
        method: "POST",
        body: JSON.stringify({ payload: parsed.ok ? parsed.value : null, reason }),
      });
      return apiFetch(`/api/corrections/${saved.correction.id}/submit`, { method: "POST", body: JSON.stringify({ reason }) });
    },
    onSuccess: () => router.refresh(),
  });
  const error = save.error ?? submit.error;
  const mine = !live || live.author.id === me.id || live.status === "APPROVED";
  const editable = canCorrect && mine && isCorrectable(d.status);

  return (
    <Card aria-labelledby="correct-h">
      <CardHeader>
        <h2 id="correct-h" className="text-sm font-semibold">
          Correct the payload
        </h2>
        {d.correction ? (
          <span className="text-xs text-muted-foreground" data-testid="correction-status">
            Correction{" "}
            <Badge tone={d.correction.status === "APPROVED" ? "low" : d.correction.status === "REJECTED" ? "critical" : "medium"}>
              {d.correction.status.toLowerCase()}
            </Badge>{" "}
            by {d.correction.author.name}
            {d.correction.approver ? ` · decided by ${d.correction.approver}` : ""}
          </span>
        ) : null}
      </CardHeader>
      <CardBody className="space-y-3">
        {d.correction?.decisionComment ? <p className="text-xs">Decision comment: “{d.correction.decisionComment}”</p> : null}
        {!editable ? (
          live ? (
            <PatchView patch={live.patch} original={d.transaction.payload} caption="Proposed change" />
          ) : (
            <p className="text-xs text-muted-foreground">
              {canCorrect ? "This exception can no longer be corrected." : "Corrections are made by support operators and approvers."}
            </p>
          )
        ) : (
          <>
            <div className="space-y-1">
              <Label htmlFor="payload-editor">Payload (JSON{d.schema ? `, schema v${d.schema.version}` : ""})</Label>
              <JsonEditor id="payload-editor" label="Corrected payload JSON" value={text} onChange={setText} />
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
              <Label htmlFor="correction-reason">Reason for the change (required to submit)</Label>
              <textarea
                id="correction-reason"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                rows={2}
                className="w-full rounded-md border border-border bg-surface p-2 text-sm"
              />
            </div>
            {error ? (
              <p role="alert" className="text-xs text-danger">
                {error.message}
              </p>
            ) : null}
            <div className="flex flex-wrap gap-2">
              <Button variant="secondary" disabled={!parsed.ok || patch.length === 0 || save.isPending} onClick={() => save.mutate()}>
                Save draft
              </Button>
              <Button
                disabled={!parsed.ok || issues.length > 0 || patch.length === 0 || reason.trim().length < 10 || submit.isPending}
                onClick={() => submit.mutate()}
              >
                Submit for approval
              </Button>
            </div>
          </>
        )}
      </CardBody>
    </Card>
  );
}
