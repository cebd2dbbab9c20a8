import type { ReplayHandler, ReplayOutcome } from "../sdk/replay";
import { EdiPortalClient, EdiPortalError } from "./client";
import { acknowledgeAsn } from "./receiving";
import { supplierAsnPayloadSchema } from "./schema";
import type { ApplicationVerdict, RefusalCode } from "./x12";

/**
 * Replay of SUPPLIER_ASN. The replay's target is the receiving system (Odoo / WMS: their handlers, given
 * as `receiving`); the supplier portal is the source and receives no ASN. What does reach the portal,
 * naturally, is the receiving side's answer: once the replayed ASN is applied (or refused again), the
 * supplier gets an application advice (X12 824 / EDIFACT APERAK, in the syntax of the ASN's latest
 * interchange) for that interchange, applied once per replay (control number and Idempotency-Key derive
 * from the replay's key).
 *
 * The outcome is the receiving system's: delivered stays delivered even if the portal cannot be told
 * (`response.supplierAcknowledgment.error` says why); a technical failure of the receiving system sends
 * nothing. The functional acknowledgment (997 / CONTRL) is not sent again: it answered the syntax of
 * the original interchange, which a replay of the JSON form does not change.
 */
export interface EdiReplayHandlerOptions {
  /** The receiving system's replay handler (it gets the job unchanged, with the same idempotency key). */
  receiving: ReplayHandler;
  /** Refusal code for a business failure of the receiving system; default: guessed from its code and message. */
  classifyRefusal?: (failure: Extract<ReplayOutcome, { status: "failed" }>) => RefusalCode;
  timeoutMs?: number;
}

/** A guess of the refusal from another system's failure code and message. */
export function guessRefusal(failure: { code: string; message: string }): RefusalCode {
  const text = `${failure.code} ${failure.message}`.toLowerCase();
  if (/duplicate|already (exists|received|posted)/.test(text)) return "DUPLICATE_ASN";
  if (/over|exceed|more than|too (much|many)|open quantity/.test(text)) return "QTY_OVER_PO";
  if (/purchase.?order|po[ _-]?(line|unknown)|\bpo\b|missingerror|does not exist|unknown/.test(text)) return "PO_UNKNOWN";
  return "OTHER";
}

/** The ASN form's own check: a business failure ASN_INVALID naming every problem, or the parsed ASN. */
function parseAsn(payload: unknown) {
  const parsed = supplierAsnPayloadSchema.safeParse(payload);
  if (parsed.success) return { ok: true as const, asn: parsed.data };
  const message = parsed.error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
  return { ok: false as const, failure: { status: "failed", category: "business", code: "ASN_INVALID", message, durationMs: 0 } satisfies ReplayOutcome };
}

export function ediReplayHandler(portalBaseUrl: string, options: EdiReplayHandlerOptions): ReplayHandler {
  const portal = new EdiPortalClient(portalBaseUrl, { timeoutMs: options.timeoutMs });
  const classify = options.classifyRefusal ?? guessRefusal;
  const receivingCheck = options.receiving.check?.bind(options.receiving);
  return {
    // A dry run: the ASN form's check, then the receiving system's own test mode. The supplier is told
    // nothing (no application advice: nothing was received). Without a receiving check: not supported.
    ...(receivingCheck
      ? {
          async check(job) {
            const parsed = parseAsn(job.payload);
            return parsed.ok ? receivingCheck(job) : parsed.failure;
          },
        }
      : {}),
    async deliver(job) {
      const parsed = parseAsn(job.payload);
      if (!parsed.ok) return parsed.failure;
      const outcome = await options.receiving.deliver(job);
      if (outcome.status === "failed" && outcome.category === "technical") return outcome;

      const asn = parsed.asn;
      const verdict: ApplicationVerdict =
        outcome.status === "delivered"
          ? { status: "accepted" }
          : {
              status: "refused",
              refusals: [
                {
                  code: classify(outcome),
                  message: outcome.message,
                  ...refusedLine(
                    outcome,
                    asn.lines.map((l) => l.poLine),
                  ),
                },
              ],
            };
      let supplierAcknowledgment: Record<string, unknown>;
      try {
        const subject = await portal.asnEdi(asn.asnNumber);
        const sent = await acknowledgeAsn(portalBaseUrl, subject, verdict, {
          idempotencyKey: job.idempotencyKey,
          functional: false,
          timeoutMs: options.timeoutMs,
        });
        supplierAcknowledgment = { ...sent.application, verdict: verdict.status };
      } catch (error) {
        const reason = error instanceof EdiPortalError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
        supplierAcknowledgment = { error: reason, verdict: verdict.status };
      }
      if (outcome.status === "delivered") {
        const response = outcome.response && typeof outcome.response === "object" ? outcome.response : { receiving: outcome.response ?? null };
        return { ...outcome, response: { ...response, supplierAcknowledgment } };
      }
      return { ...outcome, details: { ...(outcome.details ?? {}), supplierAcknowledgment } };
    },
  };
}

/** The PO line a refusal names (its details.poLine, or "line 30" in its message), if it is one of the ASN's. */
function refusedLine(failure: { message: string; details?: Record<string, unknown> }, poLines: string[]): { poLine?: string } {
  const fromDetails = failure.details?.poLine;
  if (typeof fromDetails === "string" || typeof fromDetails === "number") return { poLine: String(fromDetails) };
  const match = /\bline\s+0*(\d{1,6})\b/i.exec(failure.message);
  if (match && poLines.some((l) => Number(l) === Number(match[1]))) return { poLine: match[1] };
  return {};
}
