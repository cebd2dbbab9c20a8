import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { getRetentionPolicy, updateRetentionPolicy } from "@/server/retention";

export const dynamic = "force-dynamic";

/** GET: the retention policy. PATCH { telemetryDays?, payloadDays? }: change it (administrators; audited). */
export const GET = handler(async () => NextResponse.json(await getRetentionPolicy(await requireApiUser())));

export const PATCH = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await updateRetentionPolicy(user, await req.json()));
});
