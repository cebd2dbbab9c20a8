import { NextResponse } from "next/server";
import { verifyChainAs } from "@/server/audit/verify-action";
import { requireApiUser } from "@/server/auth/current-user";
import { handler } from "@/server/http/handler";

export const POST = handler(async () => {
  const user = await requireApiUser();
  return NextResponse.json(await verifyChainAs(user));
});
