import { NextResponse } from "next/server";
import { updateWebhook } from "@/server/alerts/webhooks";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** PATCH { enabled?, url?, allowPrivate?, minSeverity? }: pause or resume a webhook, change its URL or minimum severity, or allow a private address (administrators; audited). */
export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  await updateWebhook(user, id, await req.json());
  return NextResponse.json({ ok: true });
});
