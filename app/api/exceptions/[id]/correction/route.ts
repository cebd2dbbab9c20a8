import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { saveCorrection } from "@/server/corrections/save-correction";
import { BODY_LIMITS } from "@/server/http/body";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

/** Save the exception's correction as a draft (validated; invalid payloads are kept as drafts). */
export const POST = handler(
  async (req: Request, ctx: Ctx) => {
    const user = await requireApiUser();
    const { id } = await ctx.params;
    return NextResponse.json(await saveCorrection(user, id, await req.json()));
  },
  { maxBodyBytes: BODY_LIMITS.correction },
);
