import { SAP_SAMPLE_PAYLOADS } from "../../connectors/sap";

/**
 * SYSTEMS.md scenario 1's business objects, as the SAP emulator knows them: lot L (batch B2026-118 of the
 * resin RM-0815, stocked at plant 1000), the production order it is issued to, the QMS's quality hold of
 * the lot and Odoo's goods issue (261) of it. One definition for the integration tests and the e2e.
 */
export const LOT = { material: "RM-0815", plant: "1000", storageLocation: "0001", batch: "B2026-118" } as const;
export const ORDER = "1004711";

/**
 * What the QMS sends to SAP for lot L (SAP's QUALITY_HOLD form): a hold moves the batch to blocked stock,
 * a release back to unrestricted use. `targetStockType` differs from that only where a test sends a
 * wrong release on purpose (to be corrected).
 */
export function qualityHold(
  action: "HOLD" | "RELEASE",
  { targetStockType = action === "HOLD" ? "BLOCKED" : "UNRESTRICTED", ...extra }: { targetStockType?: "BLOCKED" | "UNRESTRICTED"; inspectionLot?: string } = {},
) {
  return {
    ...SAP_SAMPLE_PAYLOADS.QUALITY_HOLD,
    ...LOT,
    action,
    targetStockType,
    reason: action === "HOLD" ? "Viscosity out of specification (measured 412 cP, limit 350 cP)" : "Retest in specification (318 cP)",
    ...extra,
  };
}

/** Odoo's goods issue of `kg` of lot L to the production order, as SAP's GOODS_MOVEMENT (OData deep insert); `ref` is its reference document (16 characters kept). */
export function goodsIssue(kg: string, ref: string) {
  return {
    GoodsMovementCode: "03",
    MaterialDocumentHeaderText: `Issue to order ${ORDER}`,
    ReferenceDocument: ref.slice(0, 16),
    to_MaterialDocumentItem: [
      {
        GoodsMovementType: "261",
        Material: LOT.material,
        Plant: LOT.plant,
        StorageLocation: LOT.storageLocation,
        Batch: LOT.batch,
        QuantityInEntryUnit: kg,
        EntryUnit: "KG",
        ManufacturingOrder: ORDER,
      },
    ],
  };
}
