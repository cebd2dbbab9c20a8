import { z } from "zod";
import { append } from "../audit";
import { db, type Prisma } from "../db";
import { AlertStatus } from "../db/generated/enums";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can, canSeePlant, plantScope } from "../policy";
import { enqueueInTx } from "../workers/boss";
import { ALERT_WEBHOOK_QUEUE } from "./evaluate";
import { publishAlertChanges } from "./live";

/**
 * The alert inbox: alerts of the user's plants, newest first; people acknowledge, assign and resolve
 * them (each audited, each pushed live to the plant's room). A person's resolve is final for that
 * episode: the rule fires again only after its condition has cleared once (see evaluate.ts).
 */
export const inboxQuerySchema = z
  .object({
    status: z.enum(["open", "all", ...Object.values(AlertStatus)]).default("open"),
    plant: z.string().max(40).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(200),
  })
  .strict();

const include = {
  rule: { select: { name: true, kind: true } },
  plant: { select: { code: true, timezone: true } },
  assignee: { select: { id: true, email: true, name: true } },
  acknowledgedBy: { select: { email: true } },
  resolvedBy: { select: { email: true } },
} as const;
type Row = Prisma.AlertGetPayload<{ include: typeof include }>;

export type AlertView = {
  id: string; status: AlertStatus; severity: string; rule: string; kind: string; plantCode: string; timezone: string; subject: string; message: string; value: number;
  firedAt: string; lastEvaluatedAt: string; acknowledgedAt: string | null; acknowledgedBy: string | null; assignee: { id: string; label: string } | null;
  resolvedAt: string | null; resolvedBy: string | null;
};

function view(a: Row): AlertView {
  return {
    id: a.id, status: a.status, severity: a.severity, rule: a.rule.name, kind: a.rule.kind, plantCode: a.plant.code, timezone: a.plant.timezone, subject: a.subjectLabel,
    message: a.message, value: a.value, firedAt: a.firedAt.toISOString(), lastEvaluatedAt: a.lastEvaluatedAt.toISOString(),
    acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null, acknowledgedBy: a.acknowledgedBy?.email ?? null,
    assignee: a.assignee ? { id: a.assignee.id, label: a.assignee.name ?? a.assignee.email } : null,
    resolvedAt: a.resolvedAt?.toISOString() ?? null, resolvedBy: a.resolvedBy?.email ?? (a.resolvedAt ? "cleared automatically" : null),
  };
}

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

type Actor = Principal & { email: string };
const actorOf = (u: Actor) => ({ type: "user" as const, id: u.id, label: u.email });

async function load(user: Actor, id: string) {
  if (!z.uuid().safeParse(id).success) throw notFound("Alert");
  const a = await db().alert.findUnique({ where: { id }, include });
  if (!a || !canSeePlant(user, a.plantId)) throw notFound("Alert");
  if (!can(user, "alert.handle", { plantId: a.plantId })) throw forbidden("Your role cannot handle alerts");
  return a;
}
const ref = (a: Row) => ({ alertId: a.id, ruleId: a.ruleId, ruleName: a.rule.name, subject: a.subjectLabel });
const closed = (a: Row) => {
  if (a.status === "RESOLVED") throw new AppError(409, "alert_resolved", "This alert is already resolved");
};

export async function acknowledgeAlert(user: Actor, id: string): Promise<AlertView> {
  const a = await load(user, id);
  closed(a);
  if (a.status === "ACKNOWLEDGED") return view(a);
  const updated = await db().$transaction(async (tx) => {
    const row = await tx.alert.update({ where: { id, status: "FIRING" }, data: { status: "ACKNOWLEDGED", acknowledgedAt: new Date(), acknowledgedById: user.id }, include });
    await append(tx, { type: "alert.acknowledged", actor: actorOf(user), plantId: a.plantId, subject: { type: "alert", id }, data: ref(a) });
    return row;
  });
  publishAlertChanges([{ id, plantId: a.plantId, status: updated.status }]);
  return view(updated);
}

export const assignAlertSchema = z.object({ assigneeId: z.uuid().nullable() }).strict();

export async function assignAlert(user: Actor, id: string, input: unknown): Promise<AlertView> {
  const a = await load(user, id);
  const { assigneeId } = assignAlertSchema.parse(input);
  closed(a);
  let label: string | null = null;
  if (assigneeId) {
    const u = await db().user.findUnique({ where: { id: assigneeId }, include: { plants: true } });
    const principal = u && { id: u.id, role: u.role, plantIds: u.plants.map((p) => p.plantId), active: u.active };
    if (!principal || !can(principal, "alert.handle", { plantId: a.plantId })) throw new AppError(422, "invalid_assignee", "The assignee must be an active user who handles this plant's alerts");
    label = u.email;
  }
  const updated = await db().$transaction(async (tx) => {
    const row = await tx.alert.update({ where: { id }, data: { assigneeId }, include });
    await append(tx, { type: "alert.assigned", actor: actorOf(user), plantId: a.plantId, subject: { type: "alert", id }, data: { ...ref(a), from: a.assignee?.email ?? null, to: label } });
    return row;
  });
  publishAlertChanges([{ id, plantId: a.plantId, status: updated.status }]);
  return view(updated);
}

export const resolveAlertSchema = z.object({ note: z.string().trim().max(2000).nullable().default(null) }).strict();

export async function resolveAlert(user: Actor, id: string, input: unknown): Promise<AlertView> {
  const a = await load(user, id);
  const { note } = resolveAlertSchema.parse(input ?? {});
  closed(a);
  const updated = await db().$transaction(async (tx) => {
    const row = await tx.alert.update({ where: { id, status: { not: "RESOLVED" } }, data: { status: "RESOLVED", resolvedAt: new Date(), resolvedById: user.id }, include });
    await append(tx, { type: "alert.resolved", actor: actorOf(user), plantId: a.plantId, subject: { type: "alert", id }, data: { ...ref(a), note } });
    const hooks = await tx.alertWebhook.findMany({ where: { enabled: true, OR: [{ plantId: null }, { plantId: a.plantId }] }, select: { id: true } });
    for (const w of hooks) {
      const created = await tx.alertNotification.createManyAndReturn({ data: [{ alertId: id, webhookId: w.id, event: "alert.resolved" }], skipDuplicates: true, select: { id: true } });
      for (const n of created) await enqueueInTx(tx, ALERT_WEBHOOK_QUEUE, { notificationId: n.id });
    }
    return row;
  });
  publishAlertChanges([{ id, plantId: a.plantId, status: updated.status }]);
  return view(updated);
}
