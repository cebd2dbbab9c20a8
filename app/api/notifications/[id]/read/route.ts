import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { markNotificationRead } from "@/server/notifications/mark-read";

type Ctx = { params: Promise<{ id: string }> };

/** POST: mark one of the caller's notifications read (another person's: 404). No body. */
export const POST = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await markNotificationRead(user, id));
});
