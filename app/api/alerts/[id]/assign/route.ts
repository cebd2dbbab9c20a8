import { NextResponse } from "next/server";
import { assignAlert } from "@/server/alerts/assign-alert";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await assignAlert(user, id, await req.json()));
});
