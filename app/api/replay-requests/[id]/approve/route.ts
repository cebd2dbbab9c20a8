import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { approveReplayRequest } from "@/server/replay/approve-replay-request";

type Ctx = { params: Promise<{ id: string }> };

/** Body: { payloadHash, comment? } — the hash of the payload the approver reviewed. */
export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await approveReplayRequest(user, id, await req.json()));
});
