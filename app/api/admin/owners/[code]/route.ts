import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { getOwners } from "@/server/owners/owners-view";
import { updatePlantRoles } from "@/server/owners/update-plant-roles";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ code: string }> };

/** GET: the plant's lead and manager, each interface's owners, and who may hold each (administrators). */
export const GET = handler(async (_req: Request, ctx: Ctx) => NextResponse.json(await getOwners(await requireApiUser(), (await ctx.params).code)));

/** PUT { leadUserId|null, managerUserId|null, expected: { leadUserId, managerUserId } } (audited). */
export const PUT = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  return NextResponse.json(await updatePlantRoles(user, (await ctx.params).code, await req.json()));
});
