import { STATUS_CODES } from "node:http";
import type { SystemKind } from "../db/generated/enums";
import { systemInSentence } from "../../lib/labels";

/**
 * One replay attempt as people read it. An attempt has two answers that raw fields mix up: the
 * connector's HTTP status (200 when it could tell Andon what happened) and the target system's own
 * verdict, which the connector forwards as a code ("HTTP-503" when SAP answered 503, "M7-021" for an
 * SAP message). "push · failed · HTTP 200 · HTTP-503" reads as a contradiction; this says who answered
 * what: "Push delivery failed: SAP ERP answered 503 (Service Unavailable)".
 */
export type AttemptFacts = {
  mode: string;
  outcome: string;
  httpStatus: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** How the failure was classified (stored with the attempt's answer since issue 17; older attempts: unknown). */
  category: "business" | "technical" | null;
};

/** Failures Andon itself classifies (server/replay/deliver-replay.ts): what happened, in words. */
const ANDON_CODES: Record<string, string> = {
  NO_ENDPOINT: "the connector has no replay endpoint registered (its key was rotated or revoked)",
  DESTINATION_REFUSED: "the connector's address is not allowed by an administrator",
  CONNECTOR_UNREACHABLE: "the connector could not be reached",
  INVALID_RESPONSE: "the connector's answer could not be read",
  DELIVERY_ERROR: "an unexpected error occurred while sending",
};

const statusText = (status: number) => {
  const text = STATUS_CODES[status];
  return text ? `${status} (${text})` : String(status);
};

const modeWord = (mode: string) => (mode === "pull" ? "Pull" : "Push");

/** "Push delivery failed: SAP ERP answered 503 (Service Unavailable)" — one sentence, no raw codes left unexplained. */
export function describeAttempt(a: AttemptFacts, system: SystemKind | null): string {
  const mode = modeWord(a.mode);
  const target = system ? systemInSentence(system) : "the target system";
  if (a.outcome === "delivered") return `${mode} delivery succeeded: ${target} accepted the message`;
  const code = a.errorCode ?? "";
  const targetHttp = /^HTTP-(\d{3})$/.exec(code);
  const message = a.errorMessage?.trim() ?? "";
  // The connector itself answered an error status (it did not get to ask the target).
  if (targetHttp && a.httpStatus !== null && a.httpStatus === Number(targetHttp[1]))
    return `${mode} delivery failed: the connector answered ${statusText(a.httpStatus)}`;
  // The connector answered (200), forwarding the target's HTTP status.
  if (targetHttp) return `${mode} delivery failed: ${target} answered ${statusText(Number(targetHttp[1]))}`;
  const andon = ANDON_CODES[code];
  if (andon) return `${mode} delivery failed: ${andon}${message ? ` — ${message}` : ""}`;
  const verdict = a.category === "business" ? `${target} refused the message` : `${mode} delivery failed at ${target}`;
  return `${verdict}: ${message || "no message given"}${code ? ` (${target.replace(/^the /, "")} message ${code})` : ""}`;
}

/** The category an attempt's stored answer carries (failed attempts), or null. */
export function attemptCategory(response: unknown): "business" | "technical" | null {
  const c = (response as { category?: unknown } | null)?.category;
  return c === "business" || c === "technical" ? c : null;
}
