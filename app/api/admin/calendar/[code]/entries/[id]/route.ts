import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { removeCalendarEntry } from "@/server/calendar/remove-entry";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ code: string; id: string }> };

/** DELETE: removes a holiday or downtime (audited). */
export const DELETE = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { code, id } = await ctx.params;
  await removeCalendarEntry(user, code, id);
  return new NextResponse(null, { status: 204 });
});
