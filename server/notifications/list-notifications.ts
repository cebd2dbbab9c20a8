import { z } from "zod";
import { db } from "../db";
import type { EscalationLevel, Severity } from "../db/generated/enums";
import { forbidden } from "../http/errors";
import { type Principal, can } from "../policy";

/**
 * A person's own in-app notifications, newest first (by their last firing), with the unread count for
 * the bell. Nobody reads another person's notifications: the query is always on the caller's id.
 */
export const notificationQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    unread: z.enum(["0", "1", "true", "false"]).optional(),
  })
  .strip();

export type NotificationView = {
  id: string;
  subjectType: string;
  level: EscalationLevel | null;
  severity: Severity;
  title: string;
  body: string;
  href: string;
  count: number;
  createdAt: string;
  lastAt: string;
  readAt: string | null;
  plantId: string | null;
  plantCode: string | null;
  plantTimezone: string | null;
};

export type NotificationList = { items: NotificationView[]; unread: number };

export async function listNotifications(user: Principal, query: unknown = {}): Promise<NotificationList> {
  if (!can(user, "notification.read")) throw forbidden("Your role has no notifications");
  const q = notificationQuerySchema.parse(query);
  const unreadOnly = q.unread === "1" || q.unread === "true";
  const [rows, unread] = await Promise.all([
    db().notification.findMany({
      where: { userId: user.id, ...(unreadOnly ? { readAt: null } : {}) },
      orderBy: [{ lastAt: "desc" }, { id: "asc" }],
      take: q.limit,
    }),
    unreadCount(user),
  ]);
  const plantIds = [...new Set(rows.map((r) => r.plantId).filter((p): p is string => Boolean(p)))];
  const plants = new Map(
    (await db().plant.findMany({ where: { id: { in: plantIds } }, select: { id: true, code: true, timezone: true } })).map((p) => [p.id, p]),
  );
  return {
    unread,
    items: rows.map((r) => ({
      id: r.id,
      subjectType: r.subjectType,
      level: r.level,
      severity: r.severity,
      title: r.title,
      body: r.body,
      href: r.href,
      count: r.count,
      createdAt: r.createdAt.toISOString(),
      lastAt: r.lastAt.toISOString(),
      readAt: r.readAt?.toISOString() ?? null,
      plantId: r.plantId,
      plantCode: (r.plantId && plants.get(r.plantId)?.code) || null,
      plantTimezone: (r.plantId && plants.get(r.plantId)?.timezone) || null,
    })),
  };
}

export async function unreadCount(user: Principal): Promise<number> {
  if (!can(user, "notification.read")) return 0;
  return db().notification.count({ where: { userId: user.id, readAt: null } });
}
