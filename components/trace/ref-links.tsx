import Link from "next/link";
import { labelOf, REF_KIND_LABELS } from "@/lib/labels";
import type { ObjectRef } from "@/server/trace/kinds";

const QUALIFIER: Record<string, string> = { BOM: "revision", PRODUCTION_ORDER: "operation", PURCHASE_ORDER: "line" };

/**
 * The business objects a message named (lot, order, PO, …), each a link to its traceability page; one link per
 * object, its qualifiers (a BOM's revision, an order's operation, a PO's line) beside it.
 */
export function RefLinks({ refs, className }: { refs: readonly ObjectRef[] | undefined; className?: string }) {
  if (!refs || refs.length === 0) return null;
  const objects = new Map<string, { ref: ObjectRef; qualifiers: string[] }>();
  for (const r of refs) {
    const key = `${r.kind}|${r.value}`;
    const o = objects.get(key) ?? { ref: r, qualifiers: [] };
    if (r.qualifier) o.qualifiers.push(r.qualifier);
    objects.set(key, o);
  }
  return (
    <ul aria-label="Business objects" className={`flex flex-wrap gap-x-3 gap-y-1 text-xs ${className ?? ""}`} data-testid="ref-links">
      {[...objects.values()].map(({ ref, qualifiers }) => (
        <li key={`${ref.kind}|${ref.value}`}>
          <span className="text-muted-foreground">{labelOf(REF_KIND_LABELS, ref.kind)} </span>
          <Link href={ref.href} className="font-mono underline-offset-2 hover:underline" data-ref-kind={ref.kind}>
            {ref.value}
          </Link>
          {qualifiers.length > 0 ? (
            <span className="text-muted-foreground">
              {" "}
              ({QUALIFIER[ref.kind] ?? "qualifier"} {qualifiers.join(", ")})
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}
