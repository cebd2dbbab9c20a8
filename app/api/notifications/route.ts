import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { listNotifications } from "@/server/notifications/list-notifications";

export const dynamic = "force-dynamic";

/** GET /api/notifications?limit=50&unread=1: the caller's own notifications, newest first, and their unread count. */
export const GET = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await listNotifications(user, Object.fromEntries(new URL(req.url).searchParams)));
});
