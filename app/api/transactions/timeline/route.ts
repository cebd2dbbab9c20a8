import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { correlationTimeline } from "@/server/transactions/timeline";

export const dynamic = "force-dynamic";

/** GET /api/transactions/timeline?correlationId=… */
export const GET = handler(async (req: Request) => {
  const user = await requireApiUser();
  const correlationId = new URL(req.url).searchParams.get("correlationId");
  return NextResponse.json({ entries: await correlationTimeline(user, { correlationId }) });
});
