import jsonpatch, { type Operation } from "fast-json-patch";
import { z } from "zod";
import { type SchemaIssue, validatePayload } from "../corrections/validate";
import { db } from "../db";
import type { BulkKind, BulkStatus } from "../db/generated/enums";
import { AppError, notFound } from "../http/errors";
import { boundedJson } from "../http/json-depth";
import { type Action, type Principal, can, plantScope } from "../policy";
import { assignSchema } from "./assign-exception";
import { commentSchema } from "./comment-on-exception";
import { discardSchema } from "./discard-exception";
import { matchingIds, queueFilterSchema } from "./queue";
import { EXCEPTION_STATUS_LABELS, labelOf } from "../../lib/labels";
import { NOT_CORRECTABLE_STATUSES } from "../../lib/rules";
import type { BulkSummary } from "../realtime/events";

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

export const BULK_QUEUE = "exceptions.bulk";
export const BULK_MAX_ITEMS = 10_000;
export const CHUNK = 20;

export type Actor = Principal & { email: string };

/** RFC 6902 JSON Patch, as the correction editor produces it. */
export const patchSchema = z
  .array(
    z
      .object({
        op: z.enum(["add", "remove", "replace", "move", "copy", "test"]),
        path: z.string().max(500),
        from: z.string().max(500).optional(),
        value: boundedJson(z.unknown(), "A patch value").optional(),
      })
      .strict(),
  )
  .min(1, "The patch has no operations")
  .max(200);

/** Fields of the queue filter a bulk selection may use (paging and display parameters are ignored). */
export const FILTER_KEYS = ["plant", "interface", "status", "severity", "category", "code", "assignee", "age", "q", "fingerprint"] as const;

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

export const correctParams = z
  .object({ patch: patchSchema, reason: z.string().trim().min(10, "Explain the change in at least 10 characters").max(2000) })
  .strict();

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
    throw new AppError(
      422,
      "too_many",
      `The selection matches more than ${BULK_MAX_ITEMS.toLocaleString("en")} exceptions: narrow the filter (e.g. by plant or group) and run it in parts`,
    );
  }
  return ids;
}

export type { BulkSummary } from "../realtime/events";

export const KIND_LABEL: Record<BulkKind, string> = { ASSIGN: "Assign", COMMENT: "Comment", DISCARD: "Discard", REPLAY: "Replay", CORRECT: "Correct" };

export function summary(op: {
  id: string;
  kind: BulkKind;
  status: BulkStatus;
  total: number;
  done: number;
  skipped: number;
  failed: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  cancelRequestedAt: Date | null;
  error: string | null;
}): BulkSummary {
  return {
    id: op.id,
    kind: op.kind,
    status: op.status,
    total: op.total,
    done: op.done,
    skipped: op.skipped,
    failed: op.failed,
    createdAt: op.createdAt.toISOString(),
    startedAt: op.startedAt?.toISOString() ?? null,
    finishedAt: op.finishedAt?.toISOString() ?? null,
    cancelRequested: op.cancelRequestedAt !== null,
    error: op.error,
    label: `${KIND_LABEL[op.kind]} ${op.total} exception${op.total === 1 ? "" : "s"}`,
  };
}

export const actorOf = (u: Actor) => ({ type: "user" as const, id: u.id, label: u.email });

export async function loadOwn(user: Principal, bulkId: string) {
  if (!z.uuid().safeParse(bulkId).success) throw notFound("Bulk action");
  const op = await db().bulkOperation.findUnique({ where: { id: bulkId } });
  if (!op || op.createdById !== user.id) throw notFound("Bulk action");
  return op;
}

export const FINISHED: BulkStatus[] = ["COMPLETED", "CANCELLED", "FAILED"];

// ---------------------------------------------------------------------------------------------
// Preview of a group correction: apply one patch to every targeted payload and validate each.

export type PatchPreviewItem = {
  exceptionId: string;
  plantCode: string;
  businessKey: string | null;
  status: string;
  result: "ok" | "patch_error" | "schema_invalid" | "not_correctable" | "no_change";
  message: string | null;
  issues: SchemaIssue[];
};

export const NOT_CORRECTABLE: readonly string[] = NOT_CORRECTABLE_STATUSES;

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

export type Target = Awaited<ReturnType<typeof loadTargets>>[number];
export async function loadTargets(ids: string[]) {
  return db().exception.findMany({
    where: { id: { in: ids } },
    include: {
      plant: { select: { code: true } },
      transaction: { select: { payload: true, businessKey: true } },
      interface: { select: { id: true, code: true } },
    },
  });
}

/** The latest schema version of each interface (one row each, not every version). */
export async function latestSchemas(interfaceIds: string[]): Promise<Map<string, object>> {
  const rows = await Promise.all(interfaceIds.map((interfaceId) => db().interfaceSchema.findFirst({ where: { interfaceId }, orderBy: { version: "desc" } })));
  const out = new Map<string, object>();
  for (const r of rows) if (r) out.set(r.interfaceId, r.schema as object);
  return out;
}

export function judge(
  t: Target,
  patch: z.infer<typeof patchSchema>,
  schema: object | undefined,
): Omit<PatchPreviewItem, "exceptionId" | "plantCode" | "businessKey" | "status"> & { payload?: unknown } {
  if (NOT_CORRECTABLE.includes(t.status))
    return { result: "not_correctable", message: `An exception in status “${labelOf(EXCEPTION_STATUS_LABELS, t.status)}” cannot be corrected`, issues: [] };
  if (t.transaction.payload === null) return { result: "not_correctable", message: "No payload was reported for this message", issues: [] };
  let payload: unknown;
  try {
    payload = applyPatch(t.transaction.payload, patch);
  } catch (err) {
    return { result: "patch_error", message: (err as Error).message, issues: [] };
  }
  if (jsonpatch.compare(t.transaction.payload as object, payload as object).length === 0)
    return { result: "no_change", message: "The patch changes nothing in this payload", issues: [] };
  const issues = schema ? validatePayload(schema, payload, t.hopTarget) : [];
  if (issues.length)
    return {
      result: "schema_invalid",
      message: issues
        .map((i) => `${i.path} ${i.message}`)
        .slice(0, 3)
        .join("; "),
      issues,
    };
  return { result: "ok", message: null, issues: [], payload };
}
