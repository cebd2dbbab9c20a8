import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { updatePlant } from "@/server/plants/update-plant";

type Ctx = { params: Promise<{ code: string }> };

export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { code } = await ctx.params;
  const plant = await updatePlant({ user, code, input: await req.json() });
  return NextResponse.json({ plant });
});
