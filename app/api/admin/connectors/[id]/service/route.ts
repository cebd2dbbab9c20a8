import { NextResponse } from "next/server";
import { setConnectorService } from "@/server/admin/set-connector-service";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** POST { enabled: false | true }: take a connector out of service (its key is refused, no "silent" alert) or put it back (administrators; audited). */
export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await setConnectorService(user, id, await req.json()));
});
