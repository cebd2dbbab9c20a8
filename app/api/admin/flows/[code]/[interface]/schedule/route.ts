import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { updateBatchSchedule } from "@/server/flow-settings/update-batch-schedule";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ code: string; interface: string }> };

/** PUT { cron (5 fields, plant zone), completeWithinMinutes, minMessages, enabled, expectedUpdatedAt|null } (audited). */
export const PUT = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const p = await ctx.params;
  return NextResponse.json(await updateBatchSchedule(user, p.code, p.interface, await req.json()));
});
