import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { commentOnException } from "@/server/exceptions/comment-on-exception";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await commentOnException(user, id, await req.json()));
});
