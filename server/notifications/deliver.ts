import type { Prisma } from "../db";
import type { EscalationLevel, Severity } from "../db/generated/enums";
import type { NotificationNotice } from "../realtime/events";
import { publishToUser } from "../realtime/publish";

/**
 * Writes in-app notifications in the caller's transaction. One row per user × subject: a subject that
 * fires again (or reaches a higher rung for the same person) updates that row — its count, level,
 * text and link, and it is unread again — instead of adding a second one (quiet notifications).
 * Returns the notices to publish once the transaction has committed (`publishNotices`).
 */
export type NotificationInput = {
  userIds: readonly string[];
  plantId: string | null;
  subjectType: string;
  subjectId: string;
  level: EscalationLevel | null;
  severity: Severity;
  title: string;
  body: string;
  href: string;
  /** How often the subject fired (collapsed firings); the row takes this value. */
  count: number;
  at: Date;
};

export type Notice = NotificationNotice & { userId: string };

export async function upsertNotifications(tx: Prisma.TransactionClient, n: NotificationInput): Promise<Notice[]> {
  const userIds = [...new Set(n.userIds)].sort(); // a fixed order: concurrent writers lock the same rows in the same order
  if (userIds.length === 0) return [];
  const rows = await tx.$queryRaw<{ id: string; user_id: string; count: number }[]>`
    INSERT INTO notification (id, user_id, plant_id, subject_type, subject_id, level, severity, title, body, href, count, created_at, last_at)
    SELECT gen_random_uuid(), u, ${n.plantId}::uuid, ${n.subjectType}, ${n.subjectId}, ${n.level}::escalation_level, ${n.severity}::severity,
           ${n.title}, ${n.body}, ${n.href}, ${n.count}, ${n.at}, ${n.at}
    FROM unnest(${userIds}::uuid[]) AS u
    ON CONFLICT (user_id, subject_type, subject_id) DO UPDATE SET
      count = EXCLUDED.count, last_at = EXCLUDED.last_at, read_at = NULL, level = EXCLUDED.level,
      severity = EXCLUDED.severity, title = EXCLUDED.title, body = EXCLUDED.body, href = EXCLUDED.href, plant_id = EXCLUDED.plant_id
    RETURNING id, user_id, count`;
  return rows.map((r) => ({ userId: r.user_id, id: r.id, title: n.title, href: n.href, severity: n.severity, count: r.count }));
}

/** After commit: each person's bell (their own room only) learns of the new or collapsed notification. */
export function publishNotices(notices: readonly Notice[]): void {
  for (const { userId, ...notice } of notices) publishToUser(userId, "notification.new", notice);
}
