"use client";
import Link from "next/link";
import type { ReactNode } from "react";
import { Badge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { formatCount } from "@/lib/format";
import { FINDING_KIND_LABELS, SEVERITY_LABELS, labelOf } from "@/lib/labels";
import type { HandoverView } from "@/server/handover/handover-view";

/**
 * One handover's figures, section by section, each count linking to what it counts (the exception queue,
 * the findings, the alerts of the plant). Colour only for what is still open at the shift's end, by
 * severity; a zero is plain text.
 */
const SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"] as const;
const TONE = { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" } as const;
const KINDS = ["LATE", "STOPPED", "FLOOD", "MISSED_RUN"] as const;

const q = (path: string, params: Record<string, string>) => `${path}?${new URLSearchParams(params)}`;

function Section({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-md border border-border p-3">
      <h3 id={id} className="mb-2 text-sm font-semibold">
        {title}
      </h3>
      <div className="space-y-2 text-sm">{children}</div>
    </section>
  );
}

export function HandoverFigures({ h }: { h: HandoverView }) {
  const { exceptions: ex, findings, alerts } = h.summary;
  const plant = h.plantCode;
  const zone = h.timezone;
  const sid = (s: string) => `${s}-${h.id}`;
  return (
    <div className="grid gap-3 lg:grid-cols-3">
      <Section title="Exceptions" id={sid("ex")}>
        <p>
          <Link className="underline" href={q("/exceptions", { plant, status: "all" })}>
            {formatCount(ex.failed)} failed
          </Link>{" "}
          during the shift · {formatCount(ex.resolved)} resolved · {formatCount(ex.discarded)} discarded
        </p>
        {ex.topFailed.length ? (
          <div>
            <h4 className="text-xs font-medium text-muted-foreground">Failed most (interface · error)</h4>
            <ul className="text-xs">
              {ex.topFailed.map((t) => (
                <li key={`${t.interfaceCode}:${t.errorCode}`}>
                  <Link className="font-mono underline" href={q("/exceptions", { plant, interface: t.interfaceCode, code: t.errorCode, status: "all" })}>
                    {t.interfaceCode} · {t.errorCode}
                  </Link>{" "}
                  {formatCount(t.count)}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {ex.topClosed.length ? (
          <div>
            <h4 className="text-xs font-medium text-muted-foreground">Closed most (interface · error)</h4>
            <ul className="text-xs">
              {ex.topClosed.map((t) => (
                <li key={`${t.interfaceCode}:${t.errorCode}`}>
                  <span className="font-mono">
                    {t.interfaceCode} · {t.errorCode}
                  </span>{" "}
                  {formatCount(t.count)}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        <div>
          <h4 className="text-xs font-medium text-muted-foreground">Still open at the end of the shift</h4>
          <p data-testid="handover-open-at-end">
            <Link className="underline" href={q("/exceptions", { plant, status: "open" })}>
              {formatCount(ex.openAtEnd.total)} open
            </Link>{" "}
            {SEVERITIES.filter((s) => ex.openAtEnd.bySeverity[s] > 0).map((s) => (
              <Link key={s} href={q("/exceptions", { plant, status: "open", severity: s })} className="mr-1">
                <Badge tone={TONE[s]}>
                  {formatCount(ex.openAtEnd.bySeverity[s])} {labelOf(SEVERITY_LABELS, s).toLowerCase()}
                </Badge>
              </Link>
            ))}
          </p>
          {ex.openAtEnd.oldest ? (
            <p className="text-xs">
              Oldest:{" "}
              <Link className="font-mono underline" href={`/exceptions/${ex.openAtEnd.oldest.id}`}>
                {ex.openAtEnd.oldest.interfaceCode} · {ex.openAtEnd.oldest.errorCode}
              </Link>
              , failed <Time iso={ex.openAtEnd.oldest.firstSeenAt} plantZone={zone} />
            </p>
          ) : null}
        </div>
      </Section>
      <Section title="Late messages, stopped flows, missed runs" id={sid("fi")}>
        <table className="w-full text-xs">
          <caption className="sr-only">Findings of the flow monitor by kind</caption>
          <thead>
            <tr className="text-left text-muted-foreground">
              <th scope="col" className="font-medium">
                Kind
              </th>
              <th scope="col" className="text-right font-medium">
                Opened in the shift
              </th>
              <th scope="col" className="text-right font-medium">
                Open at its end
              </th>
            </tr>
          </thead>
          <tbody>
            {KINDS.map((k) => (
              <tr key={k}>
                <th scope="row" className="text-left font-normal">
                  <Link className="underline" href={q("/findings", { plant, kind: k, status: "all" })}>
                    {labelOf(FINDING_KIND_LABELS, k)}
                  </Link>
                </th>
                <td className="text-right tabular-nums">{formatCount(findings.openedByKind[k])}</td>
                <td className="text-right tabular-nums">{formatCount(findings.openAtEndByKind[k])}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {findings.items.length ? (
          <ul className="space-y-1 text-xs">
            {findings.items.map((f) => (
              <li key={f.id}>
                <Link className="underline" href={`/findings/${f.id}`}>
                  {labelOf(FINDING_KIND_LABELS, f.kind)} · <span className="font-mono">{f.interfaceCode}</span>
                </Link>{" "}
                {f.summary} · opened <Time iso={f.openedAt} plantZone={zone} style="time" />
                {f.openAtEnd ? (
                  " · still open at the end"
                ) : f.resolvedAt ? (
                  <>
                    {" "}
                    · cleared <Time iso={f.resolvedAt} plantZone={zone} style="time" />
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        ) : null}
      </Section>
      <Section title="Alerts" id={sid("al")}>
        <p>
          <Link className="underline" href={q("/alerts", { plant, status: "all" })}>
            {formatCount(alerts.fired)} fired
          </Link>{" "}
          during the shift · {formatCount(alerts.openAtEnd)} open at its end
        </p>
        {alerts.items.length ? (
          <ul className="space-y-1 text-xs">
            {alerts.items.map((a) => (
              <li key={a.id}>
                <Link className="underline" href={q("/alerts", { plant, status: "all", alert: a.id })}>
                  {a.rule}
                </Link>{" "}
                · {a.subject} · fired <Time iso={a.firedAt} plantZone={zone} style="time" />
                {a.openAtEnd ? " · open at the end" : ""}
              </li>
            ))}
          </ul>
        ) : null}
      </Section>
    </div>
  );
}
