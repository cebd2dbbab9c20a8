import { NextResponse } from "next/server";
import { listInterfaces } from "@/server/admin/interfaces";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** GET: every interface with SLO, criticality, approval rule, plants and latest schema version (administrators). */
export const GET = handler(async () => NextResponse.json({ interfaces: await listInterfaces(await requireApiUser()) }));
