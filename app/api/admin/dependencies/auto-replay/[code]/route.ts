import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { setAutoReplay } from "@/server/dependencies/set-auto-replay";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ code: string }> };

/** PUT { autoReplayOnRelease }: whether the interface's released exceptions are replayed by Andon (administrators; audited). */
export const PUT = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { code } = await ctx.params;
  return NextResponse.json(await setAutoReplay(user, code, await req.json()));
});
