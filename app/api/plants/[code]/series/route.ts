import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { plantSeries } from "@/server/dashboards/series";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ code: string }> };

/** GET /api/plants/{code}/series?range=…|from=&to=[&interface=CODE]: the plant page's charts over time. */
export const GET = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { code } = await ctx.params;
  return NextResponse.json(await plantSeries(user, code, Object.fromEntries(new URL(req.url).searchParams)));
});
