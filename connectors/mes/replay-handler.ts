import type { ReplayHandler } from "../sdk/replay";
import { createMesClient, MesClientError } from "./client";
import { prodordReleaseSchema } from "./schema";

/**
 * The MES connector's replay handler for PRODORD_RELEASE: converts the JSON payload to a B2MML
 * Process/ChangeProductionSchedule (BODID derived from the replay's idempotency key, which is also
 * sent as Idempotency-Key, so a retried attempt is applied once) and maps the MES's answer:
 * AcknowledgeProductionSchedule → delivered (response: order number, MES status, the MES's BODID);
 * ConfirmBOD / 4xx → business failure with the MES's own code (MES-UOM-001 …); 5xx, timeout,
 * refused or dropped connection → technical (Andon retries with the same key).
 */
export function mesReplayHandler(baseUrl: string, opts: { timeoutMs?: number; sender?: string } = {}): ReplayHandler {
  const client = createMesClient(baseUrl, { timeoutMs: opts.timeoutMs });
  const post =
    (dryRun: boolean): ReplayHandler["deliver"] =>
    async (job) => {
      if (job.interface !== "PRODORD_RELEASE") {
        return { status: "failed", category: "business", code: "MES-NO-MAPPING", message: `The MES receives no interface ${job.interface}`, durationMs: 0 };
      }
      const parsed = prodordReleaseSchema.safeParse(job.payload);
      if (!parsed.success) {
        return {
          status: "failed",
          category: "business",
          code: "PAYLOAD_INVALID",
          message: parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; "),
          durationMs: 0,
        };
      }
      try {
        const answer = await client.releaseOrder(
          parsed.data,
          dryRun ? { dryRun: true, sender: opts.sender } : { idempotencyKey: job.idempotencyKey, sender: opts.sender },
        );
        const request = answer.acknowledgement.requests[0];
        return {
          status: "delivered",
          response: {
            orderNumber: request?.orderNumber ?? null,
            mesStatus: request?.mesStatus ?? null,
            requestState: request?.requestState ?? null,
            acknowledgeBodId: answer.acknowledgement.applicationArea.bodId,
            replayed: answer.replayed,
          },
          durationMs: 0,
        };
      } catch (error) {
        if (error instanceof MesClientError) {
          return {
            status: "failed",
            category: error.category,
            code: error.code,
            message: error.message,
            ...(error.details ? { details: error.details } : {}),
            durationMs: 0,
          };
        }
        throw error;
      }
    };
  // check: the same B2MML message with X-Dry-Run: true — the MES answers Accepted or its refusal and keeps nothing.
  return { deliver: post(false), check: post(true) };
}
