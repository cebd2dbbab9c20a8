import jsonpatch from "fast-json-patch";
import { z } from "zod";
import { append } from "../audit";
import { type DbClient, Prisma, db } from "../db";
import type { Via } from "../exceptions/action-support";
import { assertTransition, transitionException } from "../exceptions/transition";
import { AppError, forbidden, notFound } from "../http/errors";
import { boundedJson } from "../http/json-depth";
import { INGEST_LIMITS } from "../ingest/schema";
import { can, canSeePlant } from "../policy";
import { publishExceptionsById } from "../realtime/exception-live";
import { isCorrectable } from "../../lib/rules";
import { type Actor, LIVE_STATUSES, actorOf, payloadHash } from "./rules";
import { type SchemaIssue, validatePayload } from "./validate";

export const saveCorrectionSchema = z.object({ payload: boundedJson(z.unknown(), "The payload"), reason: z.string().trim().max(2000).optional() }).strict();

async function latestSchema(interfaceId: string, client: DbClient = db()) {
  return client.interfaceSchema.findFirst({ where: { interfaceId }, orderBy: { version: "desc" } });
}

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";

/**
 * Save (create or update) the live correction of an exception as a draft. Saving again exactly what the
 * author's live draft or submission already holds (same payload, reason and schema) changes nothing and
 * audits nothing: a repeated click is not a new version (a submitted one stays with its approvers).
 */
export async function saveCorrection(user: Actor, exceptionId: string, input: unknown, via: Via = {}) {
  if (!can(user, "exception.correct")) throw forbidden("Your role cannot correct payloads");
  // The object and its plant first: an exception of another plant is 404 whatever the body says.
  if (!z.uuid().safeParse(exceptionId).success) throw notFound("Exception");
  const e = await db().exception.findUnique({ where: { id: exceptionId }, include: { transaction: true } });
  if (!e || !canSeePlant(user, e.plantId)) throw notFound("Exception");
  if (!can(user, "exception.correct", { plantId: e.plantId })) throw forbidden("Your role cannot correct payloads");
  const { payload, reason } = saveCorrectionSchema.parse(input);
  if (payload === undefined || payload === null || typeof payload !== "object")
    throw new AppError(400, "invalid_payload", "The payload must be a JSON object or array");
  // The same ceiling as a reported payload: a correction (and its patch, copied into the audit trail) is never larger.
  if (Buffer.byteLength(JSON.stringify(payload)) > INGEST_LIMITS.maxPayloadBytes) {
    throw new AppError(413, "payload_too_large", `A corrected payload is limited to ${INGEST_LIMITS.maxPayloadBytes / 1024} KB, like a reported one`);
  }
  if (!isCorrectable(e.status)) {
    throw new AppError(409, "invalid_transition", `A ${e.status.toLowerCase().replace("_", " ")} exception cannot be corrected`);
  }
  const schema = await latestSchema(e.interfaceId);
  const issues: SchemaIssue[] = schema ? validatePayload(schema.schema as object, payload, e.hopTarget) : [];
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
    let correction: Awaited<ReturnType<typeof tx.correction.create>>;
    if (live && live.status !== "APPROVED" && live.authorId !== user.id) {
      throw new AppError(409, "correction_in_progress", "Another person's correction of this exception is in progress");
    }
    if (live && unchanged(live, e.status)) return { correction: live, issues, changed: false };
    if (live?.status === "APPROVED") {
      // The payload changes after approval: that approval no longer covers what would be sent.
      const voided = await tx.correction.updateMany({ where: { id: live.id, status: "APPROVED" }, data: { status: "VOID" } });
      if (voided.count !== 1) throw new AppError(409, "conflict", "The correction changed meanwhile; reload it");
      await append(tx, {
        type: "correction.voided",
        actor: actorOf(user),
        plantId: e.plantId,
        subject: { type: "exception", id: e.id },
        data: { correctionId: live.id, why: "payload_changed_after_approval" },
      });
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
    return { correction, issues, changed: true };
  };
  // The live correction already holds exactly this: its status matches the exception's, nothing to write.
  const unchanged = (live: { status: string; payloadHash: string; reason: string | null; schemaVersion: number | null }, status: string) =>
    live.payloadHash === hash &&
    (reason === undefined || reason === (live.reason ?? "")) &&
    live.schemaVersion === (schema?.version ?? null) &&
    ((live.status === "DRAFT" && status === "CORRECTING") || (live.status === "SUBMITTED" && status === "AWAITING_APPROVAL"));
  try {
    const { changed, ...saved } = await db().$transaction(async (tx) => saveInTx(tx));
    if (changed) await publishExceptionsById([exceptionId]);
    return saved;
  } catch (err) {
    // Two first saves at once: the one-live-correction index lets one win; the other is told, not a 500.
    if (isUniqueViolation(err))
      throw new AppError(409, "correction_in_progress", "Another correction of this exception was saved at the same moment; reload it");
    throw err;
  }
}
