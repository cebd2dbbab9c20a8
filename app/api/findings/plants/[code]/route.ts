import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { plantFindings } from "@/server/findings/plant-findings";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ code: string }> };

/** GET /api/findings/plants/:code: the plant page's panel (open findings, counts, the three silences); 404 outside the user's plants. */
export const GET = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  return NextResponse.json(await plantFindings(user, (await ctx.params).code));
});
