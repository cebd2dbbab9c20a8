import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import type { Via } from "../exceptions/action-support";
import { assertTransition, transitionException } from "../exceptions/transition";
import { AppError, forbidden } from "../http/errors";
import { can } from "../policy";
import { publishExceptionsById } from "../realtime/exception-live";
import { REASON_MIN_LENGTH } from "./limits";
import { loadCorrection } from "./load-correction";
import { type Actor, actorOf } from "./rules";

export const submitSchema = z
  .object({ reason: z.string().trim().min(REASON_MIN_LENGTH, `Explain the change in at least ${REASON_MIN_LENGTH} characters`).max(2000) })
  .strict();

/**
 * The author submits a valid draft, with the reason for the change, for approval. Submitting again a
 * correction that already waits for approval with the same reason is answered with it, unchanged and
 * not audited again (a second click, a retried request).
 */
export async function submitCorrection(user: Actor, correctionId: string, input: unknown, via: Via = {}) {
  if (!can(user, "exception.correct")) throw forbidden("Your role cannot correct payloads");
  const c = await loadCorrection(user, correctionId);
  if (!can(user, "exception.correct", { plantId: c.exception.plantId })) throw forbidden("Your role cannot correct payloads");
  const { reason } = submitSchema.parse(input);
  if (c.authorId !== user.id) throw forbidden("Only the author submits a correction");
  if (c.status === "SUBMITTED" && c.reason === reason && c.exception.status === "AWAITING_APPROVAL") {
    const { exception: _, ...unchanged } = c;
    return unchanged;
  }
  if (c.status !== "DRAFT") throw new AppError(409, "invalid_transition", `A ${c.status.toLowerCase()} correction cannot be submitted`);
  if (c.schemaErrors !== null)
    throw new AppError(422, "invalid_payload", "The payload does not match the interface schema: fix it before submitting", c.schemaErrors);
  assertTransition(c.exception.status, "AWAITING_APPROVAL");
  const submitted = await db().$transaction(async (tx) => {
    // Exactly the draft that was read (same payload), and the exception as it was read.
    const res = await tx.correction.updateMany({
      where: { id: c.id, status: "DRAFT", payloadHash: c.payloadHash },
      data: { status: "SUBMITTED", submittedAt: new Date(), reason },
    });
    if (res.count !== 1) throw new AppError(409, "conflict", "The correction changed meanwhile; reload it before submitting");
    const updated = await tx.correction.findUniqueOrThrow({ where: { id: c.id } });
    await transitionException(tx, { id: c.exceptionId, from: c.exception.status, to: "AWAITING_APPROVAL" });
    await append(tx, {
      type: "correction.submitted",
      actor: actorOf(user),
      plantId: c.exception.plantId,
      subject: { type: "exception", id: c.exceptionId },
      data: { correctionId: c.id, patch: c.patch as Record<string, unknown>[], reason, payloadHash: c.payloadHash, ...via },
    });
    return updated;
  });
  await publishExceptionsById([c.exceptionId]);
  return submitted;
}
