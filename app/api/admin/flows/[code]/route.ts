import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { getFlowSettings } from "@/server/flow-settings/flow-settings-view";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ code: string }> };

/** GET: the plant's flows with their expected traffic and batch schedules (next runs) (administrators). */
export const GET = handler(async (_req: Request, ctx: Ctx) => NextResponse.json(await getFlowSettings(await requireApiUser(), (await ctx.params).code)));
