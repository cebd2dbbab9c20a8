import { NextResponse } from "next/server";
import { listAlerts } from "@/server/alerts/list-alerts";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** GET /api/alerts?status=open|all|FIRING|ACKNOWLEDGED|RESOLVED&plant=CODE: the inbox of the user's plants. */
export const GET = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await listAlerts(user, Object.fromEntries(new URL(req.url).searchParams)));
});
