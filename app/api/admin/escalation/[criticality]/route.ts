import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { updateEscalationLadder } from "@/server/owners/update-escalation-ladder";

type Ctx = { params: Promise<{ criticality: string }> };

/** PUT { steps: [{ level, afterMinutes }], expected: [the steps read] } (audited). */
export const PUT = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  return NextResponse.json({ steps: await updateEscalationLadder(user, (await ctx.params).criticality, await req.json()) });
});
