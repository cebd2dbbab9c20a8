import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { getBulk } from "@/server/exceptions/bulk-views";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

export const GET = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json({ operation: await getBulk(user, id) });
});
