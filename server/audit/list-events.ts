import { z } from "zod";
import { labelOf, ACTOR_TYPE_LABELS } from "../../lib/labels";
import { type DbClient, type Prisma, db } from "../db";
import { AppError, forbidden } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";
import { type AuditDetail, describeEvent, loadPeople, type People, peopleIn } from "./describe-event";
import { AUDIT_EVENT_LABELS, type AuditEventType, auditEventSchemas } from "./events";

export const AUDIT_TYPES = Object.keys(auditEventSchemas) as AuditEventType[];

/** The kinds of object audit events are about (their subject type). */
export const AUDIT_SUBJECT_TYPES = [
  "exception",
  "plant",
  "connector",
  "interface",
  "user",
  "alert",
  "alert_rule",
  "alert_webhook",
  "bulk_operation",
  "retention_policy",
] as const;
const SUBJECT_TYPES = new Set<string>(AUDIT_SUBJECT_TYPES);

/** A time bound PostgreSQL can hold: ISO 8601 allows year 0000, a PostgreSQL timestamp does not (the export would fail mid-stream). */
const instant = z.iso.datetime({ offset: true }).refine((s) => new Date(s).getUTCFullYear() >= 1, "must be in year 1 or later");

/** What the Entity filter takes, for messages that say so. */
export const ENTITY_HELP =
  "a business key, a message id or a correlation id (the events of that message's exceptions), an exception or transaction id, or an entity type (exception, plant, connector, user, …) optionally followed by :<id>";

/**
 * Filters of the trail: event type, actor (start of an e-mail or a name), entity (see ENTITY_HELP; an unknown
 * one is refused, never ignored), plant code, time.
 */
export const auditFilterSchema = z.object({
  type: z.enum(AUDIT_TYPES as [AuditEventType, ...AuditEventType[]]).optional(),
  actor: z.string().trim().min(1).max(200).optional(),
  entity: z
    .string()
    .trim()
    .min(1)
    .max(200)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
    .regex(/^[^\u0000-\u001f\u007f]+$/, `entity is ${ENTITY_HELP}`)
    .optional(),
  plant: z.string().trim().min(1).max(40).optional(),
  from: instant.optional(),
  to: instant.optional(),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

/** The page is forgiving about malformed values (dropped, and the page says which: parseAuditPage); the export API is strict. */
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

const FILTER_NAMES = { type: "Event type", actor: "Actor", entity: "Entity", plant: "Plant", from: "From", to: "To" } as const;

/**
 * The page's query: malformed filters are dropped and listed (`ignored`), except the entity: a malformed
 * one is `refused` (the page then lists nothing rather than everything), as is one that names nothing
 * (listAuditEvents answers 400 for that).
 */
export function parseAuditPage(params: Record<string, string | string[] | undefined>): {
  query: AuditQuery;
  ignored: { filter: string; message: string }[];
  refused: string | null;
} {
  const query = auditQuerySchema.parse(params);
  const ignored: { filter: string; message: string }[] = [];
  let refused: string | null = null;
  for (const [key, name] of Object.entries(FILTER_NAMES) as [keyof typeof FILTER_NAMES, string][]) {
    const raw = params[key];
    if (raw === undefined || raw === "" || query[key] !== undefined) continue;
    const parsed = auditFilterSchema.shape[key].safeParse(Array.isArray(raw) ? raw.join(",") : raw);
    const message = parsed.success ? "not a single value" : (parsed.error.issues[0]?.message ?? "not valid");
    if (key === "entity") refused = `The entity filter is not valid: ${message}`;
    else ignored.push({ filter: name, message });
  }
  return { query, ignored, refused };
}

export type AuditLink = { label: string; href: string };
export type AuditRow = {
  id: string;
  occurredAt: string;
  type: string;
  typeLabel: string;
  actorType: string;
  /** "Person", "Andon", "Connector": what kind of actor, in words. */
  actorTypeLabel: string;
  /** What the event recorded (an e-mail for people). */
  actorLabel: string;
  /** The person's name for people (their label if the user no longer exists), else the label. */
  actorName: string;
  plantCode: string | null;
  /** The plant's IANA zone: the event concerns that plant, so its time is written in it too. */
  plantZone: string | null;
  subject: string | null;
  /** The exception and the message (transaction) the event is about, when it is about one. */
  links: AuditLink[];
  /** The data for people: names instead of user ids, labels instead of codes. */
  details: AuditDetail[];
  data: unknown;
  hash: string;
  prevHash: string;
};

/** Where-clause for audit rows a user may read: rows of their plants plus plant-less rows. */
function auditWhere(user: Principal) {
  const scope = plantScope(user);
  return scope.plantId ? { OR: [{ plantId: null }, scope] } : {};
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** More messages than this for one business key: the filter asks to be narrowed instead of listing them all. */
const MAX_ENTITY_TRANSACTIONS = 500;

/**
 * The entity filter, resolved: `<type>` or `<type>:<id>` filter on the subject; a business key, message id,
 * correlation id or transaction id (optionally as `transaction:<…>`) becomes the events of that message's
 * exceptions (every action on a message is audited on its exception); a bare id matches any subject with
 * that id. Anything else names nothing and is refused (400), never silently ignored.
 */
async function entityWhere(user: Principal, entity: string, client: DbClient): Promise<Prisma.AuditEventWhereInput> {
  const typed = /^([a-z_]+)(?::(.+))?$/s.exec(entity);
  if (typed && SUBJECT_TYPES.has(typed[1]!)) return typed[2] ? { subjectType: typed[1]!, subjectId: typed[2] } : { subjectType: typed[1]! };
  const value = typed?.[1] === "transaction" && typed[2] ? typed[2] : entity;
  const transactions = await client.transaction.findMany({
    where: {
      ...plantScope(user),
      OR: [...(UUID.test(value) ? [{ id: value }] : []), { messageId: value }, { businessKey: value }, { correlationId: value }],
    },
    select: { id: true },
    take: MAX_ENTITY_TRANSACTIONS + 1,
  });
  if (transactions.length > MAX_ENTITY_TRANSACTIONS)
    throw new AppError(400, "entity_too_broad", `"${value}" names more than ${MAX_ENTITY_TRANSACTIONS} messages: add a plant or use a message id`);
  if (transactions.length > 0) {
    const exceptions = await client.exception.findMany({ where: { transactionId: { in: transactions.map((t) => t.id) } }, select: { id: true } });
    return { subjectType: "exception", subjectId: { in: exceptions.map((e) => e.id) } };
  }
  if (UUID.test(value)) return { subjectId: value };
  throw new AppError(
    400,
    "unknown_entity",
    `No message in your plants has the business key, message id or correlation id "${value}". The entity filter takes ${ENTITY_HELP}.`,
  );
}

/** The actor filter: the start of what the event recorded (an e-mail), or of the person's name. */
async function actorWhere(actor: string, client: DbClient): Promise<Prisma.AuditEventWhereInput> {
  const named = await client.user.findMany({ where: { name: { startsWith: actor, mode: "insensitive" } }, select: { id: true }, take: 100 });
  return named.length ? { OR: [{ actorLabel: { startsWith: actor } }, { actorId: { in: named.map((u) => u.id) } }] } : { actorLabel: { startsWith: actor } };
}

async function filterWhere(user: Principal, f: AuditFilter, client: DbClient): Promise<Prisma.AuditEventWhereInput> {
  const where: Prisma.AuditEventWhereInput[] = [];
  if (f.type) where.push({ type: f.type });
  if (f.actor) where.push(await actorWhere(f.actor, client));
  if (f.entity) where.push(await entityWhere(user, f.entity, client));
  if (f.plant)
    where.push({
      plantId: (await client.plant.findUnique({ where: { code: f.plant }, select: { id: true } }))?.id ?? "00000000-0000-0000-0000-000000000000",
    });
  if (f.from || f.to) where.push({ occurredAt: { ...(f.from ? { gte: new Date(f.from) } : {}), ...(f.to ? { lt: new Date(f.to) } : {}) } });
  return { AND: where };
}

type StoredEvent = Awaited<ReturnType<DbClient["auditEvent"]["findMany"]>>[number];

/** Rows as people read them: names, links to the exception and message, plant codes and zones. */
export async function presentAuditEvents(rows: StoredEvent[], client: DbClient = db()): Promise<AuditRow[]> {
  const plantIds = [...new Set(rows.map((r) => r.plantId).filter((x): x is string => !!x))];
  const exceptionIds = [...new Set(rows.filter((r) => r.subjectType === "exception" && r.subjectId && UUID.test(r.subjectId)).map((r) => r.subjectId!))];
  const want = { ids: new Set<string>(), emails: new Set<string>() };
  for (const r of rows) peopleIn(r.data, want, r.actorType === "user" ? r.actorId : null);
  const [plants, exceptions, people] = await Promise.all([
    plantIds.length ? client.plant.findMany({ where: { id: { in: plantIds } }, select: { id: true, code: true, timezone: true } }) : [],
    exceptionIds.length
      ? client.exception.findMany({
          where: { id: { in: exceptionIds } },
          select: {
            id: true,
            errorCode: true,
            plant: { select: { code: true } },
            transaction: { select: { correlationId: true, messageId: true, businessKey: true } },
          },
        })
      : [],
    loadPeople(client, want),
  ]);
  const plantById = new Map(plants.map((p) => [p.id, p]));
  const exceptionById = new Map(exceptions.map((e) => [e.id, e]));
  return rows.map((r) => {
    const plant = r.plantId ? plantById.get(r.plantId) : undefined;
    const e = r.subjectType === "exception" && r.subjectId ? exceptionById.get(r.subjectId) : undefined;
    const messageHref = e ? transactionHref(e.transaction.correlationId, e.plant.code) : null;
    const links: AuditLink[] = e
      ? [
          { label: `Exception ${e.errorCode}`, href: `/exceptions/${e.id}` },
          { label: `Message ${e.transaction.businessKey ?? e.transaction.messageId}`, href: messageHref! },
        ]
      : [];
    return {
      id: r.id.toString(),
      occurredAt: r.occurredAt.toISOString(),
      type: r.type,
      typeLabel: AUDIT_EVENT_LABELS[r.type as AuditEventType] ?? r.type,
      actorType: r.actorType,
      actorTypeLabel: labelOf(ACTOR_TYPE_LABELS, r.actorType),
      actorLabel: r.actorLabel,
      actorName: actorName(r, people),
      plantCode: plant?.code ?? null,
      plantZone: plant?.timezone ?? null,
      subject: r.subjectType ? `${r.subjectType}:${r.subjectId}` : null,
      links,
      details: describeEvent(r.type, r.data, people, { messageHref }),
      data: r.data,
      hash: r.hash,
      prevHash: r.prevHash,
    };
  });
}

function actorName(r: StoredEvent, people: People): string {
  if (r.actorType !== "user") return r.actorLabel;
  return (r.actorId && people.byId.get(r.actorId)?.name) || r.actorLabel;
}

/** The page of one message (a correlation id names a message within one plant). */
export function transactionHref(correlationId: string, plantCode: string): string {
  return `/transactions/${encodeURIComponent(correlationId)}?plant=${encodeURIComponent(plantCode)}`;
}

/** Newest first, keyset-paginated by id (stable under concurrent appends). */
export async function listAuditEvents(user: Principal, query: AuditQuery, client: DbClient = db()) {
  if (!can(user, "audit.read")) throw forbidden("Only auditors and administrators can read the audit trail");
  const rows = await client.auditEvent.findMany({
    where: { AND: [auditWhere(user), await filterWhere(user, query, client), query.before ? { id: { lt: query.before } } : {}] },
    orderBy: { id: "desc" },
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  return { events: await presentAuditEvents(page, client), nextBefore: rows.length > query.limit ? page.at(-1)!.id.toString() : null };
}

/** Every row, oldest first, in batches: for export (NDJSON carries hashes so the chain can be re-verified offline). */
export async function* exportAuditEvents(user: Principal, filter: AuditFilter = {}, client: DbClient = db(), batchSize = 1000) {
  if (!can(user, "audit.export")) throw forbidden("Only auditors can export the audit trail");
  const where = await filterWhere(user, filter, client);
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

/**
 * CSV columns: [header, stored field]. Times are UTC in ISO 8601 ("2026-12-06T14:18:05.123Z"), and the header
 * says so; NDJSON carries the stored fields as they are hashed (occurredAt, also UTC with its "Z").
 */
const CSV_COLUMNS = [
  ["id", "id"],
  ["occurredAtUtc", "occurredAt"],
  ["type", "type"],
  ["actorType", "actorType"],
  ["actorId", "actorId"],
  ["actorLabel", "actorLabel"],
  ["plantId", "plantId"],
  ["subjectType", "subjectType"],
  ["subjectId", "subjectId"],
  ["data", "data"],
  ["prevHash", "prevHash"],
  ["hash", "hash"],
] as const;

/** One CSV field: quoted when needed; a leading = + - @ is neutralised so spreadsheets never run it as a formula. */
export function csvField(v: unknown): string {
  let s = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
export const csvHeader = () => `${CSV_COLUMNS.map(([header]) => header).join(",")}\r\n`;
export const csvRow = (r: Record<string, unknown>) => `${CSV_COLUMNS.map(([, field]) => csvField(r[field])).join(",")}\r\n`;
