import { NextResponse } from "next/server";
import { updateInterface } from "@/server/admin/interfaces";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** PATCH { name?, latencySloMs?, criticality?, requiresApproval?, plants?: { CODE: enabled } } (administrators; audited with before/after). */
export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await updateInterface(user, id, await req.json()));
});
