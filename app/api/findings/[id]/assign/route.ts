import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { assignFinding } from "@/server/findings/assign-finding";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** POST /api/findings/:id/assign { assigneeId: uuid | null } */
export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await assignFinding(user, id, await req.json()));
});
