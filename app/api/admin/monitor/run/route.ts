import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { requestMonitorRun } from "@/server/monitor/request-run";

/** POST: run the flow monitor now rather than at the next minute (administrators; 202, the findings follow live). */
export const POST = handler(async () => {
  await requestMonitorRun(await requireApiUser());
  return NextResponse.json({ queued: true }, { status: 202 });
});
