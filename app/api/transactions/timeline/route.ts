import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { correlationTimeline } from "@/server/transactions/timeline";

export const dynamic = "force-dynamic";

/** GET /api/transactions/timeline?correlationId=…[&plant=<code>] */
export const GET = handler(async (req: Request) => {
  const user = await requireApiUser();
  const params = new URL(req.url).searchParams;
  const plant = params.get("plant");
  return NextResponse.json({ entries: await correlationTimeline(user, { correlationId: params.get("correlationId"), ...(plant ? { plant } : {}) }) });
});
