import { NextResponse } from "next/server";
import { requestEvaluation } from "@/server/alerts/evaluate";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

/** POST: evaluate the alert rules now (administrators), e.g. right after changing one. 202: queued. */
export const POST = handler(async () => {
  await requestEvaluation(await requireApiUser());
  return NextResponse.json({ queued: true }, { status: 202 });
});
