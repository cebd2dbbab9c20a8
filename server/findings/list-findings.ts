import { z } from "zod";
import { pool } from "../db";
import { BusinessProcess, FindingKind, FindingStatus } from "../db/generated/enums";
import { forbidden } from "../http/errors";
import { type Principal, can, visiblePlantIds } from "../policy";
import { type FindingRow, type FindingSqlRow, FINDING_COLUMNS, FINDING_FROM, toFindingRow } from "./finding-row";

/**
 * The findings queue: late messages, stopped and flooded flows, missed batch runs of the user's plants.
 * One filter schema (the URL's parameters, so a filtered view is a link: the dashboard tile, the plant
 * page and the process view link into it), the user's plant scope always first in the WHERE clause,
 * keyset pagination (stable while the monitor opens new findings), counts per kind and status.
 * "Open" means not resolved (OPEN or ACKNOWLEDGED), as for alerts.
 */
const csv = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .max(2000)
    .optional()
    .transform((s) => (s ? s.split(",").filter(Boolean) : []))
    .pipe(z.array(z.enum(values)).max(50));

const codes = z
  .string()
  .max(2000)
  .optional()
  .transform((s) => (s ? s.split(",").filter(Boolean) : []))
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,60}$/, "codes are letters, digits, _ . or -")).max(50));

const KINDS = Object.values(FindingKind) as [FindingKind, ...FindingKind[]];
const STATUSES = Object.values(FindingStatus) as [FindingStatus, ...FindingStatus[]];
const PROCESSES = Object.values(BusinessProcess) as [BusinessProcess, ...BusinessProcess[]];

export const findingFilterSchema = z.object({
  plant: codes,
  interface: codes,
  kind: csv(KINDS),
  process: csv(PROCESSES),
  status: z
    .string()
    .refine(
      (s) =>
        s === "open" ||
        s === "all" ||
        (s.length <= 100 &&
          s
            .split(",")
            .filter(Boolean)
            .every((x) => (STATUSES as string[]).includes(x))),
      {
        message: 'status is "open", "all" or finding statuses separated by commas',
      },
    )
    .optional()
    .default("open"),
  assignee: z.union([z.enum(["me", "none"]), z.uuid()], { error: 'assignee is "me", "none" or a user id' }).optional(),
  sort: z.enum(["recent", "oldest"]).default("recent"),
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type FindingFilter = z.infer<typeof findingFilterSchema>;

/** Lenient parse for pages: malformed parameters fall back to their defaults instead of erroring. */
export function parseFindingFilter(params: Record<string, string | string[] | undefined>): FindingFilter {
  const flat = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : v]));
  const parsed = findingFilterSchema.safeParse(flat);
  if (parsed.success) return parsed.data;
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  return findingFilterSchema.parse(Object.fromEntries(Object.entries(flat).filter(([k]) => !bad.has(k))));
}

/** The statuses a filter asks for; undefined: all. */
export function statusesOf(filter: Pick<FindingFilter, "status">): FindingStatus[] | undefined {
  if (filter.status === "all") return undefined;
  if (filter.status === "open") return ["OPEN", "ACKNOWLEDGED"];
  return filter.status.split(",").filter((s): s is FindingStatus => (STATUSES as string[]).includes(s));
}

/** A WHERE clause over `finding f` (joined with `interface i`) with its positional parameters. */
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
  get sql(): string {
    return this.conds.length ? this.conds.join(" AND ") : "TRUE";
  }
}

/** The filter (statuses aside) inside the user's plants: every read of findings starts here. */
export function findingWhere(user: Principal, filter: Omit<FindingFilter, "status" | "sort" | "cursor" | "limit">): Where {
  const w = new Where();
  const scope = visiblePlantIds(user);
  if (!can(user, "finding.read")) w.add("FALSE");
  else if (scope !== "all") w.add(`f.plant_id = ANY(${w.param([...scope])}::uuid[])`);
  if (filter.plant.length) w.add(`f.plant_id IN (SELECT id FROM plant WHERE code = ANY(${w.param(filter.plant)}::text[]))`);
  if (filter.interface.length) w.add(`i.code = ANY(${w.param(filter.interface)}::text[])`);
  if (filter.kind.length) w.add(`f.kind = ANY(${w.param(filter.kind)}::finding_kind[])`);
  if (filter.process.length) w.add(`i.process = ANY(${w.param(filter.process)}::business_process[])`);
  if (filter.assignee === "me") w.add(`f.assignee_id = ${w.param(user.id)}::uuid`);
  else if (filter.assignee === "none") w.add("f.assignee_id IS NULL");
  else if (filter.assignee) w.add(`f.assignee_id = ${w.param(filter.assignee)}::uuid`);
  return w;
}

type Cursor = { t: string; id: string };
const cursorSchema = z.object({ t: z.iso.datetime(), id: z.uuid() });
const encode = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");
function decode(s: string | undefined): Cursor | null {
  if (!s) return null;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(s, "base64url").toString()));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export type FindingsPage = {
  items: FindingRow[];
  nextCursor: string | null;
  /** Matching findings (statuses aside) per status, and open ones (not resolved) per kind. */
  counts: { byStatus: Record<FindingStatus, number>; openByKind: Record<FindingKind, number> };
  /** How many the whole filter matches. */
  matching: number;
  /** The server's clock when it answered (ages are computed from it). */
  now: string;
};

/** GET /api/findings: the query string parsed strictly (anything unknown or malformed is a 400). */
export async function listFindings(user: Principal, input: unknown): Promise<FindingsPage> {
  if (!can(user, "finding.read")) throw forbidden("Your role cannot read findings");
  return findingsPage(user, findingFilterSchema.parse(input ?? {}));
}

/** One page of findings for a filter already parsed (the page parses leniently: parseFindingFilter). */
export async function findingsPage(user: Principal, filter: FindingFilter): Promise<FindingsPage> {
  if (!can(user, "finding.read")) throw forbidden("Your role cannot read findings");
  const base = findingWhere(user, filter);
  const statuses = statusesOf(filter);
  const page = new Where();
  page.conds.push(...base.conds);
  page.params.push(...base.params);
  if (statuses) page.add(`f.status = ANY(${page.param(statuses)}::finding_status[])`);
  const cursor = decode(filter.cursor);
  if (cursor) {
    const t = page.param(new Date(cursor.t));
    const id = page.param(cursor.id);
    page.add(filter.sort === "oldest" ? `(f.opened_at, f.id) > (${t}, ${id}::uuid)` : `(f.opened_at, f.id) < (${t}, ${id}::uuid)`);
  }
  const order = filter.sort === "oldest" ? "f.opened_at ASC, f.id ASC" : "f.opened_at DESC, f.id DESC";
  const [rows, counts] = await Promise.all([
    pool().query<FindingSqlRow>(
      `SELECT ${FINDING_COLUMNS} ${FINDING_FROM} WHERE ${page.sql} ORDER BY ${order} LIMIT ${page.param(filter.limit + 1)}`,
      page.params,
    ),
    pool().query<{ status: FindingStatus; kind: FindingKind; n: number }>(
      `SELECT f.status, f.kind, count(*)::int AS n FROM finding f JOIN interface i ON i.id = f.interface_id WHERE ${base.sql} GROUP BY f.status, f.kind`,
      base.params,
    ),
  ]);
  const shown = rows.rows.slice(0, filter.limit);
  const last = shown.at(-1);
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<FindingStatus, number>;
  const openByKind = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<FindingKind, number>;
  for (const c of counts.rows) {
    byStatus[c.status] += c.n;
    if (c.status !== "RESOLVED") openByKind[c.kind] += c.n;
  }
  return {
    items: shown.map(toFindingRow),
    nextCursor: rows.rows.length > filter.limit && last ? encode({ t: last.openedAt.toISOString(), id: last.id }) : null,
    counts: { byStatus, openByKind },
    matching: (statuses ?? STATUSES).reduce((n, s) => n + byStatus[s], 0),
    now: new Date().toISOString(),
  };
}
