import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { listSavedViews, saveView } from "@/server/exceptions/saved-views";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

export const GET = handler(async () => NextResponse.json({ views: await listSavedViews(await requireApiUser()) }));

export const POST = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json({ view: await saveView(user, await req.json()) }, { status: 201 });
});
