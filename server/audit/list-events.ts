import { z } from "zod";
import { type DbClient, type Prisma, db } from "../db";
import { forbidden } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";
import { AUDIT_EVENT_LABELS, type AuditEventType, auditEventSchemas } from "./events";

export const AUDIT_TYPES = Object.keys(auditEventSchemas) as AuditEventType[];

/** A time bound PostgreSQL can hold: ISO 8601 allows year 0000, a PostgreSQL timestamp does not (the export would fail mid-stream). */
const instant = z.iso.datetime({ offset: true }).refine((s) => new Date(s).getUTCFullYear() >= 1, "must be in year 1 or later");

/** Filters of the trail: event type, actor (label prefix, e.g. an e-mail), entity ("exception" or "exception:<id>"), plant code, time. */
export const auditFilterSchema = z.object({
  type: z.enum(AUDIT_TYPES as [AuditEventType, ...AuditEventType[]]).optional(),
  actor: z.string().trim().min(1).max(200).optional(),
  entity: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[a-z_]+(:[^\s]+)?$/, "entity is <type> or <type>:<id>, e.g. exception:0b5…")
    .optional(),
  plant: z.string().trim().min(1).max(40).optional(),
  from: instant.optional(),
  to: instant.optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** The page is forgiving (a bad filter is dropped and shown as such); the export API is strict. */
export const auditQuerySchema = z.object({
  type: auditFilterSchema.shape.type.catch(undefined),
  actor: auditFilterSchema.shape.actor.catch(undefined),
  entity: auditFilterSchema.shape.entity.catch(undefined),
  plant: auditFilterSchema.shape.plant.catch(undefined),
  from: auditFilterSchema.shape.from.catch(undefined),
  to: auditFilterSchema.shape.to.catch(undefined),
  before: z.coerce.bigint().positive().optional().catch(undefined),
  limit: z.coerce.number().int().min(1).max(200).default(50).catch(50),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;
export const exportQuerySchema = auditFilterSchema.extend({ format: z.enum(["ndjson", "csv"]).default("ndjson") }).strict();

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

async function filterWhere(f: AuditFilter, client: DbClient): Promise<Prisma.AuditEventWhereInput> {
  const where: Prisma.AuditEventWhereInput = {};
  if (f.type) where.type = f.type;
  if (f.actor) where.actorLabel = { startsWith: f.actor };
  if (f.entity) {
    const [type, ...id] = f.entity.split(":");
    where.subjectType = type;
    if (id.length) where.subjectId = id.join(":");
  }
  if (f.plant)
    where.plantId = (await client.plant.findUnique({ where: { code: f.plant }, select: { id: true } }))?.id ?? "00000000-0000-0000-0000-000000000000";
  if (f.from || f.to) where.occurredAt = { ...(f.from ? { gte: new Date(f.from) } : {}), ...(f.to ? { lt: new Date(f.to) } : {}) };
  return where;
}

/** Newest first, keyset-paginated by id (stable under concurrent appends). */
export async function listAuditEvents(user: Principal, query: AuditQuery, client: DbClient = db()) {
  if (!can(user, "audit.read")) throw forbidden("Only auditors and administrators can read the audit trail");
  const rows = await client.auditEvent.findMany({
    where: { AND: [auditWhere(user), await filterWhere(query, client), query.before ? { id: { lt: query.before } } : {}] },
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
export async function* exportAuditEvents(user: Principal, filter: AuditFilter = {}, client: DbClient = db(), batchSize = 1000) {
  if (!can(user, "audit.export")) throw forbidden("Only auditors can export the audit trail");
  const where = await filterWhere(filter, client);
  let cursor: bigint | undefined;
  for (;;) {
    const rows = await client.auditEvent.findMany({
      where: { AND: [auditWhere(user), where, cursor ? { id: { gt: cursor } } : {}] },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    for (const r of rows) yield { ...r, id: r.id.toString(), occurredAt: r.occurredAt.toISOString() };
    if (rows.length < batchSize) return;
    cursor = rows.at(-1)!.id;
  }
}

const CSV_COLUMNS = [
  "id",
  "occurredAt",
  "type",
  "actorType",
  "actorId",
  "actorLabel",
  "plantId",
  "subjectType",
  "subjectId",
  "data",
  "prevHash",
  "hash",
] as const;

/** One CSV field: quoted when needed; a leading = + - @ is neutralised so spreadsheets never run it as a formula. */
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
export const csvHeader = () => `${CSV_COLUMNS.join(",")}\r\n`;
export const csvRow = (r: Record<string, unknown>) => `${CSV_COLUMNS.map((c) => csvField(r[c])).join(",")}\r\n`;
