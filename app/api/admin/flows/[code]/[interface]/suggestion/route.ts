import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { suggestExpectation } from "@/server/flow-settings/suggest-expectation";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ code: string; interface: string }> };

/** GET ?windowMinutes=60&weekday=1..7&hour=0..23: the suggestion from the same hour of the week over the last 4 weeks. */
export const GET = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const p = await ctx.params;
  return NextResponse.json(await suggestExpectation(user, p.code, p.interface, Object.fromEntries(new URL(req.url).searchParams)));
});
