import { NextResponse } from "next/server";
import { requireApiUser } from "@/server/auth/current-user";
import { notFound } from "@/server/http/errors";
import { handler } from "@/server/http/handler";
import { traceQuerySchema, traceStream } from "@/server/trace/export";
import { traceObject } from "@/server/trace/trace-object";

export const dynamic = "force-dynamic";
type Ctx = { params: Promise<{ kind: string; value: string }> };

/**
 * GET /api/trace/{kind}/{value}[?format=json|csv|ndjson]: the traceability of one business object (kind: lot,
 * order, po, material, bom, asn, work-order, inspection-lot, invoice, forecast) in the user's plants — the
 * messages and the time-ordered chain (hops and audit events), the page's rows. CSV and NDJSON are the chain's
 * rows, streamed, times UTC (occurredAtUtc). 404 when no message of the user's plants names the object.
 */
export const GET = handler(async (req: Request, ctx: Ctx) => {
  const user = await requireApiUser();
  const { format } = traceQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  // Route handler params arrive decoded (see /api/transactions/[correlationId]).
  const { kind, value } = await ctx.params;
  const trace = await traceObject(user, kind, value);
  if (!trace) throw notFound("Business object");
  if (format === "json") return NextResponse.json(trace, { headers: { "cache-control": "no-store" } });
  const name = `andon-trace-${trace.kind}-${trace.value.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 60)}.${format}`;
  return new Response(traceStream(trace.rows, format), {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    },
  });
});
