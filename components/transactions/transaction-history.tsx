import Link from "next/link";
import { PatchView } from "@/components/corrections/patch-view";
import { Badge } from "@/components/ui/badge";
import { withKeys } from "@/lib/utils";
import type { TransactionHistory } from "@/server/transactions/history";

/**
 * One business message for auditors: its path across systems, every payload version with its diff,
 * who corrected, approved and replayed it and when, comments, and the audit events behind it (with
 * their chain hashes). Read-only; times in each plant's timezone.
 */
export function TransactionHistoryView({ history }: { history: TransactionHistory }) {
  const tz = history.transactions[0]!.plant.timezone;
  const fmt = (iso: string | null) =>
    iso ? new Intl.DateTimeFormat("en-GB", { timeZone: tz, dateStyle: "medium", timeStyle: "medium" }).format(new Date(iso)) : "—";
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
          Plant <strong data-testid="history-plant">{history.plantCode}</strong> · times in {tz}.
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
        {history.timeline.length === 0 ? (
          <p className="text-sm text-muted-foreground">No hops recorded.</p>
        ) : (
          <section
            aria-label="Hops of this message"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
            tabIndex={0}
            className="overflow-x-auto rounded-lg border border-border bg-surface focus-visible:outline-2 focus-visible:outline-ring"
          >
            <table className="w-full text-left text-xs">
              <caption className="sr-only">Every hop of this message, in time order</caption>
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
                {withKeys(history.timeline, (e) => `${e.transactionId} ${e.hop} ${e.at} ${e.attempt ?? ""} ${e.outcome}`).map(({ key, item: e }) => (
                  <tr key={key} className="border-t border-border">
                    <td className={`${cell} tabular-nums`}>{fmt(e.at)}</td>
                    <td className={`${cell} font-mono`}>{e.plantCode}</td>
                    <td className={`${cell} font-mono`}>{e.interfaceCode}</td>
                    <td className={`${cell} font-mono`}>{e.messageId}</td>
                    <td className={cell}>
                      {e.source} → {e.target}
                    </td>
                    <td className={cell}>
                      <Badge tone={e.outcome === "failed" ? "critical" : e.outcome === "delivered" ? "low" : "medium"}>{e.outcome}</Badge>
                    </td>
                    <td className={`${cell} tabular-nums`}>{e.latencyMs === null ? "—" : `${e.latencyMs} ms`}</td>
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
            <Badge tone={t.status === "FAILED" ? "critical" : t.status === "DELIVERED" ? "low" : "medium"}>{t.status.toLowerCase()}</Badge>
          </h2>
          <p className="text-xs text-muted-foreground">
            first seen {fmt(t.firstSeenAt)} · last event {fmt(t.lastEventAt)} · delivered {fmt(t.deliveredAt)} · {t.attempts} attempt(s)
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
                    <strong>Version {i + 2}</strong> — correction by <span data-testid="correction-author">{c.author}</span>, {fmt(c.createdAt)};{" "}
                    <Badge tone="outline">{c.status.toLowerCase()}</Badge>
                    {c.approver ? (
                      <>
                        {" "}
                        · {c.status === "REJECTED" ? "rejected" : "approved"} by <span data-testid="correction-approver">{c.approver}</span> {fmt(c.decidedAt)}
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
                    <Link href={`/exceptions/${e.id}`} className="font-mono hover:underline">
                      {e.errorCode}
                    </Link>{" "}
                    {e.errorMessage} · <Badge tone="outline">{e.status.toLowerCase()}</Badge> · opened {fmt(e.firstSeenAt)}
                    {e.resolvedAt ? ` · closed ${fmt(e.resolvedAt)}${e.resolution ? ` (${e.resolution})` : ""}` : ""}
                    {e.assignee ? ` · assigned to ${e.assignee}` : ""}
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
                          <tr key={r.id} className="border-t border-border" data-replay={r.id}>
                            <td className="py-1 pr-3">{fmt(r.createdAt)}</td>
                            <td className="py-1 pr-3" data-testid="replay-requester">
                              {r.requestedBy}
                            </td>
                            <td className="py-1 pr-3 font-mono">{r.idempotencyKey}</td>
                            <td className="py-1 pr-3">
                              {r.status.toLowerCase()}
                              {r.finishedAt ? ` ${fmt(r.finishedAt)}` : ""}
                            </td>
                            <td className="py-1 pr-3">
                              {r.attempts
                                .map(
                                  (a) =>
                                    `#${a.attempt} ${a.outcome.toLowerCase()}${a.httpStatus ? ` (HTTP ${a.httpStatus})` : ""}${a.error ? ` ${a.error}` : ""}`,
                                )
                                .join("; ") || "—"}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  ) : null}
                  {e.comments.map((c) => (
                    <p key={c.id} className="rounded bg-muted px-2 py-1">
                      <span className="font-medium">{c.author}</span> {fmt(c.at)}: <span className="whitespace-pre-wrap">{c.body}</span>
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
        <p className="text-xs text-muted-foreground">From the tamper-evident audit trail; verify the whole chain on the Audit trail page.</p>
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
                  {["#", "Time", "Event", "Actor", "Hash"].map((h) => (
                    <th key={h} scope="col" className="px-3 py-2 font-medium">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {history.audit.map((a) => (
                  <tr key={a.id} className="border-t border-border" data-audit-type={a.type}>
                    <td className={`${cell} tabular-nums`}>{a.id}</td>
                    <td className={`${cell} tabular-nums`}>{fmt(a.at)}</td>
                    <th scope="row" className={`${cell} text-left font-normal`}>
                      {a.label}
                    </th>
                    <td className={cell}>
                      {a.actor} <span className="text-muted-foreground">({a.actorType})</span>
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
