import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { acknowledgeHandover } from "@/server/handover/acknowledge-handover";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ code: string; id: string }> };

/** POST: the incoming lead acknowledges the handover (once: a second acknowledgement answers 409). */
export const POST = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { code, id } = await ctx.params;
  return NextResponse.json(await acknowledgeHandover(user, code, id));
});
