import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { searchTransactions } from "@/server/transactions/history";

export const dynamic = "force-dynamic";

/** GET /api/transactions?q=&plant=&interface=&status=&from=&to=&cursor=&limit=: history, newest first (keyset cursor). */
export const GET = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await searchTransactions(user, Object.fromEntries(new URL(req.url).searchParams)));
});
