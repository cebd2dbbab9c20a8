import { NextResponse } from "next/server";
import { authenticateConnector } from "@/server/connectors/keys";
import { handler } from "@/server/http/handler";
import { leaseReplays } from "@/server/replay/pull";

export const dynamic = "force-dynamic";

/** GET ?wait=20&max=10&visibility=60 — long poll: lease this connector's pending replay jobs. */
export const GET = handler(async (req: Request) => {
  const connector = await authenticateConnector(req.headers.get("authorization"));
  const jobs = await leaseReplays(connector, Object.fromEntries(new URL(req.url).searchParams), req.signal);
  return NextResponse.json({ jobs });
});
