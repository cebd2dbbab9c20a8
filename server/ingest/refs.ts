import type { RefKind } from "../db/generated/enums";
import type { IngestRefs } from "./schema";

/** One typed reference as stored (business_ref): kind, value, qualifier (a BOM's revision, an order's operation, a PO's line; '' when none). */
export type RefRow = { kind: RefKind; value: string; qualifier: string };

/** The references an event carries, as rows (pure: the ingest stores them, tests and the simulator read them). */
export function refRows(refs: IngestRefs | undefined): RefRow[] {
  if (!refs) return [];
  const rows: RefRow[] = [];
  const add = (kind: RefKind, value: string | undefined, qualifier?: string) => {
    if (value !== undefined) rows.push({ kind, value, qualifier: qualifier ?? "" });
  };
  add("MATERIAL", refs.material);
  add("BOM", refs.bom?.id, refs.bom?.revision);
  add("PRODUCTION_ORDER", refs.productionOrder?.id, refs.productionOrder?.operation);
  add("LOT", refs.lot);
  add("PURCHASE_ORDER", refs.purchaseOrder?.id, refs.purchaseOrder?.line);
  add("ASN", refs.asn);
  add("WORK_ORDER", refs.workOrder);
  add("INSPECTION_LOT", refs.inspectionLot);
  add("INVOICE", refs.invoice);
  add("FORECAST_VERSION", refs.forecastVersion);
  return rows;
}
