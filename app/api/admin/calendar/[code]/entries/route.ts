import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { addCalendarEntry } from "@/server/calendar/add-entry";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ code: string }> };

/** POST { kind: "HOLIDAY", date, reason } | { kind: "DOWNTIME", start, end, reason } (plant local time; audited). */
export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  return NextResponse.json(await addCalendarEntry(user, (await ctx.params).code, await req.json()), { status: 201 });
});
