import { NextResponse } from "next/server";
import { ingestOpenApi } from "@/server/ingest/openapi";

export const dynamic = "force-static";

export function GET() {
  return NextResponse.json(ingestOpenApi());
}
