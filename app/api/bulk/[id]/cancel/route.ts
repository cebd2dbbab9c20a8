import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { cancelBulk } from "@/server/exceptions/cancel-bulk";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

export const POST = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json({ operation: await cancelBulk(user, id) });
});
