import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { getEscalationLadders } from "@/server/owners/escalation-ladder";

export const dynamic = "force-dynamic";

/** GET: the escalation ladder of each criticality (administrators). */
export const GET = handler(async () => NextResponse.json({ ladders: await getEscalationLadders(await requireApiUser()) }));
