import { NextResponse } from "next/server";
import { z } from "zod";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";
import { runbookKeySchema } from "@/server/runbooks/keys";
import { currentRunbook } from "@/server/runbooks/load-runbooks";
import { saveRunbook } from "@/server/runbooks/save-runbook";
import { forbidden } from "@/server/http/errors";
import { can } from "@/server/policy";

/** GET ?key=group:…&key=code:… — the current runbook of the first key that has one (the group view asks this way). */
export const GET = handler(async (req: Request) => {
  const user = await requireApiUser();
  const keys = z.array(runbookKeySchema).min(1).max(2).parse(new URL(req.url).searchParams.getAll("key"));
  return NextResponse.json({ runbook: await currentRunbook(keys), canWrite: can(user, "runbook.write") });
});

/** POST { key, title, body, baseVersion } — saves the next version (approvers and admins). */
export const POST = handler(async (req: Request) => {
  const user = await requireApiUser();
  // The role first: a person who may not write runbooks learns that (403), not what their body lacked.
  if (!can(user, "runbook.write")) throw forbidden("Only approvers and administrators edit runbooks");
  const { runbook, changed } = await saveRunbook(user, await req.json());
  return NextResponse.json({ runbook: { id: runbook.id, key: runbook.key, version: runbook.version, title: runbook.title }, changed });
});
