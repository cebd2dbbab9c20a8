import { z } from "zod";
import { append, record } from "../audit";
import { db } from "../db";
import type { ExceptionStatus } from "../db/generated/enums";
import { assertTransition, transitionException } from "../exceptions/transition";
import { AppError, forbidden } from "../http/errors";
import { can } from "../policy";
import { publishDecision, publishExceptionsById } from "../realtime/exception-live";
import { currentDryRun } from "./dry-run";
import { loadCorrection } from "./load-correction";
import { type Actor, actorOf } from "./rules";

/** The hash of the payload the approver reviewed (pendingApprovals gives it): only that payload is approved. */
const reviewedHash = z.string().regex(/^[0-9a-f]{64}$/, "payloadHash must be the SHA-256 (hex) of the payload you reviewed");
export const decisionSchema = z
  .object({
    comment: z.string().trim().max(2000).optional(),
    payloadHash: reviewedHash,
    /** Approving although the last dry run of this payload was refused by the target: say why (issue 20). */
    overrideReason: z.string().trim().max(2000).optional(),
  })
  .strict();
export const MIN_OVERRIDE_REASON = 10;
export const rejectSchema = z
  .object({ comment: z.string().trim().min(5, "Say why the correction is rejected").max(2000), payloadHash: reviewedHash.optional() })
  .strict();

/** `readInput` validates the request body, after the checks: who may not decide learns nothing of the input. */
async function decide(
  user: Actor,
  correctionId: string,
  decision: "APPROVED" | "REJECTED",
  readInput: () => { comment: string | null; payloadHash?: string; overrideReason?: string },
) {
  const c = await loadCorrection(user, correctionId);
  const plantId = c.exception.plantId;
  if (!can(user, "correction.approve", { plantId, authorId: c.authorId })) {
    // Refusals are evidence too: audited in their own transaction, then answered 403.
    const self = c.authorId === user.id;
    await record({
      type: "correction.approval_refused",
      actor: actorOf(user),
      plantId,
      subject: { type: "exception", id: c.exceptionId },
      data: { correctionId: c.id, reason: self ? "self_approval" : "role" },
    });
    throw forbidden(self ? "You cannot approve or reject your own correction: a second person must decide" : "Only approvers decide on corrections");
  }
  const { comment, payloadHash: reviewed, overrideReason } = readInput();
  if (c.status !== "SUBMITTED") throw new AppError(409, "invalid_transition", `A ${c.status.toLowerCase()} correction cannot be ${decision.toLowerCase()}`);
  // The decision covers the payload the approver reviewed, named by its hash, and nothing else: if the
  // author changed it since (even back and forth through a draft), the approver must look again.
  const hash = reviewed ?? c.payloadHash;
  if (hash !== c.payloadHash) throw stalePayload();
  // The last dry run of exactly this payload: a refusal by the target needs the approver's reason to approve anyway.
  const dryRun = currentDryRun(c);
  const override = decision === "APPROVED" && dryRun === "REFUSED" ? overrideGiven(overrideReason) : undefined;
  const exceptionTo: ExceptionStatus = decision === "APPROVED" ? "APPROVED" : "REJECTED";
  assertTransition(c.exception.status, exceptionTo);
  const decided = await db().$transaction(async (tx) => {
    // Conditional on the reviewed payload still being the submitted one: a concurrent edit makes this fail.
    // …and on the dry run read: one recorded meanwhile (say, a refusal) must be looked at first.
    const res = await tx.correction.updateMany({
      where: { id: c.id, status: "SUBMITTED", payloadHash: hash, dryRunOutcome: c.dryRunOutcome, dryRunPayloadHash: c.dryRunPayloadHash },
      data: {
        ...(override ? { approvalOverrideReason: override } : {}),
        status: decision,
        approverId: user.id,
        decidedAt: new Date(),
        decisionComment: comment,
        approvedPayloadHash: decision === "APPROVED" ? hash : null,
      },
    });
    if (res.count !== 1) {
      const now = await tx.correction.findUnique({ where: { id: c.id }, select: { status: true, payloadHash: true } });
      if (now?.status === "SUBMITTED" && now.payloadHash === hash)
        throw new AppError(409, "dry_run_changed", "A new dry run of this payload was recorded meanwhile: reload it and look at its outcome before deciding");
      throw stalePayload();
    }
    await transitionException(tx, { id: c.exceptionId, from: c.exception.status, to: exceptionTo });
    await append(tx, {
      type: decision === "APPROVED" ? "correction.approved" : "correction.rejected",
      actor: actorOf(user),
      plantId,
      subject: { type: "exception", id: c.exceptionId },
      data: {
        correctionId: c.id,
        authorId: c.authorId,
        payloadHash: c.payloadHash,
        comment,
        ...(decision === "APPROVED" ? { dryRunOutcome: dryRun } : {}),
        ...(override ? { overrideReason: override } : {}),
      },
    });
    return tx.correction.findUniqueOrThrow({ where: { id: c.id } });
  });
  // After commit: the exception's page and the approvals queue follow it; the author is told wherever they are.
  await publishExceptionsById([c.exceptionId]);
  const e = await db().exception.findUnique({
    where: { id: c.exceptionId },
    select: { interface: { select: { code: true } }, transaction: { select: { businessKey: true } } },
  });
  publishDecision(c.authorId, {
    kind: "correction",
    id: c.id,
    exceptionId: c.exceptionId,
    plantId,
    decision,
    decidedBy: user.name ?? user.email,
    decidedAt: (decided.decidedAt ?? new Date()).toISOString(),
    comment,
    interfaceCode: e?.interface.code ?? "",
    businessKey: e?.transaction.businessKey ?? null,
  });
  return decided;
}

/** The approver's reason to approve after a refused dry run: required, at least MIN_OVERRIDE_REASON characters. */
function overrideGiven(reason: string | undefined): string {
  if (!reason)
    throw new AppError(
      409,
      "dry_run_refused",
      "The target refused this payload in its dry run: approve it only with an override reason (why it should be sent anyway), or ask for a new correction",
    );
  if (reason.length < MIN_OVERRIDE_REASON)
    throw new AppError(422, "override_reason_too_short", `Say in at least ${MIN_OVERRIDE_REASON} characters why the refused payload should be approved`);
  return reason;
}

const stalePayload = () =>
  new AppError(
    409,
    "payload_changed",
    "The correction was changed or resubmitted since you opened it: reload it and review the current payload before deciding",
  );

export async function approveCorrection(user: Actor, correctionId: string, input: unknown) {
  return decide(user, correctionId, "APPROVED", () => {
    const { comment, payloadHash, overrideReason } = decisionSchema.parse(input ?? {});
    return { comment: comment ?? null, payloadHash, overrideReason };
  });
}

export async function rejectCorrection(user: Actor, correctionId: string, input: unknown) {
  return decide(user, correctionId, "REJECTED", () => rejectSchema.parse(input));
}
