import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { getCalendarAdmin } from "@/server/calendar/calendar-view";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ code: string }> };

/** GET: the plant's shifts and its holidays and planned downtime from now on (administrators). */
export const GET = handler(async (_req: Request, ctx: Ctx) => NextResponse.json(await getCalendarAdmin(await requireApiUser(), (await ctx.params).code)));
