import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { listExceptions, queueFilterSchema } from "@/server/exceptions/queue";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/**
 * GET /api/exceptions?plant=&interface=&status=&severity=&category=&code=&assignee=&age=&q=&fingerprint=&sort=&cursor=&limit=
 * One page of the queue with its counts per status (open ones exact, closed ones up to 1,000), what the
 * filter matches, the group it names and the server's clock (QueuePage).
 */
export const GET = handler(async (req: Request) => {
  const user = await requireApiUser();
  const filter = queueFilterSchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return NextResponse.json(await listExceptions(user, filter));
});
