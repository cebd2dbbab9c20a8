import type { ReplayHandler } from "../sdk/replay";
import type { SapInboundResponse } from "./inbound";
import { classifyStatusRecord } from "./status";

/**
 * The SAP connector's replay handler: posts the IDoc (JSON form) to SAP's inbound endpoint with the
 * replay's idempotency key, and turns SAP's answer into an outcome: status 53 → delivered; 51/68 →
 * business refusal; HTTP 5xx, status 02 or no answer → technical (Andon retries with the same key).
 * A 4xx is a refused document (invalid IDoc): business, a person has to look at it.
 */
export function sapReplayHandler(inboundBaseUrl: string, opts: { timeoutMs?: number } = {}): ReplayHandler {
  return {
    async deliver(job) {
      const res = await fetch(`${inboundBaseUrl}/sap/idoc/inbound`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": job.idempotencyKey },
        body: JSON.stringify(job.payload),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
      if (!res.ok) {
        return {
          status: "failed",
          category: res.status >= 500 ? "technical" : "business",
          code: `HTTP-${res.status}`,
          message: (await res.text()).slice(0, 1000),
          durationMs: 0,
        };
      }
      const answer = (await res.json()) as SapInboundResponse;
      const last = answer.statusRecords.at(-1);
      const failure = last ? classifyStatusRecord(last) : null;
      return failure
        ? { status: "failed", category: failure.category, code: failure.code, message: failure.message, details: failure.details, durationMs: 0 }
        : { status: "delivered", response: { docnum: answer.docnum, status: answer.status, materialDocument: answer.materialDocument ?? null }, durationMs: 0 };
    },
  };
}
