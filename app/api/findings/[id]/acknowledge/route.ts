import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { acknowledgeFinding } from "@/server/findings/acknowledge-finding";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** POST /api/findings/:id/acknowledge: 200 with the finding; 409 when it is no longer open. */
export const POST = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  return NextResponse.json(await acknowledgeFinding(user, (await ctx.params).id));
});
