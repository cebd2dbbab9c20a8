import { createHash } from "node:crypto";
import jsonpatch from "fast-json-patch";
import { z } from "zod";
import { append, record } from "../audit";
import { type DbClient, Prisma, db } from "../db";
import type { ExceptionStatus } from "../db/generated/enums";
import type { Via } from "../exceptions/actions";
import { assertTransition, transitionException } from "../exceptions/transition";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can, canSeePlant, plantScope } from "../policy";
import { INGEST_LIMITS } from "../ingest/schema";
import { type SchemaIssue, validatePayload } from "./validate";

/**
 * Corrections and four-eyes approval. A correction is the full proposed payload plus its RFC 6902
 * patch against the original; it is validated against the interface's latest JSON Schema. An invalid
 * payload can be saved as a draft but not submitted. Approval is by someone other than the author
 * (checked here, by the policy and by a database CHECK); it pins the payload hash it approved, and an
 * edit afterwards voids it. Every step moves the exception through the lifecycle and is audited in the
 * same transaction.
 */
type Actor = Principal & { email: string };
const actorOf = (u: Actor) => ({ type: "user" as const, id: u.id, label: u.email });

export const saveCorrectionSchema = z.object({ payload: z.unknown(), reason: z.string().trim().max(2000).optional() }).strict();
export const submitSchema = z.object({ reason: z.string().trim().min(10, "Explain the change in at least 10 characters").max(2000) }).strict();
/** The hash of the payload the approver reviewed (pendingApprovals gives it): only that payload is approved. */
const reviewedHash = z.string().regex(/^[0-9a-f]{64}$/, "payloadHash must be the SHA-256 (hex) of the payload you reviewed");
export const decisionSchema = z.object({ comment: z.string().trim().max(2000).optional(), payloadHash: reviewedHash }).strict();
export const rejectSchema = z.object({ comment: z.string().trim().min(5, "Say why the correction is rejected").max(2000), payloadHash: reviewedHash.optional() }).strict();

export const LIVE_STATUSES = ["DRAFT", "SUBMITTED", "APPROVED"] as const;

export function payloadHash(payload: unknown): string {
  return createHash("sha256").update(JSON.stringify(payload)).digest("hex");
}

async function latestSchema(interfaceId: string, client: DbClient = db()) {
  return client.interfaceSchema.findFirst({ where: { interfaceId }, orderBy: { version: "desc" } });
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";

/** Save (create or update) the live correction of an exception as a draft. */
export async function saveCorrection(user: Actor, exceptionId: string, input: unknown, via: Via = {}) {
  if (!can(user, "exception.correct")) throw forbidden("Your role cannot correct payloads");
  // The object and its plant first: an exception of another plant is 404 whatever the body says.
  if (!z.uuid().safeParse(exceptionId).success) throw notFound("Exception");
  const e = await db().exception.findUnique({ where: { id: exceptionId }, include: { transaction: true } });
  if (!e || !canSeePlant(user, e.plantId)) throw notFound("Exception");
  if (!can(user, "exception.correct", { plantId: e.plantId })) throw forbidden("Your role cannot correct payloads");
  const { payload, reason } = saveCorrectionSchema.parse(input);
  if (payload === undefined || payload === null || typeof payload !== "object") throw new AppError(400, "invalid_payload", "The payload must be a JSON object or array");
  // The same ceiling as a reported payload: a correction (and its patch, copied into the audit trail) is never larger.
  if (Buffer.byteLength(JSON.stringify(payload)) > INGEST_LIMITS.maxPayloadBytes) {
    throw new AppError(413, "payload_too_large", `A corrected payload is limited to ${INGEST_LIMITS.maxPayloadBytes / 1024} KB, like a reported one`);
  }
  if (["RESOLVED", "DISCARDED", "REPLAY_QUEUED", "REPLAYING"].includes(e.status)) {
    throw new AppError(409, "invalid_transition", `A ${e.status.toLowerCase().replace("_", " ")} exception cannot be corrected`);
  }
  const schema = await latestSchema(e.interfaceId);
  const issues: SchemaIssue[] = schema ? validatePayload(schema.schema as object, payload) : [];
  const original = (e.transaction.payload ?? {}) as object;
  const patch = jsonpatch.compare(original, payload as object);
  if (patch.length === 0) throw new AppError(422, "no_change", "The payload is identical to the original: nothing to correct");
  const hash = payloadHash(payload);
  const data = {
    patch: patch as unknown as Prisma.InputJsonValue,
    payload: payload as Prisma.InputJsonValue,
    payloadHash: hash,
    basePayloadHash: e.transaction.payloadHash,
    schemaVersion: schema?.version ?? null,
    schemaErrors: issues.length ? (issues as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
    ...(reason !== undefined ? { reason } : {}),
  };
  assertTransition(e.status, "CORRECTING");
  const exception = e;
  const saveInTx = async (tx: Prisma.TransactionClient) => {
    const e = exception;
    const live = await tx.correction.findFirst({ where: { exceptionId, status: { in: [...LIVE_STATUSES] } } });
    let correction;
    if (live && live.status !== "APPROVED" && live.authorId !== user.id) {
      throw new AppError(409, "correction_in_progress", "Another person's correction of this exception is in progress");
    }
    if (live?.status === "APPROVED") {
      // The payload changes after approval: that approval no longer covers what would be sent.
      const voided = await tx.correction.updateMany({ where: { id: live.id, status: "APPROVED" }, data: { status: "VOID" } });
      if (voided.count !== 1) throw new AppError(409, "conflict", "The correction changed meanwhile; reload it");
      await append(tx, { type: "correction.voided", actor: actorOf(user), plantId: e.plantId, subject: { type: "exception", id: e.id }, data: { correctionId: live.id, why: "payload_changed_after_approval" } });
    }
    if (live && live.status !== "APPROVED") {
      // Conditional on the status read: an approval landing meanwhile must not be overwritten silently.
      const res = await tx.correction.updateMany({ where: { id: live.id, status: live.status }, data: { ...data, status: "DRAFT", submittedAt: null } });
      if (res.count !== 1) throw new AppError(409, "conflict", "The correction changed meanwhile (was it just decided?); reload it");
      correction = await tx.correction.findUniqueOrThrow({ where: { id: live.id } });
    } else {
      correction = await tx.correction.create({ data: { ...data, exceptionId, authorId: user.id, status: "DRAFT" } });
    }
    await transitionException(tx, { id: e.id, from: e.status, to: "CORRECTING" });
    await append(tx, {
      type: "correction.saved",
      actor: actorOf(user),
      plantId: e.plantId,
      subject: { type: "exception", id: e.id },
      data: { correctionId: correction.id, patch: patch as unknown as Record<string, unknown>[], schemaValid: issues.length === 0, payloadHash: hash, ...via },
    });
    return { correction, issues };
  };
  try {
    return await db().$transaction(async (tx) => saveInTx(tx));
  } catch (err) {
    // Two first saves at once: the one-live-correction index lets one win; the other is told, not a 500.
    if (isUniqueViolation(err)) throw new AppError(409, "correction_in_progress", "Another correction of this exception was saved at the same moment; reload it");
    throw err;
  }
}

async function loadCorrection(user: Actor, correctionId: string) {
  if (!z.uuid().safeParse(correctionId).success) throw notFound("Correction");
  const c = await db().correction.findUnique({ where: { id: correctionId }, include: { exception: true } });
  if (!c || !canSeePlant(user, c.exception.plantId)) throw notFound("Correction");
  return c;
}

/** The author submits a valid draft, with the reason for the change, for approval. */
export async function submitCorrection(user: Actor, correctionId: string, input: unknown, via: Via = {}) {
  if (!can(user, "exception.correct")) throw forbidden("Your role cannot correct payloads");
  const c = await loadCorrection(user, correctionId);
  if (!can(user, "exception.correct", { plantId: c.exception.plantId })) throw forbidden("Your role cannot correct payloads");
  const { reason } = submitSchema.parse(input);
  if (c.authorId !== user.id) throw forbidden("Only the author submits a correction");
  if (c.status !== "DRAFT") throw new AppError(409, "invalid_transition", `A ${c.status.toLowerCase()} correction cannot be submitted`);
  if (c.schemaErrors !== null) throw new AppError(422, "invalid_payload", "The payload does not match the interface schema: fix it before submitting", c.schemaErrors);
  assertTransition(c.exception.status, "AWAITING_APPROVAL");
  return db().$transaction(async (tx) => {
    // Exactly the draft that was read (same payload), and the exception as it was read.
    const res = await tx.correction.updateMany({ where: { id: c.id, status: "DRAFT", payloadHash: c.payloadHash }, data: { status: "SUBMITTED", submittedAt: new Date(), reason } });
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
}

/** `readComment` validates the request body, after the checks: who may not decide learns nothing of the input. */
async function decide(user: Actor, correctionId: string, decision: "APPROVED" | "REJECTED", readInput: () => { comment: string | null; payloadHash?: string }) {
  const c = await loadCorrection(user, correctionId);
  const plantId = c.exception.plantId;
  if (!can(user, "correction.approve", { plantId, authorId: c.authorId })) {
    // Refusals are evidence too: audited in their own transaction, then answered 403.
    const self = c.authorId === user.id;
    await record({ type: "correction.approval_refused", actor: actorOf(user), plantId, subject: { type: "exception", id: c.exceptionId }, data: { correctionId: c.id, reason: self ? "self_approval" : "role" } });
    throw forbidden(self ? "You cannot approve or reject your own correction: a second person must decide" : "Only approvers decide on corrections");
  }
  const { comment, payloadHash: reviewed } = readInput();
  if (c.status !== "SUBMITTED") throw new AppError(409, "invalid_transition", `A ${c.status.toLowerCase()} correction cannot be ${decision.toLowerCase()}`);
  // The decision covers the payload the approver reviewed, named by its hash, and nothing else: if the
  // author changed it since (even back and forth through a draft), the approver must look again.
  const hash = reviewed ?? c.payloadHash;
  if (hash !== c.payloadHash) throw stalePayload();
  const exceptionTo: ExceptionStatus = decision === "APPROVED" ? "APPROVED" : "REJECTED";
  assertTransition(c.exception.status, exceptionTo);
  return db().$transaction(async (tx) => {
    // Conditional on the reviewed payload still being the submitted one: a concurrent edit makes this fail.
    const res = await tx.correction.updateMany({
      where: { id: c.id, status: "SUBMITTED", payloadHash: hash },
      data: { status: decision, approverId: user.id, decidedAt: new Date(), decisionComment: comment, approvedPayloadHash: decision === "APPROVED" ? hash : null },
    });
    if (res.count !== 1) throw stalePayload();
    await transitionException(tx, { id: c.exceptionId, from: c.exception.status, to: exceptionTo });
    await append(tx, {
      type: decision === "APPROVED" ? "correction.approved" : "correction.rejected",
      actor: actorOf(user),
      plantId,
      subject: { type: "exception", id: c.exceptionId },
      data: { correctionId: c.id, authorId: c.authorId, payloadHash: c.payloadHash, comment },
    });
    return tx.correction.findUniqueOrThrow({ where: { id: c.id } });
  });
}

const stalePayload = () =>
  new AppError(409, "payload_changed", "The correction was changed or resubmitted since you opened it: reload it and review the current payload before deciding");

export async function approveCorrection(user: Actor, correctionId: string, input: unknown) {
  return decide(user, correctionId, "APPROVED", () => {
    const { comment, payloadHash } = decisionSchema.parse(input ?? {});
    return { comment: comment ?? null, payloadHash };
  });
}

export async function rejectCorrection(user: Actor, correctionId: string, input: unknown) {
  return decide(user, correctionId, "REJECTED", () => rejectSchema.parse(input));
}

/** Is this correction's approval still valid for its current payload? (Replay checks this.) */
export function approvalHolds(c: { status: string; payloadHash: string; approvedPayloadHash: string | null; approverId: string | null; authorId: string }): boolean {
  return c.status === "APPROVED" && c.approvedPayloadHash === c.payloadHash && c.approverId !== null && c.approverId !== c.authorId;
}

/** Approvers' queue: submitted corrections in their plants, oldest first, with the diff. */
export async function pendingApprovals(user: Principal, client: DbClient = db()) {
  if (!can(user, "correction.approve")) throw forbidden("Only approvers see the approval queue");
  const scope = plantScope(user);
  const rows = await client.correction.findMany({
    where: { status: "SUBMITTED", exception: scope.plantId ? { plantId: scope.plantId } : {} },
    orderBy: { submittedAt: "asc" },
    take: 200,
    include: {
      author: { select: { id: true, name: true } },
      exception: { include: { plant: { select: { code: true } }, interface: { select: { code: true, requiresApproval: true } }, transaction: { select: { payload: true, businessKey: true, messageId: true } } } },
    },
  });
  return rows.map((c) => ({
    id: c.id,
    exceptionId: c.exceptionId,
    plantCode: c.exception.plant.code,
    interfaceCode: c.exception.interface.code,
    requiresApproval: c.exception.interface.requiresApproval,
    errorCode: c.exception.errorCode,
    errorMessage: c.exception.errorMessage.slice(0, 300),
    businessKey: c.exception.transaction.businessKey,
    author: c.author,
    ownCorrection: c.authorId === user.id,
    reason: c.reason,
    submittedAt: c.submittedAt?.toISOString() ?? null,
    /** What an approval of this item names: the hash of exactly this payload. */
    payloadHash: c.payloadHash,
    patch: c.patch as { op: string; path: string; value?: unknown }[],
    original: c.exception.transaction.payload,
    payload: c.payload,
  }));
}
export type PendingApproval = Awaited<ReturnType<typeof pendingApprovals>>[number];
