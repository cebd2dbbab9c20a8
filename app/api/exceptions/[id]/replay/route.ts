import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { readOptionalJson } from "@/server/http/body";
import { handler } from "@/server/http/handler";
import { requestReplay } from "@/server/replay/request-replay";

type Ctx = { params: Promise<{ id: string }> };

/** 200 with the queued replay, or 202 with the replay request when a second person must approve it first. */
export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  const r = await requestReplay(user, id, await readOptionalJson(req));
  return r.kind === "queued" ? NextResponse.json(r.replay) : NextResponse.json(r.request, { status: 202 });
});
