import type { ReplayHandler } from "../sdk/replay";
import { RestCallError, WmsClient } from "./client";

/**
 * The WMS connector's replay handler for SUPPLIER_ASN: posts the ASN (its JSON form, as approved)
 * as an expected receipt with the replay's idempotency key. Created → delivered (response: the
 * expected receipt number). A refusal (duplicate ASN, unknown PO line or material, unit not mapped,
 * quantity over the PO, invalid ASN) → business failure with the WMS's code and text. 5xx, 408/429,
 * timeout or a dropped connection → technical: Andon retries with the same key, which the WMS
 * applies once. A duplicate ASN names the existing expected receipt in `details`.
 */
export function wmsReplayHandler(baseUrl: string, opts: { timeoutMs?: number; fetch?: typeof fetch } = {}): ReplayHandler {
  const client = new WmsClient({ baseUrl, timeoutMs: opts.timeoutMs ?? 30_000, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  const post =
    (dryRun: boolean): ReplayHandler["deliver"] =>
    async (job) => {
      if (job.interface !== "SUPPLIER_ASN") {
        return {
          status: "failed",
          category: "business",
          code: "INTERFACE_NOT_SUPPORTED",
          message: `The WMS receives SUPPLIER_ASN, not ${job.interface}`,
          durationMs: 0,
        };
      }
      try {
        const receipt = await client.receiveAsn(job.payload, dryRun ? { dryRun: true } : { idempotencyKey: job.idempotencyKey });
        return {
          status: "delivered",
          response: { expectedReceipt: receipt.expectedReceipt, asnNumber: receipt.asnNumber, warehouse: receipt.warehouse, status: receipt.status },
          durationMs: 0,
        };
      } catch (error) {
        if (!(error instanceof RestCallError)) throw error;
        return { status: "failed", ...error.toFailure(), durationMs: 0 };
      }
    };
  // check: the same POST validated without commit (X-Dry-Run: true): the WMS answers from its real state, writes nothing.
  return { deliver: post(false), check: post(true) };
}
