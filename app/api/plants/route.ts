import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { listPlants } from "@/server/plants/list-plants";
import { createPlant } from "@/server/plants/update-plant";

export const dynamic = "force-dynamic";

/** GET: the plants the user may see. POST { code, name, timezone }: a new plant (administrators; audited). */
export const GET = handler(async () => {
  const user = await requireApiUser();
  return NextResponse.json({ plants: await listPlants(user) });
});

export const POST = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await createPlant({ user, input: await req.json() }), { status: 201 });
});
