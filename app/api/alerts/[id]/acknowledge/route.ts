import { NextResponse } from "next/server";
import { acknowledgeAlert } from "@/server/alerts/acknowledge-alert";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

export const POST = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await acknowledgeAlert(user, id));
});
