import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { updateInterfaceOwners } from "@/server/owners/update-interface-owners";

type Ctx = { params: Promise<{ code: string; interface: string }> };

/** PUT { technicalOwnerId|null, businessOwnerId|null, expected: { technicalOwnerId, businessOwnerId } } (audited). */
export const PUT = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const p = await ctx.params;
  return NextResponse.json(await updateInterfaceOwners(user, p.code, p.interface, await req.json()));
});
