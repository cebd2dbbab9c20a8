import { schemaForHop } from "../corrections/validate";
import { z } from "zod";
import { REFUSAL_REASON_LABELS, labelOf } from "../../lib/labels";
import { parseEvent } from "../audit";
import { AUDIT_EVENT_LABELS, type AuditEventType } from "../audit/events";
import { type DbClient, db } from "../db";
import { dryRunView } from "../corrections/dry-run-view";
import { keyFields } from "../corrections/key-fields";
import { type Principal, can, canSeePlant, plantScope } from "../policy";
import { attemptCategory, describeAttempt } from "../replay/attempt-text";
import { latestError } from "../replay/latest-error";
import { correlationTimeline } from "../transactions/timeline";
import { exceptionLinks } from "../dependencies/exception-links";

/** Everything the detail page shows, or null when the exception is outside the user's scope. */
export async function exceptionDetail(user: Principal, id: string, client: DbClient = db()) {
  if (!z.uuid().safeParse(id).success || !can(user, "exception.read")) return null;
  const e = await client.exception.findUnique({
    where: { id },
    include: {
      plant: { select: { code: true, name: true, timezone: true } },
      interface: { select: { code: true, name: true, requiresApproval: true, criticality: true, targetSystems: true } },
      transaction: true,
      assignee: { select: { id: true, name: true, email: true } },
      comments: { orderBy: { createdAt: "asc" }, include: { author: { select: { name: true, email: true } } } },
    },
  });
  if (!e || !canSeePlant(user, e.plantId)) return null;
  // "Same failure elsewhere": only in the plants this user may see, the list and its count alike.
  const elsewhere = { fingerprint: e.fingerprint, id: { not: e.id }, ...plantScope(user) };
  const [related, relatedCount, history, timeline] = await Promise.all([
    client.exception.findMany({
      where: elsewhere,
      orderBy: { lastSeenAt: "desc" },
      take: 10,
      include: { plant: { select: { code: true } }, transaction: { select: { businessKey: true } } },
    }),
    client.exception.count({ where: elsewhere }),
    client.auditEvent.findMany({ where: { subjectType: "exception", subjectId: e.id }, orderBy: { id: "asc" } }),
    can(user, "transaction.read")
      ? correlationTimeline(user, { correlationId: e.transaction.correlationId, plantId: e.plantId }, client)
      : Promise.resolve(null),
  ]);
  const [correction, schema, replays, deliveredBefore, dependencies] = await Promise.all([
    client.correction.findFirst({
      where: { exceptionId: e.id },
      orderBy: { createdAt: "desc" },
      include: { author: { select: { id: true, name: true } }, approver: { select: { id: true, name: true } } },
    }),
    client.interfaceSchema.findFirst({ where: { interfaceId: e.interfaceId }, orderBy: { version: "desc" } }),
    client.replay.findMany({
      where: { exceptionId: e.id },
      orderBy: { createdAt: "desc" },
      take: 20,
      include: { attempts: { orderBy: { attempt: "asc" } }, connector: { select: { system: { select: { kind: true } } } } },
    }),
    // Did an earlier replay (of this or an earlier exception of the same message) deliver it already?
    client.replay.findFirst({
      where: { status: "SUCCEEDED", exception: { transactionId: e.transactionId } },
      orderBy: { finishedAt: "desc" },
      select: { id: true, finishedAt: true, exceptionId: true },
    }),
    // Open exceptions of prerequisites on the same business object ("blocked by") and the dependents waiting on it ("blocks").
    exceptionLinks(e.id, client),
  ]);
  const target = e.interface.targetSystems[0] ?? null;
  // The error that stands now: the latest failed replay's when it failed after the exception was last reported.
  const lastFailed = replays.filter((r) => r.status === "FAILED" && r.finishedAt).sort((a, b) => b.finishedAt!.getTime() - a.finishedAt!.getTime())[0];
  const lastAttempt = lastFailed?.attempts.at(-1);
  const current = latestError(
    e,
    lastFailed && {
      id: lastFailed.id,
      exceptionId: e.id,
      correctionId: lastFailed.correctionId,
      finishedAt: lastFailed.finishedAt,
      system: lastFailed.connector.system.kind,
      last: lastAttempt ?? null,
    },
    target,
  );
  return {
    id: e.id,
    plantId: e.plantId,
    status: e.status,
    severity: e.severity,
    category: e.category,
    errorCode: e.errorCode,
    errorMessage: e.errorMessage,
    hopSource: e.hopSource,
    hopTarget: e.hopTarget,
    errorDetails: e.errorDetails,
    /** The error that stands now (a failed replay's, or the reported one): the page leads with it. */
    currentError: current,
    /** Material, plant, batch, quantity…: what this message is about, from its payload. */
    keyFields: e.transaction.payload === null ? [] : keyFields(e.interface.code, e.transaction.payload),
    occurrences: e.occurrences,
    fingerprint: e.fingerprint,
    firstSeenAt: e.firstSeenAt.toISOString(),
    lastSeenAt: e.lastSeenAt.toISOString(),
    slaDueAt: e.slaDueAt.toISOString(),
    resolvedAt: e.resolvedAt?.toISOString() ?? null,
    resolution: e.resolution,
    plant: e.plant,
    interface: e.interface,
    assignee: e.assignee,
    transaction: {
      id: e.transaction.id,
      messageId: e.transaction.messageId,
      correlationId: e.transaction.correlationId,
      businessKey: e.transaction.businessKey,
      status: e.transaction.status,
      attempts: e.transaction.attempts,
      payload: e.transaction.payload,
      payloadHash: e.transaction.payloadHash,
    },
    correction: correction && {
      id: correction.id,
      status: correction.status,
      author: correction.author,
      approver: correction.approver?.name ?? null,
      approverId: correction.approver?.id ?? null,
      submittedAt: correction.submittedAt?.toISOString() ?? null,
      decidedAt: correction.decidedAt?.toISOString() ?? null,
      payload: correction.payload,
      patch: correction.patch as { op: string; path: string; value?: unknown }[],
      schemaErrors: correction.schemaErrors as { path: string; message: string }[] | null,
      reason: correction.reason,
      decisionComment: correction.decisionComment,
      /** Issue 20: the last dry run against the target, and whether it checked this payload. */
      dryRun: dryRunView(correction, null),
    },
    schema: schema ? { version: schema.version, schema: schemaForHop(schema.schema as object, e.hopTarget) as object } : null,
    /** The message was already delivered by a replay: sending it again is a second delivery (needs a reason). */
    deliveredBefore: deliveredBefore && {
      replayId: deliveredBefore.id,
      at: deliveredBefore.finishedAt?.toISOString() ?? null,
      exceptionId: deliveredBefore.exceptionId,
    },
    replays: replays.map((r) => ({
      id: r.id,
      status: r.status,
      idempotencyKey: r.idempotencyKey,
      asIs: r.correctionId === null,
      correctionId: r.correctionId,
      reason: r.reason,
      createdAt: r.createdAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      attempts: r.attempts.map((a) => {
        const category = attemptCategory(a.response);
        return {
          attempt: a.attempt,
          mode: a.mode,
          at: a.startedAt.toISOString(),
          durationMs: a.durationMs,
          outcome: a.outcome,
          category,
          httpStatus: a.httpStatus,
          /** One sentence: who answered what ("Push delivery failed: SAP ERP answered 503 (Service Unavailable)"). */
          text: describeAttempt({ ...a, category }, r.connector.system.kind),
          error: a.errorCode ? `${a.errorCode}: ${a.errorMessage ?? ""}` : null,
        };
      }),
    })),
    comments: e.comments.map((c) => ({ id: c.id, body: c.body, author: c.author.name, createdAt: c.createdAt.toISOString() })),
    related: related.map((r) => ({
      id: r.id,
      plantCode: r.plant.code,
      status: r.status,
      errorMessage: r.errorMessage.slice(0, 200),
      lastSeenAt: r.lastSeenAt.toISOString(),
      businessKey: r.transaction.businessKey,
    })),
    relatedCount,
    /** Replay in dependency order: what this exception waits on, and what waits on it (same plant). */
    blockedBy: dependencies.blockedBy,
    blocks: dependencies.blocks,
    /** May this user replay it although a prerequisite is open (approvers, with a reason)? */
    mayOverrideBlock: can(user, "replay.override_block", { plantId: e.plantId }),
    history: history.map((h) => {
      const ev = parseEvent(h);
      return {
        id: ev.id,
        at: h.occurredAt.toISOString(),
        type: h.type,
        label: AUDIT_EVENT_LABELS[h.type as AuditEventType] ?? h.type,
        actor: h.actorLabel,
        actorType: h.actorType,
        /** What the event says in words: a person's reason, or a refusal's cause. */
        note: historyNote(h.type, ev.data),
        data: ev.data,
      };
    }),
    timeline,
  };
}
/** A person's reason (discard, second replay…) as written; a coded cause (a refusal's) in words. */
function historyNote(type: string, data: unknown): string | null {
  const d = data as { reason?: unknown; secondReplayReason?: unknown; comment?: unknown; blockOverrideReason?: unknown };
  if (typeof d.blockOverrideReason === "string") return `Prerequisite override: “${d.blockOverrideReason}”`;
  if (type.endsWith("approval_refused") && typeof d.reason === "string") return labelOf(REFUSAL_REASON_LABELS, d.reason);
  if (typeof d.reason === "string") return `“${d.reason}”`;
  if (typeof d.secondReplayReason === "string") return `“${d.secondReplayReason}”`;
  if (typeof d.comment === "string" && d.comment) return `“${d.comment}”`;
  return null;
}

export type ExceptionDetail = NonNullable<Awaited<ReturnType<typeof exceptionDetail>>>;
