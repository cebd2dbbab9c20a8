import { csvHeader, csvRow, exportAuditEvents, exportQuerySchema } from "@/server/audit/list-events";
import { requireApiUser } from "@/server/auth/current-user";
import { forbidden } from "@/server/http/errors";
import { handler } from "@/server/http/handler";
import { can } from "@/server/policy";

export const dynamic = "force-dynamic";

/**
 * GET /api/audit/export?format=ndjson|csv&type=&actor=&entity=&plant=&from=&to=: the (filtered) trail,
 * streamed oldest first in batches, so a year of events never sits in memory. Rows carry their hashes:
 * an export of the whole trail can be re-verified offline.
 */
export const GET = handler(async (req: Request) => {
  const user = await requireApiUser();
  if (!can(user, "audit.export")) throw forbidden("Only auditors can export the audit trail");
  const { format, ...filter } = exportQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  const rows = exportAuditEvents(user, filter);
  const encoder = new TextEncoder();
  let headerSent = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (format === "csv" && !headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvHeader()));
        return;
      }
      const { value, done } = await rows.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(format === "csv" ? csvRow(value) : `${JSON.stringify(value)}\n`));
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(body, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson",
      "content-disposition": `attachment; filename="andon-audit-${stamp}.${format}"`,
      "cache-control": "no-store",
    },
  });
});
