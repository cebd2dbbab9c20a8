import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { markAllNotificationsRead } from "@/server/notifications/mark-read";

/** POST: mark all of the caller's notifications read. No body. */
export const POST = handler(async () => NextResponse.json(await markAllNotificationsRead(await requireApiUser())));
