import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { overview } from "@/server/dashboards/overview";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** GET /api/dashboard: one tile per plant the user may see, worst health first, and the server's "now" (generatedAt). */
export const GET = handler(async () => NextResponse.json(await overview(await requireApiUser())));
