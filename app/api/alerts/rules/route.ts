import { NextResponse } from "next/server";
import { createRule, listRules } from "@/server/alerts/rules";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** GET: the alert rules (anyone who may read alerts). POST: a new rule (administrators; audited). */
export const GET = handler(async () => NextResponse.json({ rules: await listRules(await requireApiUser()) }));

export const POST = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await createRule(user, await req.json()), { status: 201 });
});
