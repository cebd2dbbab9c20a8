import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { rejectReplayRequest } from "@/server/replay/reject-replay-request";

type Ctx = { params: Promise<{ id: string }> };

/** Body: { comment, payloadHash? }. */
export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await rejectReplayRequest(user, id, await req.json()));
});
