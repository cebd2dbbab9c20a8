import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { notFound } from "@/server/http/errors";
import { transactionHistory } from "@/server/transactions/history";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ correlationId: string }> };

/** GET /api/transactions/{correlationId}[?plant=<code>]: one business message in full (404 outside the user's plants). */
export const GET = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const plant = new URL(req.url).searchParams.get("plant") ?? undefined; // ?plant=<code>: which plant's message
  // Route handler params arrive decoded: decoding again would turn "a%25b" into a URIError (500) and "corr%2520x" into another id.
  const history = await transactionHistory(user, (await ctx.params).correlationId, plant ? { plant } : {});
  if (!history) throw notFound("Transaction");
  return NextResponse.json(history);
});
