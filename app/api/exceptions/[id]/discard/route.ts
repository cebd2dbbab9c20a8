import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { discardException } from "@/server/exceptions/discard-exception";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await discardException(user, id, await req.json()));
});
