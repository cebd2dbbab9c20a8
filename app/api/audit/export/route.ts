import { exportAuditEvents } from "@/server/audit/list-events";
import { requireApiUser } from "@/server/auth/current-user";
import { forbidden } from "@/server/http/errors";
import { handler } from "@/server/http/handler";
import { can } from "@/server/policy";

export const dynamic = "force-dynamic";

/** The whole trail as NDJSON, streamed oldest first. */
export const GET = handler(async () => {
  const user = await requireApiUser();
  if (!can(user, "audit.export")) throw forbidden("Only auditors can export the audit trail");
  const rows = exportAuditEvents(user);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await rows.next();
      if (done) controller.close();
      else controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(body, {
    headers: { "content-type": "application/x-ndjson", "content-disposition": `attachment; filename="andon-audit-${stamp}.ndjson"`, "cache-control": "no-store" },
  });
});
