import { labelOf, REF_KIND_LABELS } from "@/lib/labels";
import { TRACE_KIND_SLUGS, TRACE_KINDS, type TraceKind } from "@/server/trace/kinds";

/**
 * Find a business object: its kind and its number (a plain GET form to /trace, works without JavaScript).
 */
export function TraceSearch({ kind = "lot", value = "" }: { kind?: TraceKind; value?: string }) {
  const field = "h-8 rounded-md border border-border bg-surface px-2 text-sm";
  return (
    <form
      method="get"
      action="/trace"
      aria-label="Trace a business object"
      className="flex flex-wrap items-end gap-2 rounded-lg border border-border bg-surface p-3 text-xs"
    >
      <label className="grid gap-1">
        Object
        <select name="kind" defaultValue={kind} className={field}>
          {TRACE_KIND_SLUGS.map((k) => (
            <option key={k} value={k}>
              {labelOf(REF_KIND_LABELS, TRACE_KINDS[k])}
            </option>
          ))}
        </select>
      </label>
      <label className="grid gap-1">
        Number
        <input name="value" defaultValue={value} required maxLength={120} className={`${field} w-64`} placeholder="e.g. B2026-17, 1004711, 4500012345" />
      </label>
      <button type="submit" className="h-8 rounded-md bg-primary px-3 text-sm font-medium text-primary-foreground">
        Trace
      </button>
    </form>
  );
}
