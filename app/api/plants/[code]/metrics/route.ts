import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { plantInterfaceMetrics } from "@/server/dashboards/plant-metrics";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ code: string }> };

/** GET /api/plants/{code}/metrics?range=1h|24h|7d|30d (or from=&to=): per-interface figures from the rollups. */
export const GET = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { code } = await ctx.params;
  return NextResponse.json(await plantInterfaceMetrics(user, code, Object.fromEntries(new URL(req.url).searchParams)));
});
