import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { addDependency } from "@/server/dependencies/add-dependency";
import { listDependencies } from "@/server/dependencies/list-dependencies";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** GET: the dependency catalog, the interfaces and object kinds to choose from. POST { prerequisite, dependent, refKind, description, enabled? } (administrators; audited; a cycle is 400). */
export const GET = handler(async () => NextResponse.json(await listDependencies(await requireApiUser())));

export const POST = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await addDependency(user, await req.json()), { status: 201 });
});
