import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { listFindings } from "@/server/findings/list-findings";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/**
 * GET /api/findings?plant=&interface=&kind=&process=&status=&assignee=&sort=&cursor=&limit=
 * One page of findings of the user's plants (FindingsPage): counts per status and open ones per kind.
 */
export const GET = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await listFindings(user, Object.fromEntries(new URL(req.url).searchParams)));
});
