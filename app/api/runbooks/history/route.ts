import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { runbookKeySchema } from "@/server/runbooks/keys";
import { runbookHistory } from "@/server/runbooks/load-runbooks";

/** GET ?key=… — every version of a runbook, newest first, each with its diff against the one before. */
export const GET = handler(async (req: Request) => {
  await requireApiUser();
  const key = runbookKeySchema.parse(new URL(req.url).searchParams.get("key") ?? "");
  return NextResponse.json({ key, versions: await runbookHistory(key) });
});
