import { NextResponse } from "next/server";
import { updateUser } from "@/server/admin/users";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** PATCH { name?, role?, plants?, active? }: change a user (administrators; audited with before/after; users are never deleted). */
export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await updateUser(user, id, await req.json()));
});
