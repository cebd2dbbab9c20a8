import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { NotificationListView } from "@/components/notifications/notification-list";
import { requirePageUser } from "@/server/auth/current-user";
import { listNotifications } from "@/server/notifications/list-notifications";
import { can } from "@/server/policy";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage() {
  const user = await requirePageUser();
  if (!can(user, "notification.read")) notFound();
  return <NotificationListView initial={await listNotifications(user, { limit: 100 })} />;
}
