import { z } from "zod";
import { type DbClient, db } from "../db";
import { forbidden } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";
import { AUDIT_EVENT_LABELS, type AuditEventType, auditEventSchemas } from "./events";

export const AUDIT_TYPES = Object.keys(auditEventSchemas) as AuditEventType[];

export const auditQuerySchema = z.object({
  type: z.enum(AUDIT_TYPES as [AuditEventType, ...AuditEventType[]]).optional().catch(undefined),
  before: z.coerce.bigint().positive().optional().catch(undefined),
  limit: z.coerce.number().int().min(1).max(200).default(50).catch(50),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export type AuditRow = {
  id: string;
  occurredAt: string;
  type: string;
  typeLabel: string;
  actorType: string;
  actorLabel: string;
  plantCode: string | null;
  subject: string | null;
  data: unknown;
  hash: string;
  prevHash: string;
};

/** Where-clause for audit rows a user may read: rows of their plants plus plant-less rows. */
function auditWhere(user: Principal) {
  const scope = plantScope(user);
  return scope.plantId ? { OR: [{ plantId: null }, scope] } : {};
}

/** Newest first, keyset-paginated by id (stable under concurrent appends). */
export async function listAuditEvents(user: Principal, query: AuditQuery, client: DbClient = db()) {
  if (!can(user, "audit.read")) throw forbidden("Only auditors and administrators can read the audit trail");
  const rows = await client.auditEvent.findMany({
    where: { ...auditWhere(user), ...(query.type ? { type: query.type } : {}), ...(query.before ? { id: { lt: query.before } } : {}) },
    orderBy: { id: "desc" },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const plantIds = [...new Set(page.map((r) => r.plantId).filter((x): x is string => !!x))];
  const plants = plantIds.length ? await client.plant.findMany({ where: { id: { in: plantIds } }, select: { id: true, code: true } }) : [];
  const codes = new Map(plants.map((p) => [p.id, p.code]));
  const events: AuditRow[] = page.map((r) => ({
    id: r.id.toString(),
    occurredAt: r.occurredAt.toISOString(),
    type: r.type,
    typeLabel: AUDIT_EVENT_LABELS[r.type as AuditEventType] ?? r.type,
    actorType: r.actorType,
    actorLabel: r.actorLabel,
    plantCode: r.plantId ? (codes.get(r.plantId) ?? null) : null,
    subject: r.subjectType ? `${r.subjectType}:${r.subjectId}` : null,
    data: r.data,
    hash: r.hash,
    prevHash: r.prevHash,
  }));
  return { events, nextBefore: rows.length > query.limit ? page.at(-1)!.id.toString() : null };
}

/** Every row, oldest first, in batches: for export (NDJSON carries hashes so the chain can be re-verified offline). */
export async function* exportAuditEvents(user: Principal, client: DbClient = db(), batchSize = 1000) {
  if (!can(user, "audit.export")) throw forbidden("Only auditors can export the audit trail");
  let cursor: bigint | undefined;
  for (;;) {
    const rows = await client.auditEvent.findMany({
      where: { ...auditWhere(user), ...(cursor ? { id: { gt: cursor } } : {}) },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    for (const r of rows) yield { ...r, id: r.id.toString(), occurredAt: r.occurredAt.toISOString() };
    if (rows.length < batchSize) return;
    cursor = rows.at(-1)!.id;
  }
}
