import { z } from "zod";
import { db } from "../db";
import { forbidden, notFound } from "../http/errors";
import { type Principal, can } from "../policy";

/**
 * Marks one of the caller's notifications read (another person's, or an unknown id, is a 404: it does
 * not exist for them), or all of them. Reading a notification changes no status of its subject: it is
 * not an acknowledgement (the alert climbs the ladder until someone acknowledges it).
 */
export async function markNotificationRead(user: Principal, id: string, at = new Date()): Promise<{ id: string; readAt: string; unread: number }> {
  if (!can(user, "notification.read")) throw forbidden("Your role has no notifications");
  if (!z.uuid().safeParse(id).success) throw notFound("Notification");
  const n = await db().notification.findFirst({ where: { id, userId: user.id }, select: { id: true, readAt: true } });
  if (!n) throw notFound("Notification");
  const readAt = n.readAt ?? at;
  if (!n.readAt) await db().notification.updateMany({ where: { id, userId: user.id, readAt: null }, data: { readAt } });
  return { id, readAt: readAt.toISOString(), unread: await db().notification.count({ where: { userId: user.id, readAt: null } }) };
}

export async function markAllNotificationsRead(user: Principal, at = new Date()): Promise<{ marked: number; unread: number }> {
  if (!can(user, "notification.read")) throw forbidden("Your role has no notifications");
  const { count } = await db().notification.updateMany({ where: { userId: user.id, readAt: null }, data: { readAt: at } });
  return { marked: count, unread: 0 };
}
