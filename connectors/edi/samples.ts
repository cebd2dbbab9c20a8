import type { SupplierAsnPayload } from "./schema";

/**
 * A realistic SUPPLIER_ASN payload: the supplier SUP-100 ships two lines of purchase order 4500001234
 * (lot-managed steel sheet and screws). The portal emulator's seed holds this supplier and order, so
 * `asnToX12(SAMPLE_SUPPLIER_ASN, …)` is an ASN the portal could have sent.
 */
export const SAMPLE_SUPPLIER_ASN: SupplierAsnPayload = {
  asnNumber: "ASN-2026-000123",
  supplier: "SUP-100",
  shipDate: "2026-12-07",
  purchaseOrder: "4500001234",
  lines: [
    { poLine: "10", material: "RM-4711", quantity: 120, unit: "KG", lot: "L2026-0815" },
    { poLine: "20", material: "RM-0815", quantity: 2500, unit: "PC" },
  ],
};
