import { NextResponse } from "next/server";
import { updateConnector } from "@/server/admin/connectors";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** PATCH { name?, replayRatePerSec?, replayConcurrency?, replayAllowPrivate? }: change a connector (administrators; audited with before/after). */
export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await updateConnector(user, id, await req.json()));
});
