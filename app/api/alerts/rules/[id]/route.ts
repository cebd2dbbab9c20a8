import { NextResponse } from "next/server";
import { updateRule } from "@/server/alerts/rules";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** PATCH: change a rule (any of its fields, e.g. { enabled: false }); administrators; audited with before/after. */
export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await updateRule(user, id, await req.json()));
});
