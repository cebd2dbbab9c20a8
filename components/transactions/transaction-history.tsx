"use client";
import Link from "next/link";
import { Fragment } from "react";
import { PatchView } from "@/components/corrections/patch-view";
import { Badge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { formatCount } from "@/lib/format";
import {
  CORRECTION_STATUS_LABELS,
  EXCEPTION_STATUS_LABELS,
  labelOf,
  OUTCOME_LABELS,
  REPLAY_STATUS_LABELS,
  RESOLUTION_LABELS,
  SYSTEM_LABELS,
  TRANSACTION_STATUS_LABELS,
} from "@/lib/labels";
import { withKeys } from "@/lib/utils";
import type { TransactionHistory } from "@/server/transactions/history";
import { RefLinks } from "../trace/ref-links";

type Person = { name: string; email: string } | null;

/** A person by name, their e-mail beside it (auditors match both). */
function PersonName({ person, testId }: { person: Person; testId?: string }) {
  if (!person) return <span>nobody</span>;
  return (
    <span>
      <span data-testid={testId}>{person.name}</span>
      {person.email ? <span className="text-muted-foreground"> ({person.email})</span> : null}
    </span>
  );
}

/** One row of the message's path: a hop the connectors reported, or a replay attempt Andon made. */
type PathRow = {
  key: string;
  at: string;
  plantCode: string;
  interfaceCode: string;
  messageId: string;
  hop: string;
  outcome: string;
  latencyMs: number | null;
  attempt: number | null;
  errorCode: string | null;
};

/** The hops as reported, and each replay attempt as a hop from Andon to the system that had refused the message, in time order. */
function pathRows(history: TransactionHistory): PathRow[] {
  const hops = history.timeline.map((e) => ({
    at: e.at,
    plantCode: e.plantCode,
    interfaceCode: e.interfaceCode,
    messageId: e.messageId,
    hop: `${labelOf(SYSTEM_LABELS, e.source)} → ${labelOf(SYSTEM_LABELS, e.target)}`,
    outcome: e.outcome,
    latencyMs: e.latencyMs,
    attempt: e.attempt,
    errorCode: e.errorCode,
    id: `${e.transactionId} ${e.hop} ${e.at} ${e.attempt ?? ""} ${e.outcome}`,
  }));
  const replays = history.transactions.flatMap((t) => {
    const refused = history.timeline.filter((e) => e.transactionId === t.id && e.outcome === "failed").at(-1);
    const target = refused ? labelOf(SYSTEM_LABELS, refused.target) : "its target";
    return t.exceptions.flatMap((e) =>
      e.replays.flatMap((r) =>
        r.attempts.map((a) => ({
          at: a.at,
          plantCode: t.plant.code,
          interfaceCode: t.interface.code,
          messageId: t.messageId,
          hop: `Andon replay → ${target}`,
          outcome: a.outcome.toLowerCase() === "delivered" ? "delivered" : "failed",
          latencyMs: a.durationMs,
          attempt: a.attempt,
          errorCode: a.errorCode,
          id: `${r.id} ${a.attempt}`,
        })),
      ),
    );
  });
  return withKeys(
    [...hops, ...replays].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)),
    (r) => r.id,
  ).map(({ key, item: { id: _id, ...row } }) => ({ key, ...row }));
}

const statusTone = (s: string) => (s === "FAILED" ? "critical" : s === "DELIVERED" ? "low" : "medium");

/**
 * One business message for auditors: its path across systems, every payload version with its diff,
 * who corrected, approved and replayed it and when, comments, and the audit events behind it (with
 * their chain hashes). Read-only. Everything here concerns one plant: times in that plant's zone, named.
 */
export function TransactionHistoryView({ history }: { history: TransactionHistory }) {
  const tz = history.transactions[0]!.plant.timezone;
  const at = (iso: string | null) => <Time iso={iso} plantZone={tz} />;
  const cell = "px-3 py-1.5";
  return (
    <div className="space-y-5">
      <div>
        <p className="text-xs text-muted-foreground">
          <Link href="/transactions" className="hover:underline">
            Transactions
          </Link>{" "}
          / correlation
        </p>
        <h1 className="font-mono text-lg font-semibold break-all">{history.correlationId}</h1>
        <p className="text-xs text-muted-foreground">
          Plant <strong data-testid="history-plant">{history.plantCode}</strong> · times in the plant's zone ({tz}).
        </p>
        {history.otherPlants.length ? (
          <p role="note" className="mt-1 text-xs text-muted-foreground" data-testid="other-plants">
            Other plants also used this correlation id for their own messages (shown separately):{" "}
            {history.otherPlants.map((code, i) => (
              <span key={code}>
                {i ? ", " : ""}
                <Link className="underline" href={`/transactions/${encodeURIComponent(history.correlationId)}?plant=${encodeURIComponent(code)}`}>
                  {code}
                </Link>
              </span>
            ))}
          </p>
        ) : null}
      </div>

      <section aria-labelledby="path-h" className="space-y-2">
        <h2 id="path-h" className="text-base font-semibold">
          Path across systems
        </h2>
        {history.timeline.length === 0 && history.transactions.every((t) => t.exceptions.every((e) => e.replays.length === 0)) ? (
          <p className="text-sm text-muted-foreground">No hops recorded.</p>
        ) : (
          <section
            aria-label="Hops of this message"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
            tabIndex={0}
            className="overflow-x-auto rounded-lg border border-border bg-surface focus-visible:outline-2 focus-visible:outline-ring"
          >
            <table className="w-full text-left text-xs">
              <caption className="sr-only">Every hop of this message and every replay attempt, in time order</caption>
              <thead className="bg-muted text-muted-foreground">
                <tr>
                  {["Time", "Plant", "Interface", "Message", "Hop", "Outcome", "Latency", "Attempt", "Error"].map((h) => (
                    <th key={h} scope="col" className="px-3 py-2 font-medium">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {pathRows(history).map((e) => (
                  <tr key={e.key} className="border-t border-border">
                    <td className={`${cell} whitespace-nowrap tabular-nums`}>{at(e.at)}</td>
                    <td className={`${cell} whitespace-nowrap font-mono`}>{e.plantCode}</td>
                    <td className={`${cell} font-mono`}>{e.interfaceCode}</td>
                    <td className={`${cell} font-mono`}>{e.messageId}</td>
                    <td className={cell}>{e.hop}</td>
                    <td className={cell}>
                      <Badge tone={e.outcome === "failed" ? "critical" : e.outcome === "delivered" ? "low" : "medium"}>
                        {labelOf(OUTCOME_LABELS, e.outcome.toUpperCase())}
                      </Badge>
                    </td>
                    <td className={`${cell} tabular-nums`}>{e.latencyMs === null ? "—" : `${formatCount(e.latencyMs)}\u00a0ms`}</td>
                    <td className={`${cell} tabular-nums`}>{e.attempt ?? "—"}</td>
                    <td className={`${cell} font-mono`}>{e.errorCode ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </section>

      {history.transactions.map((t) => (
        <section key={t.id} aria-labelledby={`tx-${t.id}`} className="space-y-3 rounded-lg border border-border bg-surface p-4" data-transaction={t.messageId}>
          <h2 id={`tx-${t.id}`} className="flex flex-wrap items-center gap-2 text-base font-semibold">
            <Badge tone="outline" className="font-mono">
              {t.plant.code}
            </Badge>
            <span className="font-mono">{t.interface.code}</span>
            <span className="font-mono text-sm font-normal">{t.messageId}</span>
            {t.businessKey ? <span className="text-sm font-normal text-muted-foreground">business key {t.businessKey}</span> : null}
            <Badge tone={statusTone(t.status)} data-testid="transaction-status">
              {labelOf(TRANSACTION_STATUS_LABELS, t.status)}
            </Badge>
          </h2>
          <RefLinks refs={t.refs} />
          <p className="text-xs text-muted-foreground">
            first seen {at(t.firstSeenAt)} · last event {at(t.lastEventAt)} ·{" "}
            <span data-testid="transaction-delivered">
              {t.deliveredAt ? (
                <>
                  delivered {at(t.deliveredAt)}
                  {t.deliveredBy === "replay" ? " by a replay" : ""}
                </>
              ) : (
                "not delivered yet"
              )}
            </span>{" "}
            · {formatCount(t.attempts)} attempt{t.attempts === 1 ? "" : "s"} by the connector
          </p>

          <h3 className="text-sm font-semibold">Payload versions</h3>
          <ol className="space-y-2 text-xs">
            <li>
              <details>
                <summary className="cursor-pointer">
                  Version 1 — as reported by the connector
                  {t.payloadHash ? (
                    <>
                      {" "}
                      · sha256 <code>{t.payloadHash.slice(0, 16)}…</code>
                    </>
                  ) : null}
                </summary>
                <pre className="mt-1 max-h-64 overflow-auto rounded bg-muted p-2">
                  {t.payload === null ? "(no payload kept)" : JSON.stringify(t.payload, null, 2)}
                </pre>
              </details>
            </li>
            {t.exceptions
              .flatMap((e) => e.corrections)
              .map((c, i) => (
                <li key={c.id} data-correction={c.id} className="rounded border border-border p-2">
                  <p>
                    <strong>Version {i + 2}</strong> — correction written by <PersonName person={c.author} testId="correction-author" />, {at(c.createdAt)};{" "}
                    <Badge tone="outline">{labelOf(CORRECTION_STATUS_LABELS, c.status)}</Badge>
                    {c.approver ? (
                      <>
                        {" "}
                        · {c.status === "REJECTED" ? "rejected" : "approved"} by <PersonName person={c.approver} testId="correction-approver" />{" "}
                        <span data-testid="correction-decided-at">{at(c.decidedAt)}</span>
                      </>
                    ) : null}{" "}
                    · sha256 <code>{c.payloadHash.slice(0, 16)}…</code>
                  </p>
                  {c.reason ? <p className="mt-1">Reason: {c.reason}</p> : null}
                  {c.decisionComment ? <p>Decision: {c.decisionComment}</p> : null}
                  <div className="mt-1">
                    <PatchView patch={c.patch} original={t.payload} caption={`Changes of version ${i + 2}`} />
                  </div>
                </li>
              ))}
          </ol>

          {t.exceptions.length ? (
            <>
              <h3 className="text-sm font-semibold">Exceptions, replays and comments</h3>
              {t.exceptions.map((e) => (
                <div key={e.id} className="space-y-1 text-xs">
                  <p>
                    <Link href={`/exceptions/${e.id}`} className="font-mono underline underline-offset-2">
                      Exception {e.errorCode}
                    </Link>{" "}
                    {e.errorMessage} · <Badge tone="outline">{labelOf(EXCEPTION_STATUS_LABELS, e.status)}</Badge> · opened {at(e.firstSeenAt)}
                    {e.resolvedAt ? (
                      <>
                        {" "}
                        · closed {at(e.resolvedAt)}
                        {e.resolution ? ` (${labelOf(RESOLUTION_LABELS, e.resolution)})` : ""}
                      </>
                    ) : null}
                    {e.assignee ? (
                      <>
                        {" "}
                        · assigned to <PersonName person={e.assignee} />
                      </>
                    ) : null}
                  </p>
                  {e.replays.length ? (
                    <table className="w-full text-left">
                      <caption className="sr-only">Replays</caption>
                      <thead className="text-muted-foreground">
                        <tr>
                          {["Replay requested", "By", "Idempotency key", "Status", "Attempts"].map((h) => (
                            <th key={h} scope="col" className="py-1 pr-3 font-medium">
                              {h}
                            </th>
                          ))}
                        </tr>
                      </thead>
                      <tbody>
                        {e.replays.map((r) => (
                          <tr key={r.id} className="border-t border-border align-top" data-replay={r.id}>
                            <td className="py-1 pr-3 whitespace-nowrap">{at(r.createdAt)}</td>
                            <td className="py-1 pr-3">
                              <PersonName person={r.requestedBy} testId="replay-requester" />
                            </td>
                            <td className="py-1 pr-3 font-mono">{r.idempotencyKey}</td>
                            <td className="py-1 pr-3" data-testid="replay-status">
                              {labelOf(REPLAY_STATUS_LABELS, r.status)}
                              {r.finishedAt ? <> {at(r.finishedAt)}</> : null}
                            </td>
                            <td className="py-1 pr-3">
                              {r.attempts.length ? (
                                <ol className="space-y-0.5" data-testid="replay-attempts">
                                  {r.attempts.map((a) => (
                                    <li key={a.attempt}>
                                      Attempt {a.attempt}: {a.text} ({at(a.at)})
                                    </li>
                                  ))}
                                </ol>
                              ) : (
                                "—"
                              )}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : null}
                  {e.comments.map((c) => (
                    <p key={c.id} className="rounded bg-muted px-2 py-1">
                      <span className="font-medium">
                        <PersonName person={c.author} />
                      </span>{" "}
                      {at(c.at)}: <span className="whitespace-pre-wrap">{c.body}</span>
                    </p>
                  ))}
                </div>
              ))}
            </>
          ) : null}
        </section>
      ))}

      <section aria-labelledby="audit-h" className="space-y-2">
        <h2 id="audit-h" className="text-base font-semibold">
          Audit events
        </h2>
        <p className="text-xs text-muted-foreground">
          From the tamper-evident audit trail;{" "}
          <Link className="underline underline-offset-2" href={`/audit?entity=${encodeURIComponent(history.transactions[0]!.messageId)}`}>
            see them in the audit trail
          </Link>{" "}
          and verify the whole chain there.
        </p>
        {history.audit.length === 0 ? (
          <p className="text-sm text-muted-foreground">No human or system action on this message yet.</p>
        ) : (
          <section
            aria-label="Audit events of this message"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
            tabIndex={0}
            className="overflow-x-auto rounded-lg border border-border bg-surface focus-visible:outline-2 focus-visible:outline-ring"
          >
            <table className="w-full text-left text-xs">
              <caption className="sr-only">Who did what to this message, in order</caption>
              <thead className="bg-muted text-muted-foreground">
                <tr>
                  {["#", "Time", "Event", "Actor", "Details", "Hash"].map((h) => (
                    <th key={h} scope="col" className="px-3 py-2 font-medium">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {history.audit.map((a) => (
                  <tr key={a.id} className="border-t border-border align-top" data-audit-type={a.type}>
                    <td className={`${cell} tabular-nums`}>{a.id}</td>
                    <td className={`${cell} whitespace-nowrap`} data-testid="audit-time">
                      {at(a.occurredAt)}
                    </td>
                    <th scope="row" className={`${cell} text-left font-normal`}>
                      {a.typeLabel}
                    </th>
                    <td className={cell}>
                      {a.actorName}
                      {a.actorType !== "user" ? <span className="text-muted-foreground"> ({a.actorTypeLabel})</span> : null}
                    </td>
                    <td className={`${cell} text-muted-foreground`}>
                      {withKeys(
                        a.details.filter((d) => d.label !== "Message"),
                        (d) => d.label,
                      ).map(({ key, item: d }, i) => (
                        <Fragment key={key}>
                          {i ? " · " : ""}
                          <span className="text-foreground">{d.label}:</span> {d.at ? at(d.at) : d.text}
                        </Fragment>
                      ))}
                    </td>
                    <td className={`${cell} font-mono`}>{a.hash.slice(0, 12)}…</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
      </section>
    </div>
  );
}
