import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { listPlants } from "@/server/plants/list-plants";

export const dynamic = "force-dynamic";

export const GET = handler(async () => {
  const user = await requireApiUser();
  return NextResponse.json({ plants: await listPlants(user) });
});
