import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { previewPatch } from "@/server/exceptions/preview-patch";
import { handler } from "@/server/http/handler";

/** Dry run of one JSON Patch over a selection: per-item validation, nothing written. */
export const POST = handler(async (req: Request) => {
  const user = await requireApiUser();
  return NextResponse.json(await previewPatch(user, await req.json()));
});
