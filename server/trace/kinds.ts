import type { RefKind } from "../db/generated/enums";

/**
 * The business object kinds of the traceability pages, as written in URLs (/trace/lot/B2026-17,
 * /trace/order/1004711, /trace/po/4500012345), and the stored kind (business_ref.kind) each names. Pure:
 * pages, links and the API share it.
 */
export const TRACE_KINDS = {
  lot: "LOT",
  order: "PRODUCTION_ORDER",
  po: "PURCHASE_ORDER",
  material: "MATERIAL",
  bom: "BOM",
  asn: "ASN",
  "work-order": "WORK_ORDER",
  "inspection-lot": "INSPECTION_LOT",
  invoice: "INVOICE",
  forecast: "FORECAST_VERSION",
} as const satisfies Record<string, RefKind>;

export type TraceKind = keyof typeof TRACE_KINDS;
export const TRACE_KIND_SLUGS = Object.keys(TRACE_KINDS) as TraceKind[];

export function isTraceKind(value: string): value is TraceKind {
  return Object.hasOwn(TRACE_KINDS, value);
}

const SLUG_OF = Object.fromEntries(Object.entries(TRACE_KINDS).map(([slug, kind]) => [kind, slug])) as Record<RefKind, TraceKind>;

/** The page of one business object. */
export function traceHref(kind: TraceKind | RefKind, value: string): string {
  const slug = isTraceKind(kind) ? kind : SLUG_OF[kind];
  return `/trace/${slug}/${encodeURIComponent(value)}`;
}

/** A typed reference as pages show it: a link to the object's traceability page. */
export type ObjectRef = { kind: RefKind; value: string; qualifier: string; href: string };
