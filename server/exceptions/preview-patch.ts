import { z } from "zod";
import { forbidden } from "../http/errors";
import { can } from "../policy";
import { type Actor, type PatchPreviewItem, judge, latestSchemas, loadTargets, patchSchema, resolveSelection, selectionSchema } from "./bulk-rules";

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
        list.push({
          exceptionId: t.id,
          plantCode: t.plant.code,
          businessKey: t.transaction.businessKey,
          status: t.status,
          ...j,
          issues: j.issues.slice(0, PREVIEW_ISSUES),
        });
      }
    }
  }
  return { total, selected: ids.length, complete: total === ids.length, counts, items: [...problems, ...fine].slice(0, PREVIEW_ITEMS) };
}
