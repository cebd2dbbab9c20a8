import { z } from "zod";
import { type AppendInput, type AuditEventType, appendMany } from "../audit";
import { type CurrentUser, loadPrincipal } from "../auth/principal";
import { saveCorrection } from "../corrections/save-correction";
import { submitCorrection } from "../corrections/submit-correction";
import { db, pool } from "../db";
import type { BulkKind } from "../db/generated/enums";
import { AppError, notFound } from "../http/errors";
import { logger } from "../log";
import { can } from "../policy";
import { publishToUser } from "../realtime/publish";
import { requestReplay } from "../replay/request-replay";
import { assignException } from "./assign-exception";
import { commentOnException } from "./comment-on-exception";
import { discardException } from "./discard-exception";
import { pendingInDependencyOrder } from "../dependencies/bulk-order";
import { BULK_PERMISSION, CHUNK, FINISHED, actorOf, correctParams, judge, latestSchemas, loadTargets, summary } from "./bulk-rules";

const log = logger("bulk");

// ---------------------------------------------------------------------------------------------
// The worker.

/** One item, through the same function as the single action. */
async function perform(kind: BulkKind, user: CurrentUser, exceptionId: string, params: Record<string, unknown>, bulkId: string): Promise<void> {
  const via = { bulkId };
  switch (kind) {
    case "ASSIGN":
      await assignException(user, exceptionId, params, via);
      return;
    case "COMMENT":
      await commentOnException(user, exceptionId, params, via);
      return;
    case "DISCARD":
      await discardException(user, exceptionId, params, via);
      return;
    case "REPLAY":
      await requestReplay(user, exceptionId, {}, via);
      return;
    case "CORRECT": {
      const { patch, reason } = correctParams.parse(params);
      const [t] = await loadTargets([exceptionId]);
      if (!t) throw notFound("Exception");
      const schemas = await latestSchemas([t.interfaceId]);
      const j = judge(t, patch, schemas.get(t.interfaceId));
      if (j.result === "not_correctable" || j.result === "no_change") throw new AppError(409, j.result, j.message!);
      if (j.result !== "ok") throw new AppError(422, j.result, j.message!);
      const { correction } = await saveCorrection(user, exceptionId, { payload: j.payload, reason }, via);
      await submitCorrection(user, correction.id, { reason }, via);
      return;
    }
  }
}

function classify(err: unknown): { status: "SKIPPED" | "FAILED"; message: string } {
  if (err instanceof AppError) return { status: err.status === 409 ? "SKIPPED" : "FAILED", message: err.message };
  if (err instanceof z.ZodError) return { status: "FAILED", message: err.issues.map((i) => i.message).join("; ") };
  log.error({ err }, "bulk item failed unexpectedly");
  return { status: "FAILED", message: "Unexpected error (logged); try this one on its own" };
}

/** Runs (or resumes) a bulk action until done or cancelled. Called by the pg-boss worker. */
/**
 * Works through a bulk action for up to `budgetMs`, then answers "more" (the worker enqueues a
 * continuation job) — so a job never runs long, its expiry can be short, and an instance that dies
 * mid-way delays the action by one expiry, not an hour. A session advisory lock per action keeps two
 * workers off the same action (a dead worker's lock goes with its connection); "busy" means another
 * worker holds it.
 */
export async function runBulk(bulkId: string, budgetMs = 20_000): Promise<"done" | "more" | "busy"> {
  const lock = await pool().connect();
  try {
    const { rows } = await lock.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext('bulk'), hashtext($1)) AS ok", [bulkId]);
    if (!rows[0]!.ok) return "busy";
    try {
      return await runBulkLocked(bulkId, Date.now() + budgetMs);
    } finally {
      await lock.query("SELECT pg_advisory_unlock(hashtext('bulk'), hashtext($1))", [bulkId]);
    }
  } finally {
    lock.release();
  }
}

async function runBulkLocked(bulkId: string, deadline: number): Promise<"done" | "more"> {
  let op = await db().bulkOperation.findUnique({ where: { id: bulkId } });
  if (!op || FINISHED.includes(op.status)) return "done";
  const resumed = op.status === "RUNNING";
  if (!resumed) op = await db().bulkOperation.update({ where: { id: bulkId }, data: { status: "RUNNING", startedAt: new Date() } });
  const user = await loadPrincipal(op.createdById);
  if (!user || !can(user, BULK_PERMISSION[op.kind])) {
    await finish(bulkId, "FAILED", user, "The author of this bulk action may no longer do it (deactivated or role changed)");
    return "done";
  }
  const params = op.params as Record<string, unknown>;
  let lastPublish = 0;
  for (;;) {
    if (Date.now() > deadline) return "more";
    const current = await db().bulkOperation.findUniqueOrThrow({ where: { id: bulkId } });
    if (current.cancelRequestedAt) {
      await finish(bulkId, "CANCELLED", user);
      return "done";
    }
    const items =
      op.kind === "REPLAY"
        ? await pendingInDependencyOrder(bulkId, CHUNK)
        : await db().bulkOperationItem.findMany({ where: { bulkId, status: "PENDING" }, take: CHUNK, orderBy: { exceptionId: "asc" } });
    if (items.length === 0) {
      await finish(bulkId, "COMPLETED", user);
      return "done";
    }
    // After a crash (or in a continuation): items whose own audit event already names this bulk action were done.
    const alreadyDone = resumed
      ? await doneBefore(
          bulkId,
          items.map((i) => i.exceptionId),
        )
      : new Set<string>();
    const results: { exceptionId: string; status: "DONE" | "SKIPPED" | "FAILED"; message: string | null }[] = [];
    for (const item of items) {
      if (alreadyDone.has(item.exceptionId)) {
        results.push({ exceptionId: item.exceptionId, status: "DONE", message: null });
        continue;
      }
      try {
        await perform(op.kind, user, item.exceptionId, params, bulkId);
        results.push({ exceptionId: item.exceptionId, status: "DONE", message: null });
      } catch (err) {
        results.push({ exceptionId: item.exceptionId, ...classify(err) });
      }
    }
    const now = new Date();
    const n = (s: string) => results.filter((r) => r.status === s).length;
    const updated = await db().$transaction(async (tx) => {
      for (const r of results) {
        await tx.bulkOperationItem.update({
          where: { bulkId_exceptionId: { bulkId, exceptionId: r.exceptionId } },
          data: { status: r.status, message: r.message, processedAt: now },
        });
      }
      return tx.bulkOperation.update({
        where: { id: bulkId },
        data: { done: { increment: n("DONE") }, skipped: { increment: n("SKIPPED") }, failed: { increment: n("FAILED") } },
      });
    });
    if (Date.now() - lastPublish > 250) {
      lastPublish = Date.now();
      publishToUser(user.id, "bulk.progress", summary(updated));
    }
  }
}

async function doneBefore(bulkId: string, exceptionIds: string[]): Promise<Set<string>> {
  const rows = await db().auditEvent.findMany({
    where: { subjectType: "exception", subjectId: { in: exceptionIds }, data: { path: ["bulkId"], equals: bulkId }, type: { not: "correction.saved" } },
    select: { subjectId: true },
  });
  return new Set(rows.map((r) => r.subjectId!));
}

async function finish(bulkId: string, status: "COMPLETED" | "CANCELLED" | "FAILED", user: CurrentUser | null, error?: string): Promise<void> {
  const op = await db().$transaction(async (tx) => {
    const res = await tx.bulkOperation.updateMany({
      where: { id: bulkId, status: { notIn: FINISHED } },
      data: { status, finishedAt: new Date(), error: error ?? null },
    });
    const row = await tx.bulkOperation.findUniqueOrThrow({ where: { id: bulkId } });
    if (res.count === 1) {
      const base = { bulkId, kind: row.kind, total: row.total, done: row.done, skipped: row.skipped, failed: row.failed };
      const event: AppendInput<AuditEventType> =
        status === "FAILED"
          ? {
              type: "bulk.failed",
              actor: { type: "system", label: "andon bulk" },
              subject: { type: "bulk_operation", id: bulkId },
              data: { ...base, error: error ?? "" },
            }
          : {
              type: status === "COMPLETED" ? "bulk.completed" : "bulk.cancelled",
              actor: user ? actorOf(user) : { type: "system", label: "andon bulk" },
              subject: { type: "bulk_operation", id: bulkId },
              data: base,
            };
      await appendMany(tx, [event]);
    }
    return row;
  });
  log.info({ bulkId, status, done: op.done, skipped: op.skipped, failed: op.failed }, "bulk action finished");
  publishToUser(op.createdById, "bulk.progress", summary(op));
}
