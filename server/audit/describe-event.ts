import {
  AUDIT_REASON_LABELS,
  BULK_KIND_LABELS,
  CATEGORY_LABELS,
  EXCEPTION_STATUS_LABELS,
  humanize,
  labelOf,
  REPLAY_MODE_LABELS,
  RESOLUTION_LABELS,
  SEVERITY_LABELS,
} from "../../lib/labels";
import { ROLE_LABELS } from "../../lib/rules";
import type { DbClient } from "../db";

/**
 * What an audit event's data says, for people: names instead of user ids, labels instead of codes,
 * status moves as "Approved → Replay queued", instants as instants (the page writes them in the right
 * zone). The stored data is untouched (exports and the chain keep it as written); this is the reading.
 */
export type AuditDetail = { label: string; text?: string; at?: string; href?: string };
export type Person = { id: string; name: string; email: string };
export type People = { byId: Map<string, Person>; byEmail: Map<string, Person> };

/** Keys whose value is a user id. */
const PERSON_ID_KEYS: Record<string, string> = {
  authorId: "Author",
  approverId: "Approver",
  requestedById: "Requested by",
  assigneeId: "Assignee",
  userId: "User",
};
/** Keys whose value is a user's e-mail (assignments record who, by e-mail). */
const PERSON_EMAIL_KEYS = new Set(["from", "to"]);
/** Internal references: the row's links and the export carry them; a person reading the trail does not need them. */
const HIDDEN = new Set([
  "correctionId",
  "replayId",
  "replayRequestId",
  "commentId",
  "bulkId",
  "connectorId",
  "interfaceId",
  "alertId",
  "ruleId",
  "webhookId",
  "transactionId",
  "idempotencyKey",
  "schemaHash",
  "transactionIdsHash",
  "firstTransactionId",
  "lastTransactionId",
  "selection",
  "statusFrom",
  "statusTo",
  "message",
  "code",
  "before",
  "after",
  "ok",
  "checked",
  "brokenAtId",
  "kind",
  "total",
  "done",
  "skipped",
  "failed",
  "interfaceCode",
  "messageId",
]);
const SCALAR_LABELS: Record<string, string> = {
  startsAt: "Starts",
  endsAt: "Ends",
  errorCode: "Error code",
  occurrences: "Occurrences",
  added: "New occurrences",
  attempts: "Attempts",
  comment: "Comment",
  excerpt: "Comment",
  secondReplayReason: "Reason for sending it again",
  email: "E-mail",
  ip: "IP address",
  connectorName: "Connector",
  keyHint: "Key",
  revokedKeyHint: "Revoked key",
  url: "Address",
  ruleName: "Rule",
  subject: "About",
  value: "Value",
  note: "Note",
  version: "Schema version",
  previousVersion: "Previous version",
  telemetryDays: "Telemetry kept (days)",
  payloadDays: "Payloads kept (days)",
  partitionsDropped: "Partitions dropped",
  payloadsRedacted: "Payloads redacted",
  count: "Count",
  plantCode: "Plant",
  detail: "Detail",
  body: "Text",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Every user id and e-mail an event's data names (to load their names in one query per page). */
export function peopleIn(data: unknown, into: { ids: Set<string>; emails: Set<string> }, actorId?: string | null): void {
  if (actorId && UUID.test(actorId)) into.ids.add(actorId);
  if (!data || typeof data !== "object" || Array.isArray(data)) return;
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (k in PERSON_ID_KEYS && typeof v === "string" && UUID.test(v)) into.ids.add(v);
    else if (PERSON_EMAIL_KEYS.has(k) && typeof v === "string" && v.includes("@")) into.emails.add(v);
    else if (k === "params") peopleIn(v, into);
  }
}

export async function loadPeople(client: DbClient, want: { ids: Set<string>; emails: Set<string> }): Promise<People> {
  const rows =
    want.ids.size || want.emails.size
      ? await client.user.findMany({
          where: { OR: [{ id: { in: [...want.ids] } }, { email: { in: [...want.emails] } }] },
          select: { id: true, name: true, email: true },
        })
      : [];
  return { byId: new Map(rows.map((u) => [u.id, u])), byEmail: new Map(rows.map((u) => [u.email, u])) };
}

/** "Anna Approver", or what the event recorded when no such user exists (any more). */
export function personName(people: People, idOrEmail: string | null | undefined, fallback = "someone no longer known"): string {
  if (!idOrEmail) return "nobody";
  const p = people.byId.get(idOrEmail) ?? people.byEmail.get(idOrEmail);
  if (p) return p.name;
  return UUID.test(idOrEmail) ? fallback : idOrEmail;
}

const status = (code: unknown) => labelOf(EXCEPTION_STATUS_LABELS, typeof code === "string" ? code : null);
const reason = (code: string) => AUDIT_REASON_LABELS[code] ?? code;
const shortHash = (h: string) => `sha256 ${h.slice(0, 12)}…`;

function scalar(v: unknown): string | null {
  if (v === null || v === undefined || v === "") return null;
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "number") return new Intl.NumberFormat("en-GB").format(v);
  if (typeof v === "string") return UUID.test(v) ? null : v;
  if (Array.isArray(v)) return v.map(scalar).filter(Boolean).join(", ") || null;
  return null;
}

/** What changed between two records of fields: "name: a → b; role: Approver → Auditor". */
function changes(before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null | undefined): string | null {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const show = (k: string, v: unknown) => (k === "role" && typeof v === "string" ? labelOf(ROLE_LABELS, v) : (scalar(v) ?? (v === null ? "none" : "…")));
  const parts = keys
    .filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]))
    .map((k) =>
      before ? `${humanize(k).toLowerCase()}: ${show(k, before[k])} → ${show(k, after?.[k])}` : `${humanize(k).toLowerCase()}: ${show(k, after?.[k])}`,
    );
  return parts.length ? parts.join("; ") : null;
}

/** The details of one event, in reading order. `messageHref` links the message the event is about, when known. */
export function describeEvent(type: string, data: unknown, people: People, opts: { messageHref?: string | null } = {}): AuditDetail[] {
  if (!data || typeof data !== "object" || Array.isArray(data)) return [];
  const d = data as Record<string, unknown>;
  const out: AuditDetail[] = [];
  const add = (label: string, text: string | null | undefined, href?: string | null) => {
    if (text) out.push({ label, text, ...(href ? { href } : {}) });
  };

  if (typeof d.messageId === "string") add("Message", `${typeof d.interfaceCode === "string" ? `${d.interfaceCode} ` : ""}${d.messageId}`, opts.messageHref);
  if (typeof d.statusFrom === "string" || typeof d.statusTo === "string")
    add("Status", typeof d.statusFrom === "string" ? `${status(d.statusFrom)} → ${status(d.statusTo ?? d.statusFrom)}` : status(d.statusTo));
  if (typeof d.status === "string") add("Status", status(d.status));
  if (type.endsWith(".assigned") && ("from" in d || "to" in d))
    add("Assigned", `${personName(people, d.from as string | null)} → ${personName(people, d.to as string | null)}`);
  if (typeof d.code === "string" || typeof d.message === "string") {
    const message = typeof d.message === "string" ? d.message : null;
    const code = typeof d.code === "string" ? d.code : null;
    if (type.startsWith("interface.") || type.startsWith("alert")) add(type.startsWith("interface.") ? "Interface" : "Alert", code ?? message);
    else add("Error", message && code ? `${message} (${code})` : (message ?? code));
  }
  if (d.before !== undefined || d.after !== undefined)
    add(d.before === null ? "Created with" : "Changed", changes(d.before as Record<string, unknown> | null, d.after as Record<string, unknown>));
  if (typeof d.ok === "boolean")
    add(
      "Result",
      d.ok ? `chain intact, ${scalar(d.checked)} events verified` : `chain broken at event #${String(d.brokenAtId)} after ${scalar(d.checked)} good events`,
    );
  if (typeof d.kind === "string" && typeof d.total === "number")
    add(
      "Bulk action",
      `${labelOf(BULK_KIND_LABELS, d.kind)}: ${scalar(d.total)} selected, ${scalar(d.done)} done, ${scalar(d.skipped)} skipped, ${scalar(d.failed)} failed`,
    );

  for (const [k, v] of Object.entries(d)) {
    if (HIDDEN.has(k) || v === undefined) continue;
    if (k in PERSON_ID_KEYS) {
      if (typeof v === "string") add(PERSON_ID_KEYS[k]!, personName(people, v));
    } else if (k === "reason") {
      if (typeof v === "string") add("Reason", reason(v));
    } else if (k === "why") {
      if (typeof v === "string") add("Why", reason(v));
    } else if (k === "resolution") {
      if (typeof v === "string") add("Resolution", labelOf(RESOLUTION_LABELS, v));
    } else if (k === "category") {
      if (typeof v === "string") add("Category", labelOf(CATEGORY_LABELS, v.toUpperCase()));
    } else if (k === "severity") {
      if (typeof v === "string") add("Severity", labelOf(SEVERITY_LABELS, v.toUpperCase()));
    } else if (k === "mode") {
      if (typeof v === "string") add("Delivery", labelOf(REPLAY_MODE_LABELS, v));
    } else if (k === "asIs") {
      add("Payload sent", v ? "the original payload" : "the approved correction");
    } else if (k === "second") {
      if (v) add("Second delivery", "yes (the message had been delivered before)");
    } else if (k === "deliveredBeforeBy") {
      add("Delivered before", "yes, by an earlier replay (this is a second delivery)");
    } else if (k === "refusedBefore") {
      add("Refused before", "yes: the target refused this exact payload in an earlier replay");
    } else if (k === "schemaValid") {
      add("Schema", v ? "valid" : "not valid");
    } else if (k === "payloadHash") {
      if (typeof v === "string") add("Payload", shortHash(v));
    } else if (k === "patch") {
      const paths = Array.isArray(v) ? v.map((op) => (op && typeof op === "object" ? String((op as { path?: unknown }).path ?? "") : "")).filter(Boolean) : [];
      add("Changes", paths.length ? `${paths.length} field(s): ${paths.slice(0, 3).join(", ")}${paths.length > 3 ? ", …" : ""}` : "none");
    } else if (k === "deliveredAt" || k === "settledBefore") {
      if (typeof v === "string") out.push({ label: k === "deliveredAt" ? "Delivered" : "Settled before", at: v });
    } else if (k === "params") {
      if (v && typeof v === "object") {
        const p = v as Record<string, unknown>;
        for (const [pk, pv] of Object.entries(p)) {
          if (pk in PERSON_ID_KEYS && typeof pv === "string") add(PERSON_ID_KEYS[pk]!, personName(people, pv));
          else if (pk === "reason" && typeof pv === "string") add("Reason", reason(pv));
          else if (!HIDDEN.has(pk)) add(SCALAR_LABELS[pk] ?? humanize(pk), scalar(pv));
        }
      }
    } else if (k === "partitions") {
      if (Array.isArray(v)) add("Partitions", `${v.length}`);
    } else if (k === "before" || k === "after" || k === "from" || k === "to") {
      // handled above
    } else {
      add(SCALAR_LABELS[k] ?? humanize(k), scalar(v));
    }
  }
  return out;
}
