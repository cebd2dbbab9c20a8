import { NextResponse } from "next/server";
import { addSchemaVersion, listSchemaVersions } from "@/server/admin/interfaces";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ id: string }> };

/** GET: every schema version, newest first. POST { schema }: the next version, refused unless it is a usable JSON Schema (audited with its diff). */
export const GET = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await listSchemaVersions(user, id));
});

export const POST = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { id } = await ctx.params;
  return NextResponse.json(await addSchemaVersion(user, id, await req.json()), { status: 201 });
});
