import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { removeDependency } from "@/server/dependencies/remove-dependency";
import { updateDependency } from "@/server/dependencies/update-dependency";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** PATCH { description?, enabled?, refKind? } / DELETE: change or remove a dependency (administrators; audited with before/after). */
export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await updateDependency(user, id, await req.json()));
});

export const DELETE = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await removeDependency(user, id));
});
