import type { SapInterface } from "./schemas";

/**
 * Sample payloads for the SAP-target interfaces in their JSON forms (see schemas.ts), consistent
 * with the seeded ERP (seed.ts): a freshly started emulator accepts each of them. Posting dates are
 * left out, so SAP posts on "today" (always in the open period).
 */
export const SAP_SAMPLE_PAYLOADS: Readonly<Record<SapInterface, Record<string, unknown>>> = {
  /** 261 of 12 PC RM-4711 to production order 1004711 (OData form; the IDoc form is fixtures/sap-mbgmcr-goods-movement.json). */
  GOODS_MOVEMENT: {
    GoodsMovementCode: "03",
    MaterialDocumentHeaderText: "Issue to order 1004711",
    ReferenceDocument: "WH/OUT/00412",
    to_MaterialDocumentItem: [
      {
        GoodsMovementType: "261",
        Material: "RM-4711",
        Plant: "1000",
        StorageLocation: "0001",
        QuantityInEntryUnit: "12",
        EntryUnit: "PC",
        ManufacturingOrder: "1004711",
      },
    ],
  },
  /** Two bearings issued to maintenance order 4100017. */
  SPARE_PARTS_USAGE: {
    GoodsMovementCode: "03",
    MaterialDocumentHeaderText: "Spare parts for 4100017",
    to_MaterialDocumentItem: [
      {
        GoodsMovementType: "261",
        Material: "SP-0042",
        Plant: "1000",
        StorageLocation: "0001",
        QuantityInEntryUnit: "2",
        EntryUnit: "PC",
        ManufacturingOrder: "4100017",
      },
    ],
  },
  /** MES confirms 48 good and 2 scrap frames on the cutting operation of 1004711. */
  PRODORD_CONFIRM: {
    OrderID: "1004711",
    OrderOperation: "0010",
    ConfirmationYieldQuantity: "48",
    ConfirmationScrapQuantity: "2",
    ConfirmationUnit: "PC",
    WorkCenter: "CUT-01",
    FinalConfirmationType: "",
    BOMRevision: "A",
  },
  /** QMS blocks resin batch B2026-118 (all of its stock moves to blocked stock: 344). */
  QUALITY_HOLD: {
    material: "RM-0815",
    plant: "1000",
    batch: "B2026-118",
    storageLocation: "0001",
    action: "HOLD",
    targetStockType: "BLOCKED",
    reason: "Viscosity drift reported by line 3",
  },
  /** QMS accepts inspection lot 010000004701 (primer B2026-301): its stock moves to unrestricted use (321). */
  INSPECTION_RESULT: {
    inspectionLot: "010000004701",
    material: "RM-2040",
    plant: "1000",
    batch: "B2026-301",
    usageDecisionCode: "A",
    usageDecisionText: "Accepted, all characteristics in specification",
    results: [
      { characteristic: "VISCOSITY", value: 1180, unit: "MPAS", lowerLimit: 1000, upperLimit: 1400, inSpec: true },
      { characteristic: "PH", value: 7.1, lowerLimit: 6.5, upperLimit: 7.5, inSpec: true },
    ],
  },
  /** Invoice of the supplier 100200 for the primer received against 4500012345/00030. */
  INVOICE_POSTING: {
    CompanyCode: "1000",
    DocumentDate: "2026-11-20",
    InvoicingParty: "100200",
    DocumentCurrency: "EUR",
    InvoiceGrossAmount: "3600.00",
    SupplierInvoiceIDByInvcgParty: "RE-2026-11873",
    DocumentHeaderText: "Primer P-40 November",
    to_SuplrInvcItemPurOrdRef: [
      {
        SupplierInvoiceItem: "1",
        PurchaseOrder: "4500012345",
        PurchaseOrderItem: "30",
        SupplierInvoiceItemAmount: "3600.00",
        QuantityInPurchaseOrderUnit: "200",
        PurchaseOrderQuantityUnit: "KG",
      },
    ],
  },
};
