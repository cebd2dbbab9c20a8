import { requireApiUser } from "@/server/auth/current-user";
import { deleteView } from "@/server/exceptions/saved-views";
import { handler } from "@/server/http/handler";

type Ctx = { params: Promise<{ id: string }> };

export const DELETE = handler(async (_req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  await deleteView(user, (await ctx.params).id);
  return new Response(null, { status: 204 });
});
