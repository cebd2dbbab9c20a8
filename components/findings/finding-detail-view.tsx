"use client";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { QueryError } from "@/components/dashboards/query-state";
import { Badge } from "@/components/ui/badge";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Time } from "@/components/ui/time";
import { apiFetch } from "@/lib/api";
import { formatCount, formatDuration } from "@/lib/format";
import {
  BUSINESS_PROCESS_LABELS,
  FINDING_KIND_LABELS,
  FINDING_STATUS_LABELS,
  OUTCOME_LABELS,
  TRANSACTION_STATUS_LABELS,
  FINDING_RESOLUTION_LABELS,
  humanize,
  labelOf,
} from "@/lib/labels";
import type { FindingDetail } from "@/server/findings/finding-detail";
import { FindingActions } from "./finding-actions";
import { KIND_TONE } from "./findings-queue";
import { findingKeys } from "./query-keys";
import { useLiveFindings } from "./use-live-findings";

/**
 * One finding and what explains it: for a late message its timeline across systems, for a stopped or
 * flooded flow its expected traffic and last message, for a missed batch run its schedule, deadline and
 * what was delivered. Live: acknowledged, reassigned or cleared elsewhere, it updates at once.
 */
export function FindingDetailView({ initial, canHandle, me }: { initial: FindingDetail; canHandle: boolean; me: string }) {
  const q = useQuery({
    queryKey: findingKeys.detail(initial.id),
    queryFn: () => apiFetch<FindingDetail>(`/api/findings/${initial.id}`),
    initialData: initial,
    staleTime: 5_000,
  });
  useLiveFindings([initial.plantId]);
  const [outcome, setOutcome] = useState<{ message: string; ok: boolean } | null>(null);
  const f = q.data;
  const tz = f.plantZone;
  return (
    <div className="space-y-3">
      <p className="text-sm">
        <Link href={`/findings?plant=${f.plantCode}`} className="underline">
          Findings of {f.plantCode}
        </Link>
      </p>
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={KIND_TONE[f.kind]}>{FINDING_KIND_LABELS[f.kind]}</Badge>
        <h1 className="text-lg font-semibold">
          <span className="font-mono">{f.interfaceCode}</span> at {f.plantCode}
        </h1>
        <Badge tone="outline" data-testid="finding-status">
          {FINDING_STATUS_LABELS[f.status]}
        </Badge>
      </div>
      <p className="text-sm">{f.summary}</p>
      {q.isError ? <QueryError what="the finding" error={q.error} retry={() => void q.refetch()} stale /> : null}
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-muted-foreground">Interface</dt>
        <dd>
          {f.interfaceName} ({BUSINESS_PROCESS_LABELS[f.process]})
        </dd>
        <dt className="text-muted-foreground">Opened</dt>
        <dd>
          <Time iso={f.openedAt} plantZone={tz} style="datetime-seconds" />
        </dd>
        <dt className="text-muted-foreground">Last checked</dt>
        <dd>
          <Time iso={f.lastEvaluatedAt} plantZone={tz} style="datetime-seconds" />
        </dd>
        {f.acknowledgedAt ? (
          <>
            <dt className="text-muted-foreground">Acknowledged</dt>
            <dd>
              <Time iso={f.acknowledgedAt} plantZone={tz} /> by {f.acknowledgedBy ?? "someone"}
            </dd>
          </>
        ) : null}
        <dt className="text-muted-foreground">Assigned to</dt>
        <dd>{f.assignee?.label ?? "nobody"}</dd>
        {f.resolvedAt ? (
          <>
            <dt className="text-muted-foreground">Cleared</dt>
            <dd>
              <Time iso={f.resolvedAt} plantZone={tz} />
              {f.resolution ? ` (${labelOf(FINDING_RESOLUTION_LABELS, f.resolution)})` : ""}
            </dd>
          </>
        ) : null}
        {f.exceptionId ? (
          <>
            <dt className="text-muted-foreground">Became an exception</dt>
            <dd>
              <Link href={`/exceptions/${f.exceptionId}`} className="underline">
                Open the exception
              </Link>
            </dd>
          </>
        ) : null}
      </dl>
      {canHandle ? <FindingActions f={f} me={me} onOutcome={(message, ok) => setOutcome({ message, ok })} /> : null}
      {outcome ? (
        <p className={outcome.ok ? "text-sm" : "text-sm text-danger"} data-testid="finding-outcome">
          {outcome.message}
        </p>
      ) : null}
      {f.late ? <LateMessage f={f} late={f.late} /> : null}
      {f.flow ? <FlowFigures f={f} flow={f.flow} /> : null}
      {f.run ? <RunFigures f={f} run={f.run} /> : null}
      <Figures figures={f.figures} zone={f.plantZone} />
    </div>
  );
}

function LateMessage({ f, late }: { f: FindingDetail; late: NonNullable<FindingDetail["late"]> }) {
  const tz = f.plantZone;
  return (
    <Card aria-labelledby="late-heading">
      <CardHeader>
        <h2 id="late-heading" className="text-base font-semibold">
          The message
        </h2>
      </CardHeader>
      <CardBody className="space-y-2 text-sm">
        <p>
          {f.businessKey ? <strong>{f.businessKey}</strong> : null} message <span className="font-mono">{f.messageId}</span>:{" "}
          {labelOf(TRANSACTION_STATUS_LABELS, late.status).toLowerCase()}, first seen <Time iso={late.firstSeenAt} plantZone={tz} style="datetime-seconds" />
          {late.deliveredAt ? (
            <>
              , delivered <Time iso={late.deliveredAt} plantZone={tz} style="datetime-seconds" />
            </>
          ) : null}
          .
        </p>
        <p className="text-muted-foreground">
          Late when not delivered within {formatDuration(late.lateAfterMs / 1000)} (latency SLO {formatDuration(late.latencySloMs / 1000)}); an exception after{" "}
          {formatDuration(late.escalateAfterMs / 1000)}.
        </p>
        {late.timeline.length ? (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
          <section className="overflow-x-auto" tabIndex={0} aria-label="Timeline">
            <table className="w-full text-left text-xs tabular-nums">
              <caption className="mb-1 text-left text-muted-foreground">Every hop of the message across systems, oldest first (plant time, {tz})</caption>
              <thead className="text-muted-foreground">
                <tr className="border-b border-border">
                  <th scope="col" className="py-1 pr-2 font-medium">
                    Time
                  </th>
                  <th scope="col" className="py-1 pr-2 font-medium">
                    Interface
                  </th>
                  <th scope="col" className="py-1 pr-2 font-medium">
                    Hop
                  </th>
                  <th scope="col" className="py-1 pr-2 font-medium">
                    Outcome
                  </th>
                  <th scope="col" className="py-1 pr-2 font-medium">
                    Attempt
                  </th>
                  <th scope="col" className="py-1 font-medium">
                    Error
                  </th>
                </tr>
              </thead>
              <tbody data-testid="finding-timeline">
                {late.timeline.map((e) => (
                  <tr key={`${e.transactionId}-${e.hop}-${e.at}-${e.outcome}-${e.attempt}`} className="border-b border-border last:border-0">
                    <td className="py-1 pr-2 whitespace-nowrap">
                      <Time iso={e.at} plantZone={tz} style="datetime-seconds" />
                    </td>
                    <td className="py-1 pr-2 font-mono">{e.interfaceCode}</td>
                    <td className="py-1 pr-2">
                      {e.source} → {e.target}
                    </td>
                    <td className="py-1 pr-2">{labelOf(OUTCOME_LABELS, e.outcome.toUpperCase())}</td>
                    <td className="py-1 pr-2">{e.attempt ?? "—"}</td>
                    <td className="py-1">{e.errorCode ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : (
          <p className="text-muted-foreground">No hop of this message is recorded any more (past the telemetry retention).</p>
        )}
      </CardBody>
    </Card>
  );
}

function FlowFigures({ f, flow }: { f: FindingDetail; flow: NonNullable<FindingDetail["flow"]> }) {
  const e = flow.expectation;
  return (
    <Card aria-labelledby="flow-heading">
      <CardHeader>
        <h2 id="flow-heading" className="text-base font-semibold">
          Expected and actual traffic
        </h2>
      </CardHeader>
      <CardBody className="space-y-1 text-sm" data-testid="finding-flow">
        <p>
          {e
            ? `Expected: ${formatCount(e.minCount)}${e.maxCount !== null ? ` to ${formatCount(e.maxCount)}` : " or more"} messages per ${formatDuration(e.windowMinutes * 60)}${e.productionOnly ? ", during production time (shifts, no holiday or planned downtime)" : ", at any time"}${e.enabled ? "" : " (expectation switched off)"}.`
            : "No expected traffic is set for this flow any more."}
        </p>
        <p>
          Last message reported:{" "}
          {flow.lastMessageAt ? <Time iso={flow.lastMessageAt} plantZone={f.plantZone} style="datetime-seconds" /> : "none in the last 30 days"}
        </p>
      </CardBody>
    </Card>
  );
}

function RunFigures({ f, run }: { f: FindingDetail; run: NonNullable<FindingDetail["run"]> }) {
  const s = run.schedule;
  return (
    <Card aria-labelledby="run-heading">
      <CardHeader>
        <h2 id="run-heading" className="text-base font-semibold">
          The batch run
        </h2>
      </CardHeader>
      <CardBody className="space-y-1 text-sm" data-testid="finding-run">
        <p>
          {s
            ? `Schedule: "${s.cron}" (plant time, ${f.plantZone}), complete within ${formatDuration(s.completeWithinMinutes * 60)} with at least ${formatCount(s.minMessages)} delivered and none failed.`
            : "No batch schedule is set for this flow any more."}
        </p>
        {run.scheduledAt ? (
          <p>
            Scheduled start <Time iso={run.scheduledAt} plantZone={f.plantZone} />
            {run.deadline ? (
              <>
                , to complete by <Time iso={run.deadline} plantZone={f.plantZone} />
              </>
            ) : null}
            .
          </p>
        ) : null}
        {run.delivered !== null ? (
          <p>
            Between them: {formatCount(run.delivered)} delivered, {formatCount(run.failed)} failed.
          </p>
        ) : null}
      </CardBody>
    </Card>
  );
}

/** What the monitor recorded when it opened or last checked the finding. */
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
/** "expectedMin" / "silenceAfterMs" → "Expected min" / "Silence after". */
const keyLabel = (k: string) => humanize(k.replace(/Ms$/, "").replace(/([a-z0-9])([A-Z])/g, "$1_$2"));

function Figures({ figures, zone }: { figures: Record<string, unknown>; zone: string }) {
  const entries = Object.entries(figures).filter(([, v]) => v !== null && v !== undefined && typeof v !== "object");
  if (!entries.length) return null;
  return (
    <section aria-labelledby="figures-heading" className="text-sm">
      <h2 id="figures-heading" className="text-base font-semibold">
        As the monitor recorded it
      </h2>
      <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-4 gap-y-0.5" data-testid="finding-figures">
        {entries.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-muted-foreground">{keyLabel(k)}</dt>
            <dd className="tabular-nums">
              {typeof v === "number" ? (
                k.endsWith("Ms") ? (
                  formatDuration(v / 1000)
                ) : (
                  formatCount(v)
                )
              ) : typeof v === "string" && ISO.test(v) ? (
                <Time iso={v} plantZone={zone} />
              ) : typeof v === "boolean" ? (
                v ? (
                  "yes"
                ) : (
                  "no"
                )
              ) : String(v).match(/^[a-z_]+$/) ? (
                humanize(String(v))
              ) : (
                String(v)
              )}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
