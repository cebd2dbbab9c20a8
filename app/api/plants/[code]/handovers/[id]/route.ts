import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { getHandover } from "@/server/handover/get-handover";
import { updateHandoverNotes } from "@/server/handover/update-handover-notes";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ code: string; id: string }> };

/** GET: one handover of the plant. */
export const GET = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { code, id } = await ctx.params;
  return NextResponse.json(await getHandover(user, code, id));
});

/** PUT { notes, version }: the outgoing lead's notes, conditional on the version read (409 when changed meanwhile). */
export const PUT = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { code, id } = await ctx.params;
  return NextResponse.json(await updateHandoverNotes(user, code, id, await req.json()));
});
