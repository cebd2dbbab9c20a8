import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { readOptionalJson } from "@/server/http/body";
import { handler } from "@/server/http/handler";
import { requestReplay } from "@/server/replay/request-replay";

type Ctx = { params: Promise<{ id: string }> };

export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await requestReplay(user, id, await readOptionalJson(req)));
});
