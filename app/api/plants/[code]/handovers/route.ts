import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { listHandovers } from "@/server/handover/list-handovers";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ code: string }> };

/** GET /api/plants/{code}/handovers?limit=&before=: the plant's shift handovers, newest shift first. */
export const GET = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { code } = await ctx.params;
  return NextResponse.json(await listHandovers(user, code, Object.fromEntries(new URL(req.url).searchParams)));
});
