import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { approveCorrection } from "@/server/corrections/decide-correction";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await approveCorrection(user, id, await req.json()));
});
