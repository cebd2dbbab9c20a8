import { z } from "zod";
import { type DbClient, Prisma, db } from "../db";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can } from "../policy";
import { queueFilterSchema } from "./queue";

/**
 * Saved queue views: a user's named filters. Only the filter parameters are kept (never a cursor),
 * normalised through the queue's own schema, and only the owner can list or delete them.
 */
const VIEW_PARAMS = ["plant", "interface", "status", "severity", "category", "code", "assignee", "age", "q", "fingerprint", "sort", "view"] as const;

export const saveViewSchema = z
  .object({
    name: z.string().trim().min(1, "Name the view").max(60, "View names are limited to 60 characters"),
    query: z.string().max(2000),
  })
  .strict();

export function normaliseViewQuery(query: string): string {
  const given = new URLSearchParams(query.startsWith("?") ? query.slice(1) : query);
  const kept = new URLSearchParams();
  for (const key of VIEW_PARAMS) {
    const value = given.get(key);
    if (value) kept.set(key, value);
  }
  const { view, ...filter } = Object.fromEntries(kept);
  queueFilterSchema.parse(filter); // refuse what the queue would refuse
  if (view && view !== "groups") throw new AppError(400, "invalid_view", "view must be 'groups' or absent");
  return kept.toString();
}

export async function listSavedViews(user: Principal, client: DbClient = db()) {
  if (!can(user, "exception.read")) throw forbidden("Your role cannot read exceptions");
  return client.savedView.findMany({ where: { userId: user.id }, orderBy: { name: "asc" }, select: { id: true, name: true, query: true } });
}

export async function saveView(user: Principal, input: unknown) {
  if (!can(user, "exception.read")) throw forbidden("Your role cannot read exceptions");
  const { name, query } = saveViewSchema.parse(input);
  const normalised = normaliseViewQuery(query);
  try {
    return await db().savedView.create({ data: { userId: user.id, name, query: normalised }, select: { id: true, name: true, query: true } });
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002")
      throw new AppError(409, "duplicate_name", `You already have a view named “${name}”`);
    throw err;
  }
}

export async function deleteView(user: Principal, id: string) {
  if (!z.uuid().safeParse(id).success) throw notFound("View");
  const { count } = await db().savedView.deleteMany({ where: { id, userId: user.id } });
  if (count === 0) throw notFound("View");
}
