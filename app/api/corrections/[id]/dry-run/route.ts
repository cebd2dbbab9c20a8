import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { dryRunCorrection } from "@/server/corrections/dry-run";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** Checks the correction's current payload against its target without posting (no body). */
export const POST = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await dryRunCorrection(user, id));
});
