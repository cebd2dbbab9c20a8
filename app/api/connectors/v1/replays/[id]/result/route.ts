import { NextResponse } from "next/server";
import { authenticateConnector } from "@/server/connectors/keys";
import { handler } from "@/server/http/handler";
import { reportReplayResult } from "@/server/replay/pull";

type Ctx = { params: Promise<{ id: string }> };

/** POST the outcome of a leased replay job (a ReplayOutcome). */
export const POST = handler(async (req: Request, ctx: Ctx) => {
  const connector = await authenticateConnector(req.headers.get("authorization"));
  const { id } = await ctx.params;
  return NextResponse.json(await reportReplayResult(connector, id, await req.json()));
});
