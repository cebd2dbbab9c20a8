import { z } from "zod";
import { db, pool } from "../db";
import { linksOf } from "../dependencies/links";
import { ErrorCategory, ExceptionStatus, Severity } from "../db/generated/enums";
import { forbidden } from "../http/errors";
import { type Principal, can, visiblePlantIds } from "../policy";
import { CLOSED_STATUSES, OPEN_STATUSES } from "./lifecycle";

/**
 * The exception queue: one filter schema (parsed from the URL, so a view is shareable), server-side
 * filtering and sorting, keyset pagination (stable while new failures arrive), counts per status,
 * and the group view by fingerprint. One SQL builder turns a filter into the WHERE clause that the
 * page, the counts, the group view and bulk selections all use; it always starts with the user's
 * plant scope. Plain SQL here (not the ORM): every query must stay an index walk over a history of
 * millions of exceptions (see bench/queue.ts).
 */
const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",").filter(Boolean) : []))
    .pipe(z.array(z.enum(values)));

export const SORTS = ["recent", "oldest", "severity"] as const;

const isStatus = (s: string) => (Object.values(ExceptionStatus) as string[]).includes(s);

/**
 * Unknown values are errors here, never ignored: a bulk selection or saved view parsed strictly must not
 * quietly match more than it says (the page's lenient parse drops them to the defaults instead).
 */
export const queueFilterSchema = z.object({
  plant: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",").filter(Boolean) : [])),
  interface: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",").filter(Boolean) : [])),
  status: z
    .string()
    .refine((s) => s === "open" || s === "all" || s.split(",").filter(Boolean).every(isStatus), {
      message: 'status is "open", "all" or exception statuses separated by commas',
    })
    .optional()
    .default("open"),
  severity: csv(Object.values(Severity) as [Severity, ...Severity[]]),
  category: csv(Object.values(ErrorCategory) as [ErrorCategory, ...ErrorCategory[]]),
  code: z.string().trim().max(100).optional(),
  assignee: z.union([z.enum(["me", "none"]), z.uuid()], { error: 'assignee is "me", "none" or a user id' }).optional(),
  age: z.enum(["15m", "1h", "4h", "24h", "older"]).optional(),
  q: z.string().trim().max(200).optional(),
  fingerprint: z
    .string()
    .regex(/^[0-9a-f]{20}$/)
    .optional(),
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

/** A search matching more messages than this is narrowed to the first of them (refine the search). */
export const SEARCH_CAP = 5_000;
/**
 * Closed statuses (a history of millions) are counted up to this many (shown as "1,000+"): each count is a
 * short index walk. Open statuses are always counted exactly (see countByStatus).
 */
export const COUNT_CAP = 1_000;

/** A WHERE clause over `exception e` with its positional parameters. */
class Where {
  readonly conds: string[] = [];
  readonly params: unknown[] = [];
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
  add(cond: string): this {
    this.conds.push(cond);
    return this;
  }
  clone(): Where {
    const w = new Where();
    w.conds.push(...this.conds);
    w.params.push(...this.params);
    return w;
  }
  get sql(): string {
    return this.conds.length ? this.conds.join(" AND ") : "TRUE";
  }
}

async function idsOf(table: "plant" | "interface", codes: string[]): Promise<string[]> {
  const { rows } = await pool().query<{ id: string }>(`SELECT id FROM ${table} WHERE code = ANY($1::text[])`, [codes]);
  return rows.map((r) => r.id);
}

/** The user's plants; a list that covers every plant is "all" (a condition that filters nothing only misleads the planner). */
async function effectiveScope(user: Principal): Promise<readonly string[] | "all"> {
  const scope = visiblePlantIds(user);
  if (scope === "all") return scope;
  const { rows } = await pool().query<{ n: number }>("SELECT count(*)::int AS n FROM plant WHERE NOT (id = ANY($1::uuid[]))", [[...scope]]);
  return rows[0]!.n === 0 ? "all" : scope;
}

/**
 * The filter (without status, so counts per status can reuse it) inside the user's plants. The free
 * search is resolved to transaction ids first (business-key prefix, correlation and message id each
 * have an index), so the exception query is an index lookup instead of an OR across a join.
 */
async function baseWhere(user: Principal, filter: QueueFilter, scope?: readonly string[] | "all"): Promise<Where> {
  const w = new Where();
  scope ??= await effectiveScope(user);
  if (scope !== "all") w.add(`e.plant_id = ANY(${w.param([...scope])}::uuid[])`);
  // Codes to ids first (small tables): the planner then sees plain index conditions on exception.
  if (filter.plant.length) w.add(`e.plant_id = ANY(${w.param(await idsOf("plant", filter.plant))}::uuid[])`);
  if (filter.interface.length) w.add(`e.interface_id = ANY(${w.param(await idsOf("interface", filter.interface))}::uuid[])`);
  if (filter.severity.length) w.add(`e.severity = ANY(${w.param(filter.severity)}::severity[])`);
  if (filter.category.length) w.add(`e.category = ANY(${w.param(filter.category)}::error_category[])`);
  if (filter.code) w.add(`e.error_code = ${w.param(filter.code)}`);
  if (filter.fingerprint) w.add(`e.fingerprint = ${w.param(filter.fingerprint)}`);
  if (filter.assignee === "me") w.add(`e.assignee_id = ${w.param(user.id)}::uuid`);
  else if (filter.assignee === "none") w.add("e.assignee_id IS NULL");
  else if (filter.assignee && z.uuid().safeParse(filter.assignee).success) w.add(`e.assignee_id = ${w.param(filter.assignee)}::uuid`);
  if (filter.age) {
    const now = Date.now();
    if (filter.age === "older") w.add(`e.first_seen_at < ${w.param(new Date(now - AGE_MS["24h"]))}`);
    else w.add(`e.first_seen_at >= ${w.param(new Date(now - AGE_MS[filter.age]))}`);
  }
  if (filter.q) {
    const q = filter.q;
    const { rows } = await pool().query<{ id: string }>(
      `SELECT id FROM business_transaction
       WHERE (business_key LIKE $1 || '%' OR correlation_id = $2 OR message_id = $2) ${scope === "all" ? "" : "AND plant_id = ANY($4::uuid[])"}
       LIMIT $3`,
      [q.replace(/[\\%_]/g, (c) => `\\${c}`), q, SEARCH_CAP, ...(scope === "all" ? [] : [[...scope]])],
    );
    w.add(`(e.transaction_id = ANY(${w.param(rows.map((r) => r.id))}::uuid[]) OR e.error_code = ${w.param(q)})`);
  }
  return w;
}

function withStatus(base: Where, statuses: ExceptionStatus[] | undefined): Where {
  const w = base.clone();
  if (!statuses) return w;
  // "Open" is most statuses: said as the few it excludes, compared as text so the planner filters rows
  // instead of building a bitmap of every open exception from the open-per-transaction index
  // (measured: 45 ms of a 53 ms query over 1M rows).
  const excluded = (Object.values(ExceptionStatus) as ExceptionStatus[]).filter((s) => !statuses.includes(s));
  if (excluded.length < statuses.length) w.add(`e.status::text <> ALL(${w.param(excluded)}::text[])`);
  else w.add(`e.status = ANY(${w.param(statuses)}::exception_status[])`);
  return w;
}

/** Ids of everything the filter matches (status included), oldest first, at most `limit`: what "act on all matching" acts on. */
export async function matchingIds(user: Principal, filter: QueueFilter, limit: number): Promise<string[]> {
  const w = withStatus(await baseWhere(user, filter), statusesOf(filter));
  const { rows } = await pool().query<{ id: string }>(
    `SELECT e.id FROM exception e WHERE ${w.sql} ORDER BY e.first_seen_at, e.id LIMIT ${w.param(limit)}`,
    w.params,
  );
  return rows.map((r) => r.id);
}

/** Keyset cursor: the sort key of the last row (ties broken by id). */
type Cursor = { t: string; id: string; s?: Severity };
const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");
const cursorSchema = z.object({ t: z.iso.datetime(), id: z.uuid(), s: z.enum(Object.values(Severity) as [Severity, ...Severity[]]).optional() });
function decode(s: string | undefined): Cursor | null {
  if (!s) return null;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(s, "base64url").toString()));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** ORDER BY per sort (each backed by an index) and the keyset condition "after the cursor". */
const ORDER: Record<QueueFilter["sort"], string> = {
  recent: "e.last_seen_at DESC, e.id DESC",
  oldest: "e.first_seen_at ASC, e.id ASC",
  severity: "e.severity ASC, e.last_seen_at DESC, e.id DESC",
};

function afterCursor(w: Where, sort: QueueFilter["sort"], c: Cursor): void {
  const t = w.param(new Date(c.t));
  const id = w.param(c.id);
  if (sort === "oldest") w.add(`(e.first_seen_at, e.id) > (${t}, ${id}::uuid)`);
  else if (sort === "recent" || !c.s) w.add(`(e.last_seen_at, e.id) < (${t}, ${id}::uuid)`);
  else {
    const s = w.param(c.s);
    w.add(`(e.severity > ${s}::severity OR (e.severity = ${s}::severity AND (e.last_seen_at, e.id) < (${t}, ${id}::uuid)))`);
  }
}

export type QueueRow = {
  id: string;
  plantCode: string;
  /** The plant's IANA time zone: its instants are shown in it. */
  plantZone: string;
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
  /** Open exceptions of prerequisites on the same business object it waits on (its replay is refused until they are delivered). */
  waitingOn: number;
};

type Row = Omit<QueueRow, "assignee" | "firstSeenAt" | "lastSeenAt" | "slaDueAt" | "waitingOn"> & {
  firstSeenAt: Date;
  lastSeenAt: Date;
  slaDueAt: Date;
  assigneeId: string | null;
  assigneeName: string | null;
};

/**
 * "Open" as exception_open_count_idx and exception_open_dashboard_idx state it (the planner uses a partial
 * index only for this very predicate): the same rows as OPEN_STATUSES.
 */
const OPEN_PREDICATE = `e.status NOT IN (${CLOSED_STATUSES.map((s) => `'${s}'`).join(", ")})`;

/**
 * Matching exceptions per status. Open ones are counted exactly: "open exceptions" is one number across
 * Andon (the dashboard's tile counts the same rows), so the queue never shows "1,000+" for it. Each open
 * status is its own index-only count over a range of exception_open_count_idx (status, plant, interface,
 * covering severity, category, first seen and assignee; group, error code and search have indexes of
 * their own): it costs a walk over the open exceptions' index entries, never over the history, and no
 * aggregation by status (twice as fast as a GROUP BY over 300,000 open ones; bench/queue.ts). Statuses
 * are inlined (enum constants, not input) so the planner plans each with its own statistics.
 *
 * Closed ones, which grow forever, are counted up to COUNT_CAP each ("1,000+"): first in one bounded pass
 * over both (exact when the filter matches fewer than both caps together), else status by status, each a
 * bounded walk.
 */
async function countByStatus(base: Where, filter: QueueFilter, scope: readonly string[] | "all"): Promise<{ status: ExceptionStatus; n: number }[]> {
  // An interface is the index's third column: with the plants named (every plant, when nothing narrows
  // them) each status is a few short ranges instead of a walk over all its open exceptions.
  const everyPlant = filter.interface.length && !filter.plant.length && scope === "all" ? " AND e.plant_id = ANY(ARRAY(SELECT id FROM plant))" : "";
  const open = OPEN_STATUSES.map(
    (st) =>
      `SELECT '${st}'::text AS status, (SELECT count(*) FROM exception e WHERE ${base.sql}${everyPlant} AND e.status = '${st}' AND ${OPEN_PREDICATE})::int AS n`,
  );
  const closedLimit = CLOSED_STATUSES.length * COUNT_CAP + 1;
  const closedStatuses = CLOSED_STATUSES.map((st) => `'${st}'`).join(", ");
  const closedOnePass = `(SELECT x.status::text AS status, count(*)::int AS n FROM (SELECT e.status FROM exception e WHERE ${base.sql} AND e.status IN (${closedStatuses}) LIMIT ${closedLimit}) x GROUP BY x.status)`;
  const { rows } = await pool().query<{ status: ExceptionStatus; n: number }>([...open, closedOnePass].join(" UNION ALL "), base.params);
  const isClosed = (s: string) => (CLOSED_STATUSES as readonly string[]).includes(s);
  if (rows.filter((r) => isClosed(r.status)).reduce((n, r) => n + r.n, 0) < closedLimit) return rows;
  const closed = await pool().query<{ status: ExceptionStatus; n: number }>(
    CLOSED_STATUSES.map(
      (st) =>
        `SELECT '${st}'::text AS status, (SELECT count(*) FROM (SELECT 1 FROM exception e WHERE ${base.sql} AND e.status = '${st}' LIMIT ${COUNT_CAP + 1}) x)::int AS n`,
    ).join(" UNION ALL "),
    base.params,
  );
  return [...rows.filter((r) => !isClosed(r.status)), ...closed.rows];
}

/** The failure group a fingerprint filter names (for its chip): its error code and interface, inside the user's plants. */
async function groupOf(user: Principal, fingerprint: string): Promise<QueueGroup | null> {
  const w = new Where();
  const scope = await effectiveScope(user);
  if (scope !== "all") w.add(`e.plant_id = ANY(${w.param([...scope])}::uuid[])`);
  w.add(`e.fingerprint = ${w.param(fingerprint)}`);
  const { rows } = await pool().query<QueueGroup>(
    `SELECT e.fingerprint, e.error_code AS "errorCode", i.code AS "interfaceCode" FROM exception e JOIN interface i ON i.id = e.interface_id WHERE ${w.sql} LIMIT 1`,
    w.params,
  );
  return rows[0] ?? null;
}

export type QueueGroup = { fingerprint: string; errorCode: string; interfaceCode: string };

/** One page of the queue with what the numbers around it count (the type the page and GET /api/exceptions answer). */
export type QueuePage = {
  items: QueueRow[];
  nextCursor: string | null;
  /** Matching exceptions per status: open ones exact, closed ones up to COUNT_CAP (those over it listed in `capped`). */
  counts: Record<ExceptionStatus, number>;
  capped: ExceptionStatus[];
  /** How many the whole filter matches (what "act on all matching" acts on); at least this many if `matchingCapped`. */
  matching: number;
  matchingCapped: boolean;
  /** The failure group the filter names, if it names one. */
  group: QueueGroup | null;
  /** The server's clock when it answered: pages compute ages from it, so server and browser render the same text. */
  now: string;
};

export async function listExceptions(user: Principal, filter: QueueFilter): Promise<QueuePage> {
  if (!can(user, "exception.read")) throw forbidden("Your role cannot read exceptions");
  const scope = await effectiveScope(user);
  const base = await baseWhere(user, filter, scope);
  const statuses = statusesOf(filter);
  const w = withStatus(base, statuses);
  const cursor = decode(filter.cursor);
  if (cursor) afterCursor(w, filter.sort, cursor);
  const all = Object.values(ExceptionStatus) as ExceptionStatus[];
  const [page, counts, group] = await Promise.all([
    pool().query<Row>(
      `SELECT e.id, p.code AS "plantCode", p.timezone AS "plantZone", i.code AS "interfaceCode", e.status, e.severity, e.category, e.error_code AS "errorCode",
              left(e.error_message, 400) AS "errorMessage", e.occurrences, e.first_seen_at AS "firstSeenAt", e.last_seen_at AS "lastSeenAt",
              e.sla_due_at AS "slaDueAt", t.business_key AS "businessKey", t.message_id AS "messageId", u.id AS "assigneeId", u.name AS "assigneeName", e.fingerprint
       FROM exception e JOIN plant p ON p.id = e.plant_id JOIN interface i ON i.id = e.interface_id
       JOIN business_transaction t ON t.id = e.transaction_id LEFT JOIN app_user u ON u.id = e.assignee_id
       WHERE ${w.sql} ORDER BY ${ORDER[filter.sort]} LIMIT ${w.param(filter.limit + 1)}`,
      w.params,
    ),
    countByStatus(base, filter, scope),
    filter.fingerprint ? groupOf(user, filter.fingerprint) : Promise.resolve(null),
  ]);
  const rows = page.rows.slice(0, filter.limit);
  const last = rows.at(-1);
  const nextCursor =
    page.rows.length > filter.limit && last
      ? encode({
          id: last.id,
          t: (filter.sort === "oldest" ? last.firstSeenAt : last.lastSeenAt).toISOString(),
          ...(filter.sort === "severity" ? { s: last.severity } : {}),
        })
      : null;
  const byStatus = Object.fromEntries(all.map((s) => [s, 0])) as Record<ExceptionStatus, number>;
  const capped: ExceptionStatus[] = [];
  for (const c of counts) {
    const closed = (CLOSED_STATUSES as readonly string[]).includes(c.status);
    byStatus[c.status] = closed ? Math.min(c.n, COUNT_CAP) : c.n;
    if (closed && c.n > COUNT_CAP) capped.push(c.status);
  }
  // What each row waits on: one set-based query for the page (business_ref index), blockers at the row's own plant.
  const waiting = new Map<string, Set<string>>();
  for (const l of await linksOf(
    db(),
    rows.map((r) => r.id),
    "blockedBy",
  ))
    waiting.set(l.exceptionId, (waiting.get(l.exceptionId) ?? new Set()).add(l.otherId));
  const items: QueueRow[] = rows.map(({ assigneeId, assigneeName, ...e }) => ({
    ...e,
    waitingOn: waiting.get(e.id)?.size ?? 0,
    firstSeenAt: e.firstSeenAt.toISOString(),
    lastSeenAt: e.lastSeenAt.toISOString(),
    slaDueAt: e.slaDueAt.toISOString(),
    assignee: assigneeId ? { id: assigneeId, name: assigneeName! } : null,
  }));
  const counted = statuses ?? all;
  const matching = counted.reduce((n, s) => n + byStatus[s], 0);
  return {
    items,
    nextCursor,
    counts: byStatus,
    capped,
    matching,
    matchingCapped: counted.some((s) => capped.includes(s)),
    group,
    now: new Date().toISOString(),
  };
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

/**
 * Group view: the same filter, aggregated by failure fingerprint (largest groups first). One pass
 * counts per group and plant in SQL (a hash aggregate: no sort of the matching rows) and keeps only the
 * id of each group's latest exception; the sample message is then read for the (at most 200) groups
 * shown. Message texts are never aggregated, so a group of a million long messages costs what a small
 * one does.
 */
export async function listExceptionGroups(user: Principal, filter: QueueFilter): Promise<ExceptionGroup[]> {
  if (!can(user, "exception.read")) throw forbidden("Your role cannot read exceptions");
  const w = withStatus(await baseWhere(user, filter), statusesOf(filter));
  const { rows } = await pool().query<{
    fingerprint: string;
    interface_code: string;
    error_code: string;
    category: ErrorCategory;
    worst: Severity;
    n: string;
    first_seen: Date;
    last_seen: Date;
    plants: string[];
    sample: string | null;
    last_hour: string;
    previous_hour: string;
  }>(
    `WITH per_plant AS (
       SELECT e.fingerprint, e.plant_id, min(i.code) AS interface_code, min(e.error_code) AS error_code, min(e.category::text) AS category,
              min(e.severity) AS worst, count(*) AS n, min(e.first_seen_at) AS first_seen, max(e.last_seen_at) AS last_seen,
              max(ARRAY[to_char(e.last_seen_at AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS'), e.id::text]) AS latest,
              count(*) FILTER (WHERE e.last_seen_at >= now() - interval '1 hour') AS last_hour,
              count(*) FILTER (WHERE e.last_seen_at >= now() - interval '2 hours' AND e.last_seen_at < now() - interval '1 hour') AS previous_hour
       FROM exception e JOIN interface i ON i.id = e.interface_id
       WHERE ${w.sql}
       GROUP BY e.fingerprint, e.plant_id),
     g AS (
       SELECT fingerprint, min(interface_code) AS interface_code, min(error_code) AS error_code, min(category) AS category, min(worst) AS worst,
              sum(n) AS n, min(first_seen) AS first_seen, max(last_seen) AS last_seen, max(latest) AS latest, array_agg(plant_id) AS plant_ids,
              sum(last_hour) AS last_hour, sum(previous_hour) AS previous_hour
       FROM per_plant GROUP BY fingerprint ORDER BY sum(n) DESC, max(last_seen) DESC LIMIT 200)
     SELECT g.fingerprint, g.interface_code, g.error_code, g.category, g.worst, g.n, g.first_seen, g.last_seen, g.last_hour, g.previous_hour,
            ARRAY(SELECT p.code FROM plant p WHERE p.id = ANY(g.plant_ids) ORDER BY p.code) AS plants,
            (SELECT left(x.error_message, 300) FROM exception x WHERE x.id = g.latest[2]::uuid) AS sample
     FROM g ORDER BY g.n DESC, g.last_seen DESC`,
    w.params,
  );
  return rows.map((r) => ({
    fingerprint: r.fingerprint,
    interfaceCode: r.interface_code,
    errorCode: r.error_code,
    category: r.category,
    worstSeverity: r.worst,
    count: Number(r.n),
    firstSeenAt: r.first_seen.toISOString(),
    lastSeenAt: r.last_seen.toISOString(),
    plants: r.plants,
    sampleMessage: r.sample ?? "",
    lastHour: Number(r.last_hour),
    previousHour: Number(r.previous_hour),
  }));
}
