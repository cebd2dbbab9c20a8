import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { listBulk } from "@/server/exceptions/bulk-views";
import { startBulk } from "@/server/exceptions/start-bulk";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** The signed-in user's recent bulk actions. */
export const GET = handler(async () => NextResponse.json({ operations: await listBulk(await requireApiUser()) }));

/** Start a bulk action (runs in the background; progress over the socket and GET /api/bulk/{id}). */
export const POST = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json({ operation: await startBulk(user, await req.json()) }, { status: 202 });
});
