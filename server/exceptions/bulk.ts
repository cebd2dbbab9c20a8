import jsonpatch, { type Operation } from "fast-json-patch";
import { z } from "zod";
import { type AppendInput, type AuditEventType, append, appendMany } from "../audit";
import { type CurrentUser, loadPrincipal } from "../auth/principal";
import { saveCorrection, submitCorrection } from "../corrections/corrections";
import { type SchemaIssue, validatePayload } from "../corrections/validate";
import { Prisma, db, pool } from "../db";
import type { BulkKind, BulkStatus } from "../db/generated/enums";
import { AppError, forbidden, notFound } from "../http/errors";
import { logger } from "../log";
import { type Action, type Principal, can, plantScope } from "../policy";
import { publishToUser } from "../realtime/publish";
import { requestReplay } from "../replay/request-replay";
import { enqueueInTx } from "../workers/boss";
import { assignException, assignSchema, commentOnException, commentSchema, discardException, discardSchema } from "./actions";
import { matchingIds, queueFilterSchema } from "./queue";

/**
 * Bulk actions on exceptions: on a selection (ids) or on everything matching a queue filter (not just
 * the page). The target set is resolved once, inside the user's plant scope, into items; a pg-boss
 * job works through them in chunks, each item through the same function — policy, lifecycle, audit —
 * as the single action, its audit event carrying the bulkId. Items the lifecycle refuses (e.g. a
 * resolved exception in a discard) are skipped, other refusals fail, with the reason kept per item.
 * Progress is counted on the operation and pushed to its author's socket room; cancelling stops
 * before the next chunk. A crashed run resumes from its pending items; an item whose audit event
 * already names this bulk action was done before the crash and is not done twice.
 */
const log = logger("bulk");

export const BULK_QUEUE = "exceptions.bulk";
export const BULK_MAX_ITEMS = 10_000;
const CHUNK = 20;

type Actor = Principal & { email: string };

/** RFC 6902 JSON Patch, as the correction editor produces it. */
export const patchSchema = z
  .array(
    z.object({
      op: z.enum(["add", "remove", "replace", "move", "copy", "test"]),
      path: z.string().max(500),
      from: z.string().max(500).optional(),
      value: z.unknown().optional(),
    }).strict(),
  )
  .min(1, "The patch has no operations")
  .max(200);

/** Fields of the queue filter a bulk selection may use (paging and display parameters are ignored). */
const FILTER_KEYS = ["plant", "interface", "status", "severity", "category", "code", "assignee", "age", "q", "fingerprint"] as const;

/** The filter part of the queue's URL parameters, as a bulk selection's `filter` (paging and display dropped). */
export function selectionQuery(params: Record<string, string | string[] | undefined>): string {
  const out = new URLSearchParams();
  for (const k of FILTER_KEYS) {
    const v = params[k];
    const value = Array.isArray(v) ? v.join(",") : v;
    if (value) out.set(k, value);
  }
  return out.toString();
}

export const selectionSchema = z.union([
  z.object({ ids: z.array(z.uuid()).min(1, "Select at least one exception").max(1000) }).strict(),
  /** The queue's URL query (e.g. "status=open&fingerprint=…"): everything it matches. */
  z.object({ filter: z.string().max(2000) }).strict(),
]);
export type Selection = z.infer<typeof selectionSchema>;

const correctParams = z.object({ patch: patchSchema, reason: z.string().trim().min(10, "Explain the change in at least 10 characters").max(2000) }).strict();

export const bulkRequestSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ASSIGN"), selection: selectionSchema, params: assignSchema }).strict(),
  z.object({ kind: z.literal("COMMENT"), selection: selectionSchema, params: commentSchema }).strict(),
  z.object({ kind: z.literal("DISCARD"), selection: selectionSchema, params: discardSchema }).strict(),
  z.object({ kind: z.literal("REPLAY"), selection: selectionSchema, params: z.object({}).strict().default({}) }).strict(),
  z.object({ kind: z.literal("CORRECT"), selection: selectionSchema, params: correctParams }).strict(),
]);
export type BulkRequest = z.infer<typeof bulkRequestSchema>;

/** What a bulk action of each kind needs (the policy table decides who has it). */
export const BULK_PERMISSION: Record<BulkKind, Action> = {
  ASSIGN: "exception.triage",
  COMMENT: "exception.comment",
  DISCARD: "exception.discard",
  REPLAY: "replay.bulk",
  CORRECT: "exception.correct",
};

export function bulkKindsFor(user: Principal): BulkKind[] {
  return (Object.keys(BULK_PERMISSION) as BulkKind[]).filter((k) => can(user, BULK_PERMISSION[k]));
}

/** The ids a selection means for this user: always inside their plant scope, at most BULK_MAX_ITEMS. */
export async function resolveSelection(user: Principal, selection: Selection): Promise<string[]> {
  let ids: string[];
  if ("ids" in selection) {
    ids = (await db().exception.findMany({ where: { AND: [plantScope(user), { id: { in: selection.ids } }] }, select: { id: true } })).map((r) => r.id);
  } else {
    const params = new URLSearchParams(selection.filter);
    const raw: Record<string, string> = {};
    for (const k of FILTER_KEYS) {
      const v = params.getAll(k).join(",");
      if (v) raw[k] = v;
    }
    // Strict here (unlike the page): a mistyped filter must not silently widen what a bulk action hits.
    ids = await matchingIds(user, queueFilterSchema.parse(raw), BULK_MAX_ITEMS + 1);
  }
  if (ids.length > BULK_MAX_ITEMS) {
    throw new AppError(422, "too_many", `The selection matches more than ${BULK_MAX_ITEMS.toLocaleString("en")} exceptions: narrow the filter (e.g. by plant or group) and run it in parts`);
  }
  return ids;
}

export type BulkSummary = {
  id: string; kind: BulkKind; status: BulkStatus; total: number; done: number; skipped: number; failed: number;
  createdAt: string; startedAt: string | null; finishedAt: string | null; cancelRequested: boolean; error: string | null; label: string;
};

const KIND_LABEL: Record<BulkKind, string> = { ASSIGN: "Assign", COMMENT: "Comment", DISCARD: "Discard", REPLAY: "Replay", CORRECT: "Correct" };

function summary(op: { id: string; kind: BulkKind; status: BulkStatus; total: number; done: number; skipped: number; failed: number; createdAt: Date; startedAt: Date | null; finishedAt: Date | null; cancelRequestedAt: Date | null; error: string | null }): BulkSummary {
  return {
    id: op.id, kind: op.kind, status: op.status, total: op.total, done: op.done, skipped: op.skipped, failed: op.failed,
    createdAt: op.createdAt.toISOString(), startedAt: op.startedAt?.toISOString() ?? null, finishedAt: op.finishedAt?.toISOString() ?? null,
    cancelRequested: op.cancelRequestedAt !== null, error: op.error, label: `${KIND_LABEL[op.kind]} ${op.total} exception${op.total === 1 ? "" : "s"}`,
  };
}

const actorOf = (u: Actor) => ({ type: "user" as const, id: u.id, label: u.email });

/** Start a bulk action: resolve its targets, store them, audit the start and queue the job — one transaction. */
export async function startBulk(user: Actor, input: unknown): Promise<BulkSummary> {
  const req = bulkRequestSchema.parse(input);
  if (!can(user, BULK_PERMISSION[req.kind])) throw forbidden(`Your role cannot ${KIND_LABEL[req.kind].toLowerCase()} exceptions in bulk`);
  const ids = await resolveSelection(user, req.selection);
  if (ids.length === 0) throw new AppError(422, "empty_selection", "Nothing matches this selection in the plants you can see");
  const op = await db().$transaction(async (tx) => {
    const created = await tx.bulkOperation.create({
      data: { kind: req.kind, createdById: user.id, selection: req.selection as Prisma.InputJsonValue, params: req.params as Prisma.InputJsonValue, total: ids.length },
    });
    await tx.bulkOperationItem.createMany({ data: ids.map((exceptionId) => ({ bulkId: created.id, exceptionId })) });
    await append(tx, {
      type: "bulk.started",
      actor: actorOf(user),
      subject: { type: "bulk_operation", id: created.id },
      data: { bulkId: created.id, kind: req.kind, total: ids.length, done: 0, skipped: 0, failed: 0, selection: req.selection, params: req.params as Record<string, unknown> },
    });
    await enqueueInTx(tx, BULK_QUEUE, { bulkId: created.id }, { retryLimit: 5, retryDelay: 5, retryBackoff: true });
    return created;
  });
  return summary(op);
}

async function loadOwn(user: Principal, bulkId: string) {
  if (!z.uuid().safeParse(bulkId).success) throw notFound("Bulk action");
  const op = await db().bulkOperation.findUnique({ where: { id: bulkId } });
  if (!op || op.createdById !== user.id) throw notFound("Bulk action");
  return op;
}

export async function getBulk(user: Principal, bulkId: string) {
  const op = await loadOwn(user, bulkId);
  const items = await db().bulkOperationItem.findMany({
    where: { bulkId, status: { in: ["SKIPPED", "FAILED"] } },
    take: 200,
    orderBy: { processedAt: "asc" },
    include: { exception: { select: { errorCode: true, plant: { select: { code: true } }, interface: { select: { code: true } }, transaction: { select: { businessKey: true } } } } },
  });
  return {
    ...summary(op),
    problems: items.map((i) => ({
      exceptionId: i.exceptionId, status: i.status, message: i.message, plantCode: i.exception.plant.code, interfaceCode: i.exception.interface.code,
      errorCode: i.exception.errorCode, businessKey: i.exception.transaction.businessKey,
    })),
  };
}

export async function listBulk(user: Principal): Promise<BulkSummary[]> {
  const ops = await db().bulkOperation.findMany({ where: { createdById: user.id }, orderBy: { createdAt: "desc" }, take: 10 });
  return ops.map(summary);
}

const FINISHED: BulkStatus[] = ["COMPLETED", "CANCELLED", "FAILED"];

/** Ask a running bulk action to stop (before its next chunk); a queued one stops at once. */
export async function cancelBulk(user: Actor, bulkId: string): Promise<BulkSummary> {
  const op = await loadOwn(user, bulkId);
  if (FINISHED.includes(op.status)) throw new AppError(409, "finished", "This bulk action has already finished");
  const now = new Date();
  await db().bulkOperation.updateMany({ where: { id: bulkId, cancelRequestedAt: null }, data: { cancelRequestedAt: now } });
  const updated = await db().bulkOperation.findUniqueOrThrow({ where: { id: bulkId } });
  publishToUser(user.id, "bulk.progress", summary(updated));
  return summary(updated);
}

// ---------------------------------------------------------------------------------------------
// Preview of a group correction: apply one patch to every targeted payload and validate each.

export type PatchPreviewItem = {
  exceptionId: string; plantCode: string; businessKey: string | null; status: string;
  result: "ok" | "patch_error" | "schema_invalid" | "not_correctable" | "no_change";
  message: string | null; issues: SchemaIssue[];
};

const NOT_CORRECTABLE = ["RESOLVED", "DISCARDED", "REPLAY_QUEUED", "REPLAYING"];

/** Applies an RFC 6902 patch to a copy of the payload; throws a readable error if it does not apply. */
export function applyPatch(original: unknown, patch: z.infer<typeof patchSchema>): unknown {
  try {
    return jsonpatch.applyPatch(structuredClone(original), patch as Operation[], true, false).newDocument;
  } catch (err) {
    const e = err as { name?: string; message?: string; operation?: { op: string; path: string } };
    const where = e.operation ? ` (${e.operation.op} ${e.operation.path})` : "";
    throw new AppError(422, "patch_error", `${(e.message ?? "The patch does not apply").split("\n")[0]}${where}`);
  }
}

type Target = Awaited<ReturnType<typeof loadTargets>>[number];
async function loadTargets(ids: string[]) {
  return db().exception.findMany({
    where: { id: { in: ids } },
    include: { plant: { select: { code: true } }, transaction: { select: { payload: true, businessKey: true } }, interface: { select: { id: true, code: true } } },
  });
}

/** The latest schema version of each interface (one row each, not every version). */
async function latestSchemas(interfaceIds: string[]): Promise<Map<string, object>> {
  const rows = await Promise.all(interfaceIds.map((interfaceId) => db().interfaceSchema.findFirst({ where: { interfaceId }, orderBy: { version: "desc" } })));
  const out = new Map<string, object>();
  for (const r of rows) if (r) out.set(r.interfaceId, r.schema as object);
  return out;
}

function judge(t: Target, patch: z.infer<typeof patchSchema>, schema: object | undefined): Omit<PatchPreviewItem, "exceptionId" | "plantCode" | "businessKey" | "status"> & { payload?: unknown } {
  if (NOT_CORRECTABLE.includes(t.status)) return { result: "not_correctable", message: `A ${t.status.toLowerCase().replace(/_/g, " ")} exception cannot be corrected`, issues: [] };
  if (t.transaction.payload === null) return { result: "not_correctable", message: "No payload was reported for this message", issues: [] };
  let payload: unknown;
  try {
    payload = applyPatch(t.transaction.payload, patch);
  } catch (err) {
    return { result: "patch_error", message: (err as Error).message, issues: [] };
  }
  if (jsonpatch.compare(t.transaction.payload as object, payload as object).length === 0) return { result: "no_change", message: "The patch changes nothing in this payload", issues: [] };
  const issues = schema ? validatePayload(schema, payload) : [];
  if (issues.length) return { result: "schema_invalid", message: issues.map((i) => `${i.path} ${i.message}`).slice(0, 3).join("; "), issues };
  return { result: "ok", message: null, issues: [], payload };
}

/** Payloads judged at a time: at most this many (each at most 256 KB, the ingest's cap) are in memory at once. */
const PREVIEW_PAGE = 50;
/** Items a preview lists (problems first); its counts cover the whole selection. */
const PREVIEW_ITEMS = 500;
/**
 * A preview answers within this time: large selections of large payloads (~20 ms per 256 KB payload,
 * mostly schema validation) are previewed in part, said so (`complete: false`); the bulk action itself
 * judges every item again and reports each one it skips.
 */
const PREVIEW_BUDGET_MS = 10_000;
/** Schema issues listed per item (its message names the first three). */
const PREVIEW_ISSUES = 20;

/**
 * Dry run of a group correction: per item, does the patch apply and is the result schema-valid? Nothing
 * is written. The selection (up to BULK_MAX_ITEMS) is judged a page at a time, each page's payloads
 * dropped before the next is loaded, so memory is bounded by the page, not by the selection.
 */
export async function previewPatch(user: Actor, input: unknown, budgetMs = PREVIEW_BUDGET_MS) {
  if (!can(user, "exception.correct")) throw forbidden("Your role cannot correct payloads");
  const { selection, patch } = z.object({ selection: selectionSchema, patch: patchSchema }).strict().parse(input);
  const ids = await resolveSelection(user, selection);
  const counts = { ok: 0, patch_error: 0, schema_invalid: 0, not_correctable: 0, no_change: 0 };
  // Problems first, so the reviewer sees them before the long list of fine ones.
  const problems: PatchPreviewItem[] = [];
  const fine: PatchPreviewItem[] = [];
  const schemas = new Map<string, object | undefined>();
  let total = 0;
  const deadline = Date.now() + budgetMs;
  for (let from = 0; from < ids.length && Date.now() < deadline; from += PREVIEW_PAGE) {
    const targets = await loadTargets(ids.slice(from, from + PREVIEW_PAGE));
    const unseen = [...new Set(targets.map((t) => t.interfaceId))].filter((id) => !schemas.has(id));
    if (unseen.length) {
      const found = await latestSchemas(unseen);
      for (const id of unseen) schemas.set(id, found.get(id));
    }
    for (const t of targets) {
      const { payload: _payload, ...j } = judge(t, patch, schemas.get(t.interfaceId));
      counts[j.result]++;
      total++;
      const list = j.result === "ok" ? fine : problems;
      if (list.length < PREVIEW_ITEMS) {
        list.push({ exceptionId: t.id, plantCode: t.plant.code, businessKey: t.transaction.businessKey, status: t.status, ...j, issues: j.issues.slice(0, PREVIEW_ISSUES) });
      }
    }
  }
  return { total, selected: ids.length, complete: total === ids.length, counts, items: [...problems, ...fine].slice(0, PREVIEW_ITEMS) };
}

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
    const items = await db().bulkOperationItem.findMany({ where: { bulkId, status: "PENDING" }, take: CHUNK, orderBy: { exceptionId: "asc" } });
    if (items.length === 0) {
      await finish(bulkId, "COMPLETED", user);
      return "done";
    }
    // After a crash (or in a continuation): items whose own audit event already names this bulk action were done.
    const alreadyDone = resumed ? await doneBefore(bulkId, items.map((i) => i.exceptionId)) : new Set<string>();
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
        await tx.bulkOperationItem.update({ where: { bulkId_exceptionId: { bulkId, exceptionId: r.exceptionId } }, data: { status: r.status, message: r.message, processedAt: now } });
      }
      return tx.bulkOperation.update({ where: { id: bulkId }, data: { done: { increment: n("DONE") }, skipped: { increment: n("SKIPPED") }, failed: { increment: n("FAILED") } } });
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
    const res = await tx.bulkOperation.updateMany({ where: { id: bulkId, status: { notIn: FINISHED } }, data: { status, finishedAt: new Date(), error: error ?? null } });
    const row = await tx.bulkOperation.findUniqueOrThrow({ where: { id: bulkId } });
    if (res.count === 1) {
      const base = { bulkId, kind: row.kind, total: row.total, done: row.done, skipped: row.skipped, failed: row.failed };
      const event: AppendInput<AuditEventType> =
        status === "FAILED"
          ? { type: "bulk.failed", actor: { type: "system", label: "andon bulk" }, subject: { type: "bulk_operation", id: bulkId }, data: { ...base, error: error ?? "" } }
          : { type: status === "COMPLETED" ? "bulk.completed" : "bulk.cancelled", actor: user ? actorOf(user) : { type: "system", label: "andon bulk" }, subject: { type: "bulk_operation", id: bulkId }, data: base };
      await appendMany(tx, [event]);
    }
    return row;
  });
  log.info({ bulkId, status, done: op.done, skipped: op.skipped, failed: op.failed }, "bulk action finished");
  publishToUser(op.createdById, "bulk.progress", summary(op));
}
