import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { processView } from "@/server/findings/process-view";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** GET /api/processes: business processes × the user's plants, each cell's state and counts (ProcessView). */
export const GET = handler(async () => NextResponse.json(await processView(await requireApiUser())));
