import { NextResponse } from "next/server";
import { changeConnectorKey } from "@/server/admin/connectors";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/**
 * POST { action: "rotate" | "revoke" }: rotate answers the new key (once; the old key is refused from now on), revoke removes it.
 * Either way the push-replay endpoint registered with the old key is forgotten.
 */
export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await changeConnectorKey(user, id, await req.json()), { headers: { "Cache-Control": "no-store" } });
});
