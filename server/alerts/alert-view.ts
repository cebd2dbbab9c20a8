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
  /** The interface the alert is about (per-interface rules), else null. */
  interfaceCode: string | null;
  /**
   * The exception queue filtered to what the rule counted (plant, interface; oldest first for an age rule),
   * or null when no exceptions are behind the alert (latency, a silent connector).
   */
  exceptionsHref: string | null;
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

/** The exceptions behind an alert, as the queue's URL parameters (see server/exceptions/queue.ts queueFilterSchema). */
export function exceptionsHref(kind: string, plantCode: string, interfaceCode: string | null): string | null {
  if (kind !== "BACKLOG_ABOVE" && kind !== "OLDEST_ABOVE" && kind !== "FAILURE_RATE_ABOVE") return null;
  const p = new URLSearchParams({ plant: plantCode });
  if (interfaceCode) p.set("interface", interfaceCode);
  p.set("status", "open");
  if (kind === "OLDEST_ABOVE") p.set("sort", "oldest");
  return `/exceptions?${p}`;
}

/** The interface id of a per-interface subject ("iface:<plant>:<interface>"), else null. */
const interfaceIdOf = (subjectKey: string) => (subjectKey.startsWith("iface:") ? (subjectKey.split(":")[2] ?? null) : null);

/** Alerts as the inbox shows them (one lookup of the interface codes their subjects name). */
export async function present(rows: Row[]): Promise<AlertView[]> {
  const ids = [...new Set(rows.map((r) => interfaceIdOf(r.subjectKey)).filter((id): id is string => id !== null && z.uuid().safeParse(id).success))];
  const codes = new Map(
    ids.length ? (await db().interface.findMany({ where: { id: { in: ids } }, select: { id: true, code: true } })).map((i) => [i.id, i.code]) : [],
  );
  return rows.map((r) => view(r, codes.get(interfaceIdOf(r.subjectKey) ?? "") ?? null));
}

function view(a: Row, interfaceCode: string | null): AlertView {
  return {
    id: a.id,
    status: a.status,
    severity: a.severity,
    rule: a.rule.name,
    kind: a.rule.kind,
    plantCode: a.plant.code,
    timezone: a.plant.timezone,
    subject: a.subjectLabel,
    interfaceCode,
    exceptionsHref: exceptionsHref(a.rule.kind, a.plant.code, interfaceCode),
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
