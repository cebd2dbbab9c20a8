import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { saveShift } from "@/server/calendar/save-shift";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ code: string }> };

/** POST { name, weekdays: [1..7], start: "HH:MM", end: "HH:MM" }: a new shift (overlapping another ⇒ 400; audited). */
export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  return NextResponse.json(await saveShift(user, (await ctx.params).code, await req.json()), { status: 201 });
});
