import { NextResponse } from "next/server";
import { createUser, listUsers } from "@/server/admin/users";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

export const dynamic = "force-dynamic";

/** GET: every user with role, plants and state. POST: a new user with an initial password (administrators; audited). */
export const GET = handler(async () => NextResponse.json({ users: await listUsers(await requireApiUser()) }));

export const POST = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await createUser(user, await req.json()), { status: 201 });
});
