import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { submitCorrection } from "@/server/corrections/submit-correction";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await submitCorrection(user, id, await req.json()));
});
