import Link from "next/link";
import { ListTime } from "@/components/audit/list-time";
import { Badge } from "@/components/ui/badge";
import { EXCEPTION_STATUS_LABELS, labelOf, OUTCOME_LABELS, REF_KIND_LABELS, SYSTEM_LABELS, TRANSACTION_STATUS_LABELS } from "@/lib/labels";
import { AUDIT_EVENT_LABELS } from "@/server/audit/events";
import type { Trace, TraceRow } from "@/server/trace/trace-object";
import { TraceSearch } from "./trace-search";

const statusTone = (s: string) => (s === "FAILED" ? "critical" : s === "DELIVERED" ? "low" : "medium");

function what(r: TraceRow): string {
  if (r.source === "audit") return labelOf(AUDIT_EVENT_LABELS, r.event);
  const [from = "", to = ""] = (r.hop ?? "").split(">");
  return `${labelOf(OUTCOME_LABELS, r.event.toUpperCase())}: ${labelOf(SYSTEM_LABELS, from)} → ${labelOf(SYSTEM_LABELS, to)}${r.attempt && r.attempt > 1 ? ` (attempt ${r.attempt})` : ""}`;
}

/**
 * One business object's traceability: the messages that named it (plant, interface, status, exceptions), then
 * the chain — every hop and every audit event of their exceptions — oldest first, each linked to the message or
 * the exception. The export links download exactly the chain's rows.
 */
export function TraceView({ trace }: { trace: Trace }) {
  const label = labelOf(REF_KIND_LABELS, trace.refKind);
  const api = `/api/trace/${trace.kind}/${encodeURIComponent(trace.value)}`;
  const zoneOf = new Map(trace.messages.map((m) => [m.transactionId, m.timezone]));
  const plants = [...new Set(trace.messages.map((m) => m.plantCode))];
  const systems = [...new Set(trace.rows.flatMap((r) => (r.hop ? r.hop.split(">") : [])))];
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-lg font-semibold">
          {label} <span className="font-mono">{trace.value}</span>
        </h1>
        <p className="flex gap-3 text-sm">
          <a href={`${api}?format=csv`} className="underline-offset-2 hover:underline" download>
            Export CSV
          </a>
          <a href={`${api}?format=ndjson`} className="underline-offset-2 hover:underline" download>
            Export NDJSON
          </a>
        </p>
      </div>
      <p className="text-sm text-muted-foreground" data-testid="trace-summary">
        {trace.messages.length} message{trace.messages.length === 1 ? "" : "s"} in {plants.join(", ")} across{" "}
        {systems.map((s) => labelOf(SYSTEM_LABELS, s)).join(", ") || "no reported hop"}; {trace.rows.length} event{trace.rows.length === 1 ? "" : "s"} in the
        chain.
        {trace.truncated ? " More than listed: the oldest are shown; narrow the search or use the export of a message." : ""}
      </p>
      <TraceSearch kind={trace.kind} value={trace.value} />

      <section
        aria-label="Messages"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
        tabIndex={0}
        className="overflow-x-auto rounded-lg border border-border bg-surface focus-visible:outline-2 focus-visible:outline-ring"
      >
        <table className="w-full text-left text-xs">
          <caption className="px-3 py-2 text-left text-sm font-semibold">Messages that named {trace.value}</caption>
          <thead className="bg-muted text-muted-foreground">
            <tr>
              {["First seen", "Plant", "Interface", "Message", "Status", "Exceptions"].map((h) => (
                <th key={h} scope="col" className="px-3 py-2 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {trace.messages.map((m) => (
              <tr key={m.transactionId} className="border-t border-border" data-message={m.messageId}>
                <td className="px-3 py-1.5">
                  <ListTime iso={m.firstSeenAt} plantZone={m.timezone} />
                </td>
                <td className="px-3 py-1.5 font-mono">{m.plantCode}</td>
                <td className="px-3 py-1.5 font-mono">
                  {m.interfaceCode}
                  {m.qualifiers.length ? <span className="text-muted-foreground"> ({m.qualifiers.join(", ")})</span> : null}
                </td>
                <th scope="row" className="px-3 py-1.5 text-left font-normal">
                  <Link href={m.href} className="font-mono hover:underline">
                    {m.messageId}
                  </Link>
                  {m.businessKey ? <span className="text-muted-foreground"> · {m.businessKey}</span> : null}
                </th>
                <td className="px-3 py-1.5">
                  <Badge tone={statusTone(m.status)}>{labelOf(TRANSACTION_STATUS_LABELS, m.status)}</Badge>
                </td>
                <td className="px-3 py-1.5">
                  {m.exceptions.length === 0
                    ? "—"
                    : m.exceptions.map((e) => (
                        <Link key={e.id} href={`/exceptions/${e.id}`} className="mr-2 inline-block hover:underline">
                          <span className="font-mono">{e.errorCode}</span> ({labelOf(EXCEPTION_STATUS_LABELS, e.status).toLowerCase()})
                        </Link>
                      ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section
        aria-label="Chain of events"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: scrollable region must be keyboard-reachable (axe scrollable-region-focusable)
        tabIndex={0}
        className="overflow-x-auto rounded-lg border border-border bg-surface focus-visible:outline-2 focus-visible:outline-ring"
      >
        <table className="w-full text-left text-xs" data-testid="trace-chain">
          <caption className="px-3 py-2 text-left text-sm font-semibold">
            Chain of events, oldest first (times in your zone, with the plant&apos;s where it differs)
          </caption>
          <thead className="bg-muted text-muted-foreground">
            <tr>
              {["When", "Plant", "Interface", "Message", "What", "Who", "Details"].map((h) => (
                <th key={h} scope="col" className="px-3 py-2 font-medium">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {trace.rows.map((r, i) => (
              <tr
                // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id of their own (a hop can repeat at the same instant); the list is static
                key={i}
                className="border-t border-border align-top"
                data-source={r.source}
                data-event={r.event}
              >
                <td className="px-3 py-1.5">
                  <ListTime iso={r.occurredAtUtc} plantZone={zoneOf.get(r.transactionId)} />
                </td>
                <td className="px-3 py-1.5 font-mono">{r.plantCode}</td>
                <td className="px-3 py-1.5 font-mono">{r.interfaceCode}</td>
                <td className="px-3 py-1.5 font-mono">{r.messageId}</td>
                <th scope="row" className="px-3 py-1.5 text-left font-normal">
                  <Link href={r.href} className="hover:underline">
                    {what(r)}
                  </Link>
                </th>
                <td className="px-3 py-1.5">{r.actor ?? "—"}</td>
                <td className="max-w-md px-3 py-1.5 break-words">{r.detail || "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
