import { z } from "zod";
import { type DbClient, Prisma, db, pool } from "../db";
import { ErrorCategory, ExceptionStatus, Severity } from "../db/generated/enums";
import { forbidden } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";
import { OPEN_STATUSES } from "./lifecycle";

/**
 * The exception queue: one filter schema (parsed from the URL, so a view is shareable), server-side
 * filtering and sorting, keyset pagination (stable while new failures arrive), counts per status,
 * and the group view by fingerprint. Every read goes through the user's plant scope.
 */
const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",").filter(Boolean) : []))
    .pipe(z.array(z.enum(values)));

export const SORTS = ["recent", "oldest", "severity"] as const;

export const queueFilterSchema = z.object({
  plant: z.string().optional().transform((s) => (s ? s.split(",").filter(Boolean) : [])),
  interface: z.string().optional().transform((s) => (s ? s.split(",").filter(Boolean) : [])),
  status: z.union([z.literal("open"), z.literal("all"), z.string()]).optional().default("open"),
  severity: csv(Object.values(Severity) as [Severity, ...Severity[]]),
  category: csv(Object.values(ErrorCategory) as [ErrorCategory, ...ErrorCategory[]]),
  code: z.string().trim().max(100).optional(),
  assignee: z.string().optional(), // "me" | "none" | user id
  age: z.enum(["15m", "1h", "4h", "24h", "older"]).optional(),
  q: z.string().trim().max(200).optional(),
  fingerprint: z.string().regex(/^[0-9a-f]{20}$/).optional(),
  sort: z.enum(SORTS).default("recent"),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type QueueFilter = z.infer<typeof queueFilterSchema>;

/** Lenient parse for pages: unknown or malformed parameters fall back to defaults instead of erroring. */
export function parseQueueFilter(params: Record<string, string | string[] | undefined>): QueueFilter {
  const flat = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v]));
  const parsed = queueFilterSchema.safeParse(flat);
  if (parsed.success) return parsed.data;
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  return queueFilterSchema.parse(Object.fromEntries(Object.entries(flat).filter(([k]) => !bad.has(k))));
}

function statusesOf(filter: QueueFilter): ExceptionStatus[] | undefined {
  if (filter.status === "all") return undefined;
  if (filter.status === "open") return [...OPEN_STATUSES];
  const wanted = filter.status.split(",").filter((s): s is ExceptionStatus => (Object.values(ExceptionStatus) as string[]).includes(s));
  return wanted.length ? wanted : [...OPEN_STATUSES];
}

const AGE_MS = { "15m": 15 * 60_000, "1h": 3_600_000, "4h": 4 * 3_600_000, "24h": 24 * 3_600_000 } as const;

/** Where-clause of the filter (without status, so counts per status can reuse it). */
function baseWhere(user: Principal, filter: QueueFilter): Prisma.ExceptionWhereInput {
  const and: Prisma.ExceptionWhereInput[] = [plantScope(user)];
  if (filter.plant.length) and.push({ plant: { code: { in: filter.plant } } });
  if (filter.interface.length) and.push({ interface: { code: { in: filter.interface } } });
  if (filter.severity.length) and.push({ severity: { in: filter.severity } });
  if (filter.category.length) and.push({ category: { in: filter.category } });
  if (filter.code) and.push({ errorCode: filter.code });
  if (filter.fingerprint) and.push({ fingerprint: filter.fingerprint });
  if (filter.assignee === "me") and.push({ assigneeId: user.id });
  else if (filter.assignee === "none") and.push({ assigneeId: null });
  else if (filter.assignee && /^[0-9a-f-]{36}$/.test(filter.assignee)) and.push({ assigneeId: filter.assignee });
  if (filter.age) {
    const now = Date.now();
    if (filter.age === "older") and.push({ firstSeenAt: { lt: new Date(now - AGE_MS["24h"]) } });
    else and.push({ firstSeenAt: { gte: new Date(now - AGE_MS[filter.age]) } });
  }
  if (filter.q) {
    const q = filter.q;
    and.push({
      OR: [
        { transaction: { businessKey: { startsWith: q } } },
        { transaction: { correlationId: q } },
        { transaction: { messageId: q } },
        { errorCode: q },
      ],
    });
  }
  return { AND: and };
}

/** Everything the filter matches (status included, no cursor): what "act on all matching" acts on. */
export function matchingWhere(user: Principal, filter: QueueFilter): Prisma.ExceptionWhereInput {
  const statuses = statusesOf(filter);
  return { AND: [baseWhere(user, filter), ...(statuses ? [{ status: { in: statuses } }] : [])] };
}

type Cursor = { v: string | number; id: string };
const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");
function decode(s: string | undefined): Cursor | null {
  if (!s) return null;
  try {
    const c = JSON.parse(Buffer.from(s, "base64url").toString()) as Cursor;
    return typeof c.id === "string" && (typeof c.v === "string" || typeof c.v === "number") ? c : null;
  } catch {
    return null;
  }
}

const SEVERITY_RANK: Record<Severity, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };
const RANKED = Object.keys(SEVERITY_RANK) as Severity[];

/** Keyset condition "after the cursor" for each sort order (ties broken by id). */
function afterCursor(sort: QueueFilter["sort"], c: Cursor): Prisma.ExceptionWhereInput {
  if (sort === "oldest") {
    const t = new Date(c.v as string);
    return { OR: [{ firstSeenAt: { gt: t } }, { firstSeenAt: t, id: { gt: c.id } }] };
  }
  if (sort === "severity") {
    // v = rank * 1e13 + (1e13 - lastSeen ms): severity first, then most recent.
    const rank = Math.floor((c.v as number) / 1e13);
    const seen = new Date(1e13 - ((c.v as number) % 1e13));
    return {
      OR: [
        { severity: { in: RANKED.filter((s) => SEVERITY_RANK[s] > rank) } },
        { severity: RANKED[rank], lastSeenAt: { lt: seen } },
        { severity: RANKED[rank], lastSeenAt: seen, id: { lt: c.id } },
      ],
    };
  }
  const t = new Date(c.v as string);
  return { OR: [{ lastSeenAt: { lt: t } }, { lastSeenAt: t, id: { lt: c.id } }] };
}

const ORDER: Record<QueueFilter["sort"], Prisma.ExceptionOrderByWithRelationInput[]> = {
  recent: [{ lastSeenAt: "desc" }, { id: "desc" }],
  oldest: [{ firstSeenAt: "asc" }, { id: "asc" }],
  severity: [{ severity: "asc" }, { lastSeenAt: "desc" }, { id: "desc" }],
};

/** Closed statuses are counted up to this many (shown as "10,000+"). */
export const CLOSED_COUNT_CAP = 10_000;

export type QueueRow = {
  id: string;
  plantCode: string;
  interfaceCode: string;
  status: ExceptionStatus;
  severity: Severity;
  category: ErrorCategory;
  errorCode: string;
  errorMessage: string;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
  slaDueAt: string;
  businessKey: string | null;
  messageId: string;
  assignee: { id: string; name: string } | null;
  fingerprint: string;
};

export async function listExceptions(user: Principal, filter: QueueFilter, client: DbClient = db()) {
  if (!can(user, "exception.read")) throw forbidden("Your role cannot read exceptions");
  const base = baseWhere(user, filter);
  const statuses = statusesOf(filter);
  const cursor = decode(filter.cursor);
  const where: Prisma.ExceptionWhereInput = {
    AND: [base, ...(statuses ? [{ status: { in: statuses } }] : []), ...(cursor ? [afterCursor(filter.sort, cursor)] : [])],
  };
  const closedCount = (status: "RESOLVED" | "DISCARDED") => client.exception.count({ where: { AND: [base, { status }] }, take: CLOSED_COUNT_CAP + 1 });
  const [rows, counts, resolved, discarded] = await Promise.all([
    client.exception.findMany({
      where,
      orderBy: ORDER[filter.sort],
      take: filter.limit + 1,
      include: {
        plant: { select: { code: true } },
        interface: { select: { code: true } },
        transaction: { select: { businessKey: true, messageId: true } },
        assignee: { select: { id: true, name: true } },
      },
    }),
    // Open statuses are counted exactly (a partial index holds only open rows); closed ones grow without
    // end, so their count stops at a cap ("10,000+") instead of scanning years of history.
    client.exception.groupBy({ by: ["status"], where: { AND: [base, { status: { in: [...OPEN_STATUSES] } }] }, _count: { _all: true } }),
    closedCount("RESOLVED"),
    closedCount("DISCARDED"),
  ]);
  const page = rows.slice(0, filter.limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > filter.limit && last
      ? encode({
          id: last.id,
          v: filter.sort === "oldest" ? last.firstSeenAt.toISOString() : filter.sort === "severity" ? SEVERITY_RANK[last.severity] * 1e13 + (1e13 - last.lastSeenAt.getTime()) : last.lastSeenAt.toISOString(),
        })
      : null;
  const byStatus = Object.fromEntries(Object.values(ExceptionStatus).map((s) => [s, 0])) as Record<ExceptionStatus, number>;
  for (const c of counts) byStatus[c.status] = c._count._all;
  const capped: ExceptionStatus[] = [];
  for (const [status, n] of [["RESOLVED", resolved], ["DISCARDED", discarded]] as const) {
    byStatus[status] = Math.min(n, CLOSED_COUNT_CAP);
    if (n > CLOSED_COUNT_CAP) capped.push(status);
  }
  const items: QueueRow[] = page.map((e) => ({
    id: e.id,
    plantCode: e.plant.code,
    interfaceCode: e.interface.code,
    status: e.status,
    severity: e.severity,
    category: e.category,
    errorCode: e.errorCode,
    errorMessage: e.errorMessage.slice(0, 400),
    occurrences: e.occurrences,
    firstSeenAt: e.firstSeenAt.toISOString(),
    lastSeenAt: e.lastSeenAt.toISOString(),
    slaDueAt: e.slaDueAt.toISOString(),
    businessKey: e.transaction.businessKey,
    messageId: e.transaction.messageId,
    assignee: e.assignee,
    fingerprint: e.fingerprint,
  }));
  // How many the whole filter matches (what "select all matching" acts on).
  const counted = statuses ?? (Object.values(ExceptionStatus) as ExceptionStatus[]);
  const matching = counted.reduce((n, s) => n + byStatus[s], 0);
  return { items, nextCursor, counts: byStatus, capped, matching };
}

export type ExceptionGroup = {
  fingerprint: string;
  interfaceCode: string;
  errorCode: string;
  category: ErrorCategory;
  worstSeverity: Severity;
  count: number;
  firstSeenAt: string;
  lastSeenAt: string;
  plants: string[];
  sampleMessage: string;
  lastHour: number;
  previousHour: number;
};

/** Group view: the same filter, aggregated by failure fingerprint (largest groups first). */
export async function listExceptionGroups(user: Principal, filter: QueueFilter, client: DbClient = db()): Promise<ExceptionGroup[]> {
  if (!can(user, "exception.read")) throw forbidden("Your role cannot read exceptions");
  const base = baseWhere(user, filter);
  const statuses = statusesOf(filter);
  const ids = await client.exception.findMany({ where: { AND: [base, ...(statuses ? [{ status: { in: statuses } }] : [])] }, select: { id: true }, take: 50_000 });
  if (ids.length === 0) return [];
  const { rows } = await pool().query<{
    fingerprint: string; interface_code: string; error_code: string; category: ErrorCategory; worst: Severity; n: string; first_seen: Date; last_seen: Date;
    plants: string[]; sample: string; last_hour: string; previous_hour: string;
  }>(
    `SELECT e.fingerprint, min(i.code) AS interface_code, min(e.error_code) AS error_code, min(e.category::text) AS category,
            min(e.severity) AS worst, count(*) AS n, min(e.first_seen_at) AS first_seen, max(e.last_seen_at) AS last_seen,
            array_agg(DISTINCT p.code ORDER BY p.code) AS plants, (array_agg(e.error_message ORDER BY e.last_seen_at DESC))[1] AS sample,
            count(*) FILTER (WHERE e.last_seen_at >= now() - interval '1 hour') AS last_hour,
            count(*) FILTER (WHERE e.last_seen_at >= now() - interval '2 hours' AND e.last_seen_at < now() - interval '1 hour') AS previous_hour
     FROM exception e JOIN interface i ON i.id = e.interface_id JOIN plant p ON p.id = e.plant_id
     WHERE e.id = ANY($1::uuid[])
     GROUP BY e.fingerprint ORDER BY count(*) DESC, max(e.last_seen_at) DESC LIMIT 200`,
    [ids.map((r) => r.id)],
  );
  return rows.map((r) => ({
    fingerprint: r.fingerprint, interfaceCode: r.interface_code, errorCode: r.error_code, category: r.category, worstSeverity: r.worst,
    count: Number(r.n), firstSeenAt: r.first_seen.toISOString(), lastSeenAt: r.last_seen.toISOString(), plants: r.plants,
    sampleMessage: r.sample.slice(0, 300), lastHour: Number(r.last_hour), previousHour: Number(r.previous_hour),
  }));
}
