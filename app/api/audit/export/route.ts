import { csvHeader, csvRow, exportAuditEvents, exportQuerySchema } from "@/server/audit/list-events";
import { requireApiUser } from "@/server/auth/current-user";
import { forbidden } from "@/server/http/errors";
import { handler } from "@/server/http/handler";
import { can } from "@/server/policy";

export const dynamic = "force-dynamic";

/**
 * GET /api/audit/export?format=ndjson|csv&type=&actor=&entity=&plant=&from=&to=: the trail with the page's
 * filters (the same parsing and resolution), streamed oldest first in batches, so a year of events never
 * sits in memory. Rows carry their hashes: an export of the whole trail can be re-verified offline. Times
 * are UTC, ISO 8601 with "Z" (the CSV header says occurredAtUtc).
 */
export const GET = handler(async (req: Request) => {
  const user = await requireApiUser();
  if (!can(user, "audit.export")) throw forbidden("Only auditors can export the audit trail");
  const { format, ...filter } = exportQuerySchema.parse(Object.fromEntries(new URL(req.url).searchParams));
  const rows = exportAuditEvents(user, filter);
  // The first batch is read before answering: a filter that names nothing is a 400, not a cut-off download.
  let pending: IteratorResult<Record<string, unknown>> | null = await rows.next();
  const encoder = new TextEncoder();
  let headerSent = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (format === "csv" && !headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvHeader()));
        return;
      }
      const { value, done } = pending ?? (await rows.next());
      pending = null;
      if (done) controller.close();
      else controller.enqueue(encoder.encode(format === "csv" ? csvRow(value) : `${JSON.stringify(value)}\n`));
    },
    async cancel() {
      await rows.return(undefined);
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
