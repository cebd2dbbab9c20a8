import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { updateExpectation } from "@/server/flow-settings/update-expectation";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ code: string; interface: string }> };

/** PUT { windowMinutes, minCount, maxCount|null, productionOnly, enabled, expectedUpdatedAt|null, suggested? } (audited). */
export const PUT = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const p = await ctx.params;
  return NextResponse.json(await updateExpectation(user, p.code, p.interface, await req.json()));
});
