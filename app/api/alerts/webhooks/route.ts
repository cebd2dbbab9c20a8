import { NextResponse } from "next/server";
import { createWebhook, listWebhooks } from "@/server/alerts/webhooks";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/**
 * GET: webhooks with their delivery counts. POST { name, url, plantCode?, enabled?, allowPrivate?, minSeverity? }: a new webhook; the answer
 * holds its signing secret, shown once. The URL must be public https unless allowPrivate is set.
 */
export const GET = handler(async () => NextResponse.json({ webhooks: await listWebhooks(await requireApiUser()) }));

export const POST = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await createWebhook(user, await req.json()), { status: 201 });
});
