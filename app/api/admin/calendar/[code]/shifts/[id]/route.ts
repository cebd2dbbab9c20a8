import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { deleteShift } from "@/server/calendar/delete-shift";
import { saveShift } from "@/server/calendar/save-shift";
import { readOptionalJson } from "@/server/http/body";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ code: string; id: string }> };

/** PUT { name, weekdays, start, end, expectedUpdatedAt }: edits the shift as read (changed meanwhile ⇒ 409; audited). */
export const PUT = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { code, id } = await ctx.params;
  return NextResponse.json(await saveShift(user, code, await req.json(), id));
});

/** DELETE { expectedUpdatedAt }: removes the shift as read (audited). */
export const DELETE = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { code, id } = await ctx.params;
  // The body is read before the permission check: a missing or malformed one becomes {} so a refusal stays 403/404 (the action answers 400 for it when allowed).
  const body = await readOptionalJson(req);
  await deleteShift(user, code, id, body);
  return new NextResponse(null, { status: 204 });
});
