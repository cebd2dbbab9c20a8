import { buildApplicationAdvice, buildFunctionalAck, controlNumberFromKey } from "./acknowledgments";
import { EdiPortalClient, type InboundAnswer } from "./client";
import type { ApplicationVerdict } from "./x12";

/**
 * For the receiving side's connector (Odoo / WMS): answer an ASN interchange to the supplier portal.
 * The functional acknowledgment (997 / CONTRL) reports syntax, checked here; the application advice
 * (824 / APERAK) carries the receiving system's business verdict (accepted, or refused: PO unknown,
 * quantity over PO, duplicate ASN). The answers' control numbers derive from `idempotencyKey`, so a
 * retry sends the same interchanges and the portal applies them once.
 */
export interface AcknowledgeAsnOptions {
  idempotencyKey: string;
  /** Send the 997 / CONTRL (default true). */
  functional?: boolean;
  now?: Date;
  timeoutMs?: number;
}

export interface AcknowledgeAsnResult {
  functional?: InboundAnswer;
  application?: InboundAnswer;
}

export async function acknowledgeAsn(
  portalUrl: string,
  subject: string,
  verdict: ApplicationVerdict | undefined,
  options: AcknowledgeAsnOptions,
): Promise<AcknowledgeAsnResult> {
  const portal = new EdiPortalClient(portalUrl, { timeoutMs: options.timeoutMs });
  const result: AcknowledgeAsnResult = {};
  if (options.functional !== false) {
    const key = `${options.idempotencyKey}:functional`;
    const text = buildFunctionalAck(subject, undefined, { controlNumber: controlNumberFromKey(key), now: options.now });
    result.functional = await portal.sendEdi(text, { idempotencyKey: key });
  }
  if (verdict) {
    const key = `${options.idempotencyKey}:application`;
    const text = buildApplicationAdvice(subject, verdict, { controlNumber: controlNumberFromKey(key), now: options.now });
    result.application = await portal.sendEdi(text, { idempotencyKey: key });
  }
  return result;
}
