import { NextResponse } from "next/server";
import { setWebhookEnabled } from "@/server/alerts/webhooks";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** PATCH { enabled }: pause or resume a webhook (administrators; audited). */
export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  await setWebhookEnabled(user, id, await req.json());
  return NextResponse.json({ ok: true });
});
