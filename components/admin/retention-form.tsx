"use client";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError, apiFetch } from "@/lib/api";
import type { RetentionPolicyView } from "@/server/retention";

/** The retention policy: how long raw telemetry and payloads are kept (audit events are kept forever). */
export function RetentionForm({ initial }: { initial: RetentionPolicyView }) {
  const [policy, setPolicy] = useState(initial);
  const [telemetryDays, setTelemetryDays] = useState(String(initial.telemetryDays));
  const [payloadDays, setPayloadDays] = useState(String(initial.payloadDays));
  const save = useMutation({
    mutationFn: () =>
      apiFetch<RetentionPolicyView>("/api/admin/retention", {
        method: "PATCH",
        body: JSON.stringify({ telemetryDays: Number(telemetryDays), payloadDays: Number(payloadDays) }),
      }),
    onSuccess: setPolicy,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <section aria-labelledby="retention-h" className="space-y-2 rounded-lg border border-border bg-surface p-4">
      <h2 id="retention-h" className="text-base font-semibold">
        Retention
      </h2>
      <p className="text-xs text-muted-foreground">
        Applied every night. Raw telemetry older than this is dropped by whole days (dashboards keep their hourly and daily figures). Payloads of messages
        settled longer ago are removed, their hashes kept, so the audit trail still verifies. Audit events are never deleted.
      </p>
      <form onSubmit={submit} aria-label="Retention policy" className="flex flex-wrap items-end gap-3 text-xs">
        <label className="grid gap-1">
          Keep raw telemetry (days)
          <Input inputMode="numeric" value={telemetryDays} onChange={(e) => setTelemetryDays(e.target.value)} className="h-8 w-28" />
        </label>
        <label className="grid gap-1">
          Keep payloads after settlement (days)
          <Input inputMode="numeric" value={payloadDays} onChange={(e) => setPayloadDays(e.target.value)} className="h-8 w-28" />
        </label>
        <Button type="submit" size="sm" disabled={save.isPending}>
          Save
        </Button>
        {save.isSuccess ? (
          <span role="status">
            Saved: telemetry {policy.telemetryDays} days, payloads {policy.payloadDays} days.
          </span>
        ) : null}
        {save.error ? (
          <span role="alert" className="text-danger">
            {save.error instanceof ApiError ? save.error.message : "Could not save"}
          </span>
        ) : null}
      </form>
    </section>
  );
}
