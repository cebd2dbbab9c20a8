import { z } from "zod";
import { type Prisma, db } from "../db";
import type { AlertStatus } from "../db/generated/enums";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can, canSeePlant } from "../policy";

/**
 * The alert inbox: alerts of the user's plants, newest first; people acknowledge, assign and resolve
 * them (each audited, each pushed live to the plant's room; one action per file: list-alerts,
 * acknowledge-alert, assign-alert, resolve-alert). A person's resolve is final for that episode: the
 * rule fires again only after its condition has cleared once (see evaluate.ts). Every status write is
 * conditional on the status read (409 when it moved).
 */
export const include = {
  rule: { select: { name: true, kind: true } },
  plant: { select: { code: true, timezone: true } },
  assignee: { select: { id: true, email: true, name: true } },
  acknowledgedBy: { select: { email: true } },
  resolvedBy: { select: { email: true } },
} as const;
export type Row = Prisma.AlertGetPayload<{ include: typeof include }>;

export type AlertView = {
  id: string;
  status: AlertStatus;
  severity: string;
  rule: string;
  kind: string;
  plantCode: string;
  timezone: string;
  subject: string;
  message: string;
  value: number;
  firedAt: string;
  lastEvaluatedAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  assignee: { id: string; label: string } | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
};

export function view(a: Row): AlertView {
  return {
    id: a.id,
    status: a.status,
    severity: a.severity,
    rule: a.rule.name,
    kind: a.rule.kind,
    plantCode: a.plant.code,
    timezone: a.plant.timezone,
    subject: a.subjectLabel,
    message: a.message,
    value: a.value,
    firedAt: a.firedAt.toISOString(),
    lastEvaluatedAt: a.lastEvaluatedAt.toISOString(),
    acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
    acknowledgedBy: a.acknowledgedBy?.email ?? null,
    assignee: a.assignee ? { id: a.assignee.id, label: a.assignee.name ?? a.assignee.email } : null,
    resolvedAt: a.resolvedAt?.toISOString() ?? null,
    resolvedBy: a.resolvedBy?.email ?? (a.resolvedAt ? "cleared automatically" : null),
  };
}

export type Actor = Principal & { email: string };
export const actorOf = (u: Actor) => ({ type: "user" as const, id: u.id, label: u.email });

export async function load(user: Actor, id: string) {
  if (!z.uuid().safeParse(id).success) throw notFound("Alert");
  const a = await db().alert.findUnique({ where: { id }, include });
  if (!a || !canSeePlant(user, a.plantId)) throw notFound("Alert");
  if (!can(user, "alert.handle", { plantId: a.plantId })) throw forbidden("Your role cannot handle alerts");
  return a;
}
export const ref = (a: Row) => ({ alertId: a.id, ruleId: a.ruleId, ruleName: a.rule.name, subject: a.subjectLabel });
export const closed = (a: Row) => {
  if (a.status === "RESOLVED") throw new AppError(409, "alert_resolved", "This alert is already resolved");
};

export const alertMoved = () => new AppError(409, "conflict", "The alert changed meanwhile; reload it");
