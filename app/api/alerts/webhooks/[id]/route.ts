import { NextResponse } from "next/server";
import { z } from "zod";
import { setWebhookEnabled } from "@/server/alerts/webhooks";
import { requireApiUser } from "@/server/auth/current-user";
import { forbidden } from "@/server/http/errors";
import { handler } from "@/server/http/handler";
import { can } from "@/server/policy";

type Ctx = { params: Promise<{ id: string }> };
const body = z.object({ enabled: z.boolean() }).strict();

/** PATCH { enabled }: pause or resume a webhook (administrators; audited). */
export const PATCH = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  if (!can(user, "alert_rule.manage")) throw forbidden("Only administrators manage alert webhooks");
  await setWebhookEnabled(user, id, body.parse(await req.json()).enabled);
  return NextResponse.json({ ok: true });
});
