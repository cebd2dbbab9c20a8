import { NextResponse } from "next/server";
import { resolveAlert } from "@/server/alerts/resolve-alert";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

/** The note is optional: an empty body is {}; a malformed one is still a 400. */
async function optionalJson(req: Request): Promise<unknown> {
  const text = await req.text();
  return text.trim() ? JSON.parse(text) : {};
}

type Ctx = { params: Promise<{ id: string }> };

export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await resolveAlert(user, id, await optionalJson(req)));
});
