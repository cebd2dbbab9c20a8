import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { exceptionRunbook } from "@/server/runbooks/exception-runbook";

type Ctx = { params: Promise<{ id: string }> };

/** The runbook that applies to an exception (its group's, else its error code's) and what fixed it before. */
export const GET = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await exceptionRunbook(user, id));
});
