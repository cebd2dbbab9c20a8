import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { listExceptions, queueFilterSchema } from "@/server/exceptions/queue";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** GET /api/exceptions?plant=&interface=&status=&severity=&category=&code=&assignee=&age=&q=&sort=&cursor=&limit= */
export const GET = handler(async (req: Request) => {
  const user = await requireApiUser();
  const filter = queueFilterSchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  return NextResponse.json(await listExceptions(user, filter));
});
