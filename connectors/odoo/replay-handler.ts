import type { ReplayHandler } from "../sdk/replay";
import type { OdooClient } from "./client";
import { OdooError } from "./errors";

/**
 * The Odoo connector's replay handler: re-creates the record with the replay's idempotency key in the
 * call context (applied at most once), choosing the model by interface. Odoo's business exceptions
 * are business refusals; AccessDenied, transport trouble and 5xx are technical (retried by Andon).
 */
export function odooReplayHandler(client: OdooClient, modelByInterface: Record<string, string>): ReplayHandler {
  return {
    async deliver(job) {
      const model = modelByInterface[job.interface];
      if (!model)
        return { status: "failed", category: "business", code: "NO_MODEL", message: `No Odoo model is mapped for interface ${job.interface}`, durationMs: 0 };
      try {
        const id = await client.create(model, job.payload as Record<string, unknown>, { idempotencyKey: job.idempotencyKey });
        return { status: "delivered", response: { model, id }, durationMs: 0 };
      } catch (err) {
        if (err instanceof OdooError) return { status: "failed", category: err.category, code: err.name, message: err.message, durationMs: 0 };
        throw err;
      }
    },
  };
}
