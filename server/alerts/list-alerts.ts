import { z } from "zod";
import type { Prisma } from "../db";
import { db } from "../db";
import { AlertStatus } from "../db/generated/enums";
import { forbidden } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";
import { type AlertView, include, present } from "./alert-view";

export const inboxQuerySchema = z
  .object({
    status: z.enum(["open", "all", ...Object.values(AlertStatus)]).default("open"),
    plant: z.string().max(40).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(200),
  })
  .strict();

/**
 * The inbox in the order it is worked: firing before acknowledged before resolved; within each, the most
 * severe first (the enums are declared in that order); then the longest-firing first among open alerts,
 * the latest resolved first among resolved ones.
 */
const OPEN_ORDER: Prisma.AlertOrderByWithRelationInput[] = [{ status: "asc" }, { severity: "asc" }, { firedAt: "asc" }, { id: "asc" }];
const RESOLVED_ORDER: Prisma.AlertOrderByWithRelationInput[] = [{ severity: "asc" }, { resolvedAt: "desc" }, { id: "desc" }];

export async function listAlerts(user: Principal, query: unknown): Promise<{ alerts: AlertView[]; open: number; total: number }> {
  if (!can(user, "alert.read")) throw forbidden("Your role cannot see alerts");
  const q = inboxQuerySchema.parse(query ?? {});
  const where: Prisma.AlertWhereInput = { ...plantScope(user) };
  if (q.plant) where.plant = { code: q.plant };
  const wantsOpen = q.status !== "RESOLVED";
  const wantsResolved = q.status === "RESOLVED" || q.status === "all";
  const openWhere: Prisma.AlertWhereInput = { ...where, status: q.status === "FIRING" || q.status === "ACKNOWLEDGED" ? q.status : { not: "RESOLVED" } };
  const resolvedWhere: Prisma.AlertWhereInput = { ...where, status: "RESOLVED" };
  const [openRows, open, resolvedCount] = await Promise.all([
    wantsOpen ? db().alert.findMany({ where: openWhere, include, orderBy: OPEN_ORDER, take: q.limit }) : [],
    db().alert.count({ where: { ...where, status: { not: "RESOLVED" } } }),
    wantsResolved ? db().alert.count({ where: resolvedWhere }) : 0,
  ]);
  const room = q.limit - openRows.length;
  const resolvedRows = wantsResolved && room > 0 ? await db().alert.findMany({ where: resolvedWhere, include, orderBy: RESOLVED_ORDER, take: room }) : [];
  const shownOpen = q.status === "FIRING" || q.status === "ACKNOWLEDGED" ? await db().alert.count({ where: openWhere }) : wantsOpen ? open : 0;
  return { alerts: await present([...openRows, ...resolvedRows]), open, total: shownOpen + resolvedCount };
}
