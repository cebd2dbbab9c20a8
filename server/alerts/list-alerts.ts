import { z } from "zod";
import type { Prisma } from "../db";
import { db } from "../db";
import { AlertStatus } from "../db/generated/enums";
import { forbidden } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";
import { type AlertView, include, view } from "./alert-view";

export const inboxQuerySchema = z
  .object({
    status: z.enum(["open", "all", ...Object.values(AlertStatus)]).default("open"),
    plant: z.string().max(40).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(200),
  })
  .strict();

export async function listAlerts(user: Principal, query: unknown): Promise<{ alerts: AlertView[]; open: number; total: number }> {
  if (!can(user, "alert.read")) throw forbidden("Your role cannot see alerts");
  const q = inboxQuerySchema.parse(query ?? {});
  const where: Prisma.AlertWhereInput = { ...plantScope(user) };
  if (q.plant) where.plant = { code: q.plant };
  const statusWhere: Prisma.AlertWhereInput = q.status === "open" ? { status: { not: "RESOLVED" } } : q.status === "all" ? {} : { status: q.status };
  const [rows, open, total] = await Promise.all([
    db().alert.findMany({ where: { ...where, ...statusWhere }, include, orderBy: [{ firedAt: "desc" }, { id: "desc" }], take: q.limit }),
    db().alert.count({ where: { ...where, status: { not: "RESOLVED" } } }),
    db().alert.count({ where: { ...where, ...statusWhere } }),
  ]);
  return { alerts: rows.map(view), open, total };
}
