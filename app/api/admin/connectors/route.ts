import { NextResponse } from "next/server";
import { createConnector, listConnectors } from "@/server/admin/connectors";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** GET: every connector with its key hint and state. POST { plant, system, name }: a new connector; its key is in this answer only. */
export const GET = handler(async () => NextResponse.json({ connectors: await listConnectors(await requireApiUser()) }));

export const POST = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await createConnector(user, await req.json()), { status: 201, headers: { "Cache-Control": "no-store" } });
});
