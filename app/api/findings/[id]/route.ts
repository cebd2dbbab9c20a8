import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { findingDetail } from "@/server/findings/finding-detail";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** GET /api/findings/:id: the finding with what explains it (FindingDetail); 404 outside the user's plants. */
export const GET = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  return NextResponse.json(await findingDetail(user, (await ctx.params).id));
});
