import type { ReplayHandler } from "../sdk/replay";
import { CmmsClient, RestCallError } from "./client";
import { maintWorkOrderPayloadSchema } from "./schema";

/**
 * Replays of MAINT_WORK_ORDER whose failed hop ends at the CMMS: the status sync back from the ERP
 * (e.g. Odoo's maintenance.request moved to "Repaired" → the CMMS work order COMPLETED). The handler
 * takes the work order's status from the payload and sets it in the CMMS (`PUT …/status`, source
 * ERP) with the replay's idempotency key. The CMMS's status sync is idempotent by nature: a work
 * order that already has the status answers `changed: false` — delivered. A status behind the
 * current one (CM-STATUS-BACKWARD), an unknown work order (CM-WO-UNKNOWN) or a payload that is no
 * MAINT_WORK_ORDER → business; 5xx, timeouts, dropped connections → technical.
 *
 * Today's catalog has no hop into the CMMS (MAINT_WORK_ORDER flows CMMS → Odoo; its replays go to
 * Odoo): this handler is for the return hop once it is catalogued.
 */
export function cmmsReplayHandler(baseUrl: string, opts: { timeoutMs?: number; fetch?: typeof fetch } = {}): ReplayHandler {
  const client = new CmmsClient({ baseUrl, timeoutMs: opts.timeoutMs ?? 30_000, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  const apply =
    (dryRun: boolean): ReplayHandler["deliver"] =>
    async (job) => {
      if (job.interface !== "MAINT_WORK_ORDER") {
        return {
          status: "failed",
          category: "business",
          code: "INTERFACE_NOT_SUPPORTED",
          message: `The CMMS receives MAINT_WORK_ORDER status, not ${job.interface}`,
          durationMs: 0,
        };
      }
      const parsed = maintWorkOrderPayloadSchema.safeParse(job.payload);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => ({ path: `/${i.path.join("/")}`, message: i.message }));
        return {
          status: "failed",
          category: "business",
          code: "VALIDATION_FAILED",
          message: issues.map((i) => `${i.path}: ${i.message}`).join("; "),
          details: { errors: issues },
          durationMs: 0,
        };
      }
      try {
        const answer = await client.setStatus(
          parsed.data.workOrder,
          parsed.data.status,
          "ERP",
          dryRun ? { dryRun: true } : { idempotencyKey: job.idempotencyKey },
        );
        return { status: "delivered", response: { workOrder: answer.workOrder, status: answer.status, changed: answer.changed }, durationMs: 0 };
      } catch (error) {
        if (!(error instanceof RestCallError)) throw error;
        return { status: "failed", ...error.toFailure(), durationMs: 0 };
      }
    };
  // check: the same PUT validated without commit (X-Dry-Run: true): the CMMS answers from its real state, keeps nothing.
  return { deliver: apply(false), check: apply(true) };
}
