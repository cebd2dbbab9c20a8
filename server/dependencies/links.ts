import type { PoolClient } from "pg";
import type { DbClient } from "../db";
import { CLOSED_STATUSES } from "../exceptions/lifecycle";

/**
 * Which open exceptions wait on which (one set-based query, index business_ref (kind, value, plant_id)).
 * An exception X is blocked by an exception P when P is open, at X's plant, on an interface that the
 * catalog names as a prerequisite of X's interface (enabled) for a business object kind, and P's message
 * and X's message carry the same object of that kind (business_ref: same kind and value; qualifiers —
 * a BOM's revision, an order's operation, a PO's line — must agree when both messages carry one).
 * X must be open too: a closed exception waits on nothing.
 *
 * direction "blockedBy": the rows of the given exceptions' blockers; "blocks": of their dependents.
 */
export type Link = {
  /** The exception asked about. */
  exceptionId: string;
  /** The blocker (blockedBy) or the dependent (blocks). */
  otherId: string;
  interfaceCode: string;
  status: string;
  errorCode: string;
  messageId: string;
  firstSeenAt: Date;
  refKind: string;
  value: string;
};

const CLOSED = CLOSED_STATUSES.map((s) => `'${s}'`).join(", ");

function sql(direction: "blockedBy" | "blocks", askedJustClosed = false): string {
  const [asked, other] = direction === "blockedBy" ? ["x", "p"] : ["p", "x"];
  // A prerequisite resolved in the caller's transaction still names the dependents it blocked until then.
  const pOpen = askedJustClosed && asked === "p" ? "" : `AND p.status NOT IN (${CLOSED})`;
  return `SELECT DISTINCT ON (${asked}.id, ${other}.id) ${asked}.id AS "exceptionId", ${other}.id AS "otherId", oi.code AS "interfaceCode",
            ${other}.status::text AS status, ${other}.error_code AS "errorCode", ot.message_id AS "messageId", ${other}.first_seen_at AS "firstSeenAt",
            rx.kind::text AS "refKind", rx.value
     FROM exception x
     JOIN business_ref rx ON rx.transaction_id = x.transaction_id
     JOIN interface_dependency d ON d.dependent_interface_id = x.interface_id AND d.ref_kind = rx.kind AND d.enabled
     JOIN business_ref rp ON rp.kind = rx.kind AND rp.value = rx.value AND rp.plant_id = x.plant_id AND rp.interface_id = d.prerequisite_interface_id
                          AND (rp.qualifier = '' OR rx.qualifier = '' OR rp.qualifier = rx.qualifier)
     JOIN exception p ON p.transaction_id = rp.transaction_id AND p.plant_id = x.plant_id ${pOpen}
     JOIN interface oi ON oi.id = ${other}.interface_id
     JOIN business_transaction ot ON ot.id = ${other}.transaction_id
     WHERE ${asked}.id = ANY($1::uuid[]) AND x.status NOT IN (${CLOSED})
     ORDER BY ${asked}.id, ${other}.id, rx.kind, rx.value`;
}

export async function linksOf(client: DbClient, ids: readonly string[], direction: "blockedBy" | "blocks"): Promise<Link[]> {
  if (ids.length === 0) return [];
  return client.$queryRawUnsafe<Link[]>(sql(direction), [...ids]);
}

/** On a raw pg client (the replay settle and ingest paths); `askedJustClosed`: the asked prerequisites were resolved in this transaction. */
export async function linksWithPg(client: PoolClient, ids: readonly string[], direction: "blockedBy" | "blocks", askedJustClosed = false): Promise<Link[]> {
  if (ids.length === 0) return [];
  return (await client.query<Link>(sql(direction, askedJustClosed), [[...ids]])).rows;
}

/** The same link for several shared objects, once per other exception (with every object they share). */
export function byOther(
  links: Link[],
): { id: string; interfaceCode: string; status: string; errorCode: string; messageId: string; firstSeenAt: string; refs: { kind: string; value: string }[] }[] {
  const out = new Map<string, ReturnType<typeof byOther>[number]>();
  for (const l of links) {
    const o = out.get(l.otherId) ?? {
      id: l.otherId,
      interfaceCode: l.interfaceCode,
      status: l.status,
      errorCode: l.errorCode,
      messageId: l.messageId,
      firstSeenAt: new Date(l.firstSeenAt).toISOString(),
      refs: [],
    };
    if (!o.refs.some((r) => r.kind === l.refKind && r.value === l.value)) o.refs.push({ kind: l.refKind, value: l.value });
    out.set(l.otherId, o);
  }
  return [...out.values()].sort((a, b) => a.firstSeenAt.localeCompare(b.firstSeenAt) || a.id.localeCompare(b.id));
}
