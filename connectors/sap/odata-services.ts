import { z } from "zod";
import type { ApplicationMessage } from "./application";
import {
  normalizeMaterial,
  normalizeOrder,
  type ErpState,
  type InspectionLot,
  type MaterialDocument,
  type MaterialDocumentItem,
  type Order,
  type OrderConfirmation,
  type StockType,
  type SupplierInvoice,
} from "./erp-state";
import { openPeriods, postMaterialDocument, toBaseUnit, type GoodsMovementFieldNames, type GoodsMovementItemInput } from "./goods-movement";
import { sapMessage, type SapMessage } from "./messages";
import {
  amountFromOData,
  amountToOData,
  datsToOData,
  decimalFromOData,
  decimalToOData,
  ODataError,
  odataDateToDats,
  timeToOData,
  type ODataApplication,
} from "./odata-format";
import { alphaIn, alphaOut, fiscalPeriodOf, formatQuantity, toSapDate } from "./sap-format";

/**
 * The S/4HANA OData v2 services the emulator offers under /sap/opu/odata/sap/<SERVICE>/, on the
 * same ERP state as the IDoc inbound (the same stock, orders, materials, messages):
 *
 * - API_MATERIAL_DOCUMENT_SRV: A_MaterialDocumentHeader (deep insert with to_MaterialDocumentItem,
 *   read), A_MaterialDocumentItem (read)
 * - API_PROD_ORDER_CONFIRMATION_2_SRV: ProdnOrdConf2 (create, read)
 * - API_SUPPLIERINVOICE_PROCESS_SRV: A_SupplierInvoice (deep insert with to_SuplrInvcItemPurOrdRef,
 *   read), A_SuplrInvcItemPurOrdRef (read)
 * - API_INSPECTIONLOT_SRV: A_InspectionLot, A_InspectionCharacteristic (read), A_InspectionResult
 *   (record a result), A_InspLotUsageDecision (make the usage decision, with its stock posting)
 * - API_MATERIAL_STOCK_SRV: A_MatlStkInAcctMod (read stock per stock type)
 *
 * Entities are plain JSON objects as OData writes them (property names of the service metadata);
 * the router adds __metadata and the `d` wrapper.
 */

type Json = Record<string, unknown>;

export interface ODataContext {
  readonly erp: ErpState;
  readonly now: Date;
  /** DATS of now. */
  readonly today: string;
}

export interface CreateResult {
  readonly entity: Json;
  /** Success/warning messages for the sap-message header. */
  readonly messages: readonly SapMessage[];
}

export interface NavigationDef {
  readonly target: string;
  list(ctx: ODataContext, parent: Json): Json[];
}

export interface EntitySetDef {
  readonly name: string;
  /** Entity type name without namespace, e.g. A_MaterialDocumentHeaderType. */
  readonly type: string;
  readonly keys: readonly string[];
  list(ctx: ODataContext): Json[];
  create?(ctx: ODataContext, body: unknown): CreateResult;
  readonly navigation?: Readonly<Record<string, NavigationDef>>;
}

export interface ServiceDef extends ODataApplication {
  readonly entitySets: Readonly<Record<string, EntitySetDef>>;
}

/** The user OData requests run under (a communication user of the communication arrangement). */
export const API_USER = "ANDON_COMM";

// ---------------------------------------------------------------------------------------------
// Request bodies
// ---------------------------------------------------------------------------------------------

const str = (max: number) => z.string().max(max, `must be at most ${max} characters`);
const edmDate = z
  .string()
  .refine((v) => odataDateToDats(v) !== undefined, "must be an Edm.DateTime (/Date(ms)/ or YYYY-MM-DDThh:mm:ss)")
  .transform((v) => odataDateToDats(v) ?? "");
const decimal = z
  .union([z.string(), z.number()])
  .refine((v) => decimalFromOData(v) !== undefined, "must be a non-negative Edm.Decimal with at most 3 decimals")
  .transform((v) => decimalFromOData(v) ?? 0);
/** A navigation property in a deep insert: an array, or `{ results: [...] }` as OData v2 JSON writes collections. */
const deep = <T extends z.ZodType>(item: T) =>
  z.union([z.array(item), z.object({ results: z.array(item) }).strict()]).transform((v) => (Array.isArray(v) ? v : v.results) as z.output<T>[]);
const metadata = z.object({}).passthrough().optional();

const materialDocumentItemBody = z
  .object({
    __metadata: metadata,
    MaterialDocumentYear: str(4).optional(),
    MaterialDocument: str(10).optional(),
    MaterialDocumentItem: str(4).optional(),
    Material: str(40).optional(),
    Plant: str(4).optional(),
    StorageLocation: str(4).optional(),
    Batch: str(10).optional(),
    BatchBySupplier: str(15).optional(),
    GoodsMovementType: z.string().regex(/^[0-9A-Z]{3}$/, "must be a movement type (3 characters)"),
    InventoryStockType: z.enum(["", "01", "02", "07"]).optional(),
    InventoryValuationType: str(10).optional(),
    InventorySpecialStockType: str(1).optional(),
    Supplier: str(10).optional(),
    Customer: str(10).optional(),
    SalesOrder: str(10).optional(),
    SalesOrderItem: str(6).optional(),
    PurchaseOrder: str(10).optional(),
    PurchaseOrderItem: str(5).optional(),
    WBSElement: str(24).optional(),
    ManufacturingOrder: str(12).optional(),
    ManufacturingOrderItem: str(4).optional(),
    GoodsMovementRefDocType: str(1).optional(),
    GoodsMovementReasonCode: str(4).optional(),
    Delivery: str(10).optional(),
    DeliveryItem: str(6).optional(),
    AccountAssignmentCategory: str(1).optional(),
    CostCenter: str(10).optional(),
    ControllingArea: str(4).optional(),
    GLAccount: str(10).optional(),
    EntryUnit: str(3).optional(),
    EntryUnitISOCode: str(3).optional(),
    EntryUnitSAPCode: str(3).optional(),
    QuantityInEntryUnit: decimal,
    IssgOrRcvgMaterial: str(40).optional(),
    IssgOrRcvgBatch: str(10).optional(),
    IssuingOrReceivingPlant: str(4).optional(),
    IssuingOrReceivingStorageLoc: str(4).optional(),
    IssuingOrReceivingStockType: str(2).optional(),
    IsCompletelyDelivered: z.boolean().optional(),
    MaterialDocumentItemText: str(50).optional(),
    GoodsRecipientName: str(12).optional(),
    UnloadingPointName: str(25).optional(),
    ShelfLifeExpirationDate: edmDate.nullable().optional(),
    ManufactureDate: edmDate.nullable().optional(),
    Reservation: str(10).optional(),
    ReservationItem: str(4).optional(),
    ReservationItemRecordType: str(1).optional(),
    ReservationIsFinallyIssued: z.boolean().optional(),
  })
  .strict();

export const materialDocumentBody = z
  .object({
    __metadata: metadata,
    MaterialDocumentYear: str(4).optional(),
    MaterialDocument: str(10).optional(),
    InventoryTransactionType: str(2).optional(),
    DocumentDate: edmDate.nullable().optional(),
    PostingDate: edmDate.nullable().optional(),
    MaterialDocumentHeaderText: str(25).optional(),
    ReferenceDocument: str(16).optional(),
    VersionForPrintingSlip: str(1).optional(),
    ManualPrintIsTriggered: str(1).optional(),
    CtrlPostgForExtWhseMgmtSyst: str(1).optional(),
    GoodsMovementCode: z.enum(["01", "02", "03", "04", "05", "06", "07"], { error: "must be a goods movement code 01…07" }),
    to_MaterialDocumentItem: deep(materialDocumentItemBody).refine((items) => items.length > 0, "at least one item is required"),
  })
  .strict();

export const prodnOrdConf2Body = z
  .object({
    __metadata: metadata,
    ConfirmationGroup: str(10).optional(),
    ConfirmationCount: str(8).optional(),
    OrderID: str(12).optional(),
    Sequence: str(6).optional(),
    OrderOperation: str(4).optional(),
    OrderSuboperation: str(4).optional(),
    OrderType: str(4).optional(),
    OrderOperationInternalID: str(8).optional(),
    ConfirmationText: str(40).optional(),
    Language: str(2).optional(),
    Material: str(40).optional(),
    Plant: str(4).optional(),
    WorkCenter: str(8).optional(),
    WorkCenterTypeCode: str(2).optional(),
    Personnel: str(8).optional(),
    PostingDate: edmDate.nullable().optional(),
    ConfirmedExecutionStartDate: edmDate.nullable().optional(),
    ConfirmedExecutionEndDate: edmDate.nullable().optional(),
    ConfirmationUnit: str(3).optional(),
    ConfirmationUnitISOCode: str(3).optional(),
    ConfirmationYieldQuantity: decimal.optional(),
    ConfirmationScrapQuantity: decimal.optional(),
    ConfirmationReworkQuantity: decimal.optional(),
    VarianceReasonCode: str(4).optional(),
    FinalConfirmationType: z.enum(["", "X", "1"], { error: "must be '', 'X' (final) or '1' (automatic final confirmation)" }).optional(),
    IsFinalConfirmation: z.boolean().optional(),
    OpenReservationsIsCleared: z.boolean().optional(),
    APIConfHasNoGoodsMovements: z.boolean().optional(),
    ExternalSystemConfirmation: z.string().uuid().optional(),
    /**
     * Emulator extension (not in SAP's metadata): the BOM revision the confirmed quantity was
     * produced with, checked against the revision the order was exploded with.
     */
    BOMRevision: str(2).optional(),
  })
  .strict();

const supplierInvoiceItemBody = z
  .object({
    __metadata: metadata,
    SupplierInvoice: str(10).optional(),
    FiscalYear: str(4).optional(),
    SupplierInvoiceItem: z.string().regex(/^\d{1,6}$/, "must be an item number (up to 6 digits)"),
    PurchaseOrder: str(10),
    PurchaseOrderItem: z.string().regex(/^\d{1,5}$/, "must be a purchase order item (up to 5 digits)"),
    Plant: str(4).optional(),
    ReferenceDocument: str(10).optional(),
    ReferenceDocumentFiscalYear: str(4).optional(),
    ReferenceDocumentItem: str(4).optional(),
    IsSubsequentDebitCredit: str(1).optional(),
    TaxCode: str(2).optional(),
    TaxJurisdiction: str(15).optional(),
    DocumentCurrency: str(5).optional(),
    SupplierInvoiceItemAmount: z
      .union([z.string(), z.number()])
      .refine((v) => amountFromOData(v) !== undefined, "must be an amount (Edm.Decimal)")
      .transform((v) => amountFromOData(v) ?? 0),
    PurchaseOrderQuantityUnit: str(3).optional(),
    PurchaseOrderQtyUnitSAPCode: str(3).optional(),
    PurchaseOrderQtyUnitISOCode: str(3).optional(),
    QuantityInPurchaseOrderUnit: decimal.optional(),
    PurchaseOrderPriceUnit: str(3).optional(),
    QtyInPurchaseOrderPriceUnit: decimal.optional(),
    SupplierInvoiceItemText: str(50).optional(),
    IsNotCashDiscountLiable: z.boolean().optional(),
    IsFinallyInvoiced: z.boolean().optional(),
    TaxCountry: str(3).optional(),
  })
  .strict();

export const supplierInvoiceBody = z
  .object({
    __metadata: metadata,
    SupplierInvoice: str(10).optional(),
    FiscalYear: str(4).optional(),
    CompanyCode: str(4).min(1, "must not be empty"),
    DocumentDate: edmDate,
    PostingDate: edmDate.nullable().optional(),
    SupplierInvoiceIDByInvcgParty: str(16).optional(),
    InvoicingParty: str(10).min(1, "must not be empty"),
    DocumentCurrency: str(5).min(1, "must not be empty"),
    InvoiceGrossAmount: z
      .union([z.string(), z.number()])
      .refine((v) => amountFromOData(v) !== undefined, "must be an amount (Edm.Decimal)")
      .transform((v) => amountFromOData(v) ?? 0),
    UnplannedDeliveryCost: z.union([z.string(), z.number()]).optional(),
    DocumentHeaderText: str(25).optional(),
    PaymentTerms: str(4).optional(),
    DueCalculationBaseDate: edmDate.nullable().optional(),
    PaymentBlockingReason: str(1).optional(),
    AccountingDocumentType: str(2).optional(),
    SupplierInvoiceStatus: str(1).optional(),
    TaxIsCalculatedAutomatically: z.boolean().optional(),
    TaxDeterminationDate: edmDate.nullable().optional(),
    SupplierPostingLineItemText: str(50).optional(),
    AssignmentReference: str(18).optional(),
    to_SuplrInvcItemPurOrdRef: deep(supplierInvoiceItemBody).refine((items) => items.length > 0, "at least one item is required"),
  })
  .strict();

export const inspectionResultBody = z
  .object({
    __metadata: metadata,
    InspectionLot: z.string().regex(/^\d{1,12}$/, "must be an inspection lot number"),
    InspPlanOperationInternalID: str(8).optional(),
    InspectionCharacteristic: str(40),
    InspectionResultOriginalValue: str(25).optional(),
    InspectionResultMeanValue: z.union([z.string(), z.number()]).optional(),
    InspectionValuationResult: z.enum(["A", "R"], { error: "must be A (accepted) or R (rejected)" }),
    InspectionResultText: str(40).optional(),
  })
  .strict();

export const usageDecisionBody = z
  .object({
    __metadata: metadata,
    InspectionLot: z.string().regex(/^\d{1,12}$/, "must be an inspection lot number"),
    InspectionLotUsageDecisionCode: str(4).min(1, "must not be empty"),
    InspLotUsageDecisionCodeGroup: str(8).optional(),
    InspLotUsgeDcsnSelectedSet: str(8).optional(),
    SelectedCodeSetPlant: str(4).optional(),
    InspLotUsageDecisionCatalog: str(1).optional(),
    InspLotUsageDecisionLevel: str(1).optional(),
    InspLotUsgeDcsnFollowUpAction: str(8).optional(),
  })
  .strict();

/** A request body that does not fit the entity type: SAP Gateway refuses it before the application runs. */
function parseBody<T extends z.ZodType>(schema: T, body: unknown, entityType: string): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => {
    const property = issue.path.filter((p) => typeof p === "string" && p !== "results").join("/") || entityType;
    const text = issue.code === "unrecognized_keys" ? `Property '${issue.keys.join("', '")}' is invalid` : `Property '${property}': ${issue.message}`;
    return { code: "ZSAPEMU/090", message: text, propertyref: `${entityType}/${property}`, severity: "error", target: "" };
  });
  throw new ODataError(400, "ZSAPEMU/090", details[0]?.message ?? "Invalid request body", details);
}

// ---------------------------------------------------------------------------------------------
// API_MATERIAL_DOCUMENT_SRV
// ---------------------------------------------------------------------------------------------

const ODATA_FIELDS: GoodsMovementFieldNames = {
  headerPath: "",
  itemPath: (index) => `to_MaterialDocumentItem(${index + 1})`,
  postingDate: "PostingDate",
  goodsMovementCode: "GoodsMovementCode",
  material: "Material",
  plant: "Plant",
  movementType: "GoodsMovementType",
  storageLocation: "StorageLocation",
  batch: "Batch",
  entryUnit: "EntryUnit",
  quantity: "QuantityInEntryUnit",
  order: "ManufacturingOrder",
  receivingStorageLocation: "IssuingOrReceivingStorageLoc",
  purchaseOrder: "PurchaseOrder",
};

function materialDocumentItemJson(doc: MaterialDocument, item: MaterialDocumentItem): Json {
  return {
    MaterialDocumentYear: doc.year,
    MaterialDocument: doc.number,
    MaterialDocumentItem: item.line,
    Material: item.material,
    Plant: item.plant,
    StorageLocation: item.storageLocation,
    Batch: item.batch,
    GoodsMovementType: item.movementType,
    InventoryStockType: item.stockType ?? "01",
    InventorySpecialStockType: "",
    Supplier: "",
    Customer: "",
    PurchaseOrder: item.purchaseOrder ?? "",
    PurchaseOrderItem: item.purchaseOrderItem ?? "",
    ManufacturingOrder: item.orderId,
    Reservation: item.reservation ?? "",
    ReservationItem: item.reservationItem ?? "",
    MaterialBaseUnit: item.unit,
    QuantityInBaseUnit: decimalToOData(item.quantity),
    EntryUnit: item.entryUnit ?? item.unit,
    QuantityInEntryUnit: decimalToOData(item.entryQuantity ?? item.quantity),
    FiscalYear: doc.year,
    DebitCreditCode: item.debitCredit,
    GoodsMovementIsCancelled: false,
    MaterialDocumentItemText: "",
  };
}

function materialDocumentHeaderJson(doc: MaterialDocument): Json {
  return {
    MaterialDocumentYear: doc.year,
    MaterialDocument: doc.number,
    InventoryTransactionType: "",
    DocumentDate: datsToOData(doc.documentDate),
    PostingDate: datsToOData(doc.postingDate),
    CreationDate: datsToOData(doc.createdAt ? toSapDate(doc.createdAt) : doc.postingDate),
    CreationTime: doc.createdAt ? timeToOData(doc.createdAt) : "PT00H00M00S",
    CreatedByUser: doc.idocDocnum ? "ALEREMOTE" : API_USER,
    MaterialDocumentHeaderText: doc.headerText,
    ReferenceDocument: doc.reference,
    GoodsMovementCode: doc.goodsMovementCode ?? "",
    VersionForPrintingSlip: "",
    ManualPrintIsTriggered: "",
    CtrlPostgForExtWhseMgmtSyst: "",
  };
}

function createMaterialDocument(ctx: ODataContext, raw: unknown): CreateResult {
  const body = parseBody(materialDocumentBody, raw, "A_MaterialDocumentHeader");
  const items: GoodsMovementItemInput[] = body.to_MaterialDocumentItem.map((item) => ({
    movementType: item.GoodsMovementType,
    material: item.Material ?? "",
    plant: item.Plant ?? "",
    storageLocation: item.StorageLocation ?? "",
    batch: item.Batch ?? "",
    quantity: item.QuantityInEntryUnit,
    entryUnit: item.EntryUnit ?? "",
    orderId: item.ManufacturingOrder ?? "",
    receivingStorageLocation: item.IssuingOrReceivingStorageLoc ?? "",
    receivingBatch: item.IssgOrRcvgBatch ?? "",
    purchaseOrder: item.PurchaseOrder ?? "",
    purchaseOrderItem: item.PurchaseOrderItem ?? "",
    reservation: item.Reservation ?? "",
    reservationItem: item.ReservationItem ?? "",
    text: item.MaterialDocumentItemText ?? "",
    stockType: (item.InventoryStockType || undefined) as StockType | undefined,
  }));
  const outcome = postMaterialDocument(
    ctx.erp,
    ctx.today,
    {
      postingDate: body.PostingDate ?? "",
      documentDate: body.DocumentDate ?? "",
      reference: body.ReferenceDocument ?? "",
      headerText: body.MaterialDocumentHeaderText ?? "",
      goodsMovementCode: body.GoodsMovementCode,
      items,
      checkGoodsMovementCode: true,
    },
    ODATA_FIELDS,
    { now: ctx.now },
  );
  if (outcome.status === "refused") throw ODataError.fromMessages(outcome.messages, "A_MaterialDocumentItem");
  if (outcome.status !== "posted") throw new ODataError(500, "ZSAPEMU/099", "unexpected test run");
  const { document } = outcome;
  return {
    entity: { ...materialDocumentHeaderJson(document), to_MaterialDocumentItem: document.items.map((item) => materialDocumentItemJson(document, item)) },
    messages: [sapMessage("materialDocumentPosted", document.number)],
  };
}

const materialDocumentService: ServiceDef = {
  serviceId: "API_MATERIAL_DOCUMENT_SRV",
  componentId: "MM-IM-GF",
  entitySets: {
    A_MaterialDocumentHeader: {
      name: "A_MaterialDocumentHeader",
      type: "A_MaterialDocumentHeaderType",
      keys: ["MaterialDocumentYear", "MaterialDocument"],
      list: (ctx) => ctx.erp.materialDocuments.map(materialDocumentHeaderJson),
      create: createMaterialDocument,
      navigation: {
        to_MaterialDocumentItem: {
          target: "A_MaterialDocumentItem",
          list: (ctx, header) => {
            const doc = ctx.erp.materialDocuments.find((d) => d.number === header.MaterialDocument && d.year === header.MaterialDocumentYear);
            return doc ? doc.items.map((item) => materialDocumentItemJson(doc, item)) : [];
          },
        },
      },
    },
    A_MaterialDocumentItem: {
      name: "A_MaterialDocumentItem",
      type: "A_MaterialDocumentItemType",
      keys: ["MaterialDocumentYear", "MaterialDocument", "MaterialDocumentItem"],
      list: (ctx) => ctx.erp.materialDocuments.flatMap((doc) => doc.items.map((item) => materialDocumentItemJson(doc, item))),
    },
  },
};

// ---------------------------------------------------------------------------------------------
// API_PROD_ORDER_CONFIRMATION_2_SRV
// ---------------------------------------------------------------------------------------------

function confirmationJson(ctx: ODataContext, c: OrderConfirmation): Json {
  const order = ctx.erp.orders.get(c.order);
  return {
    ConfirmationGroup: c.group,
    ConfirmationCount: c.count,
    OrderID: alphaOut(c.order),
    Sequence: c.sequence,
    OrderOperation: c.operation,
    OrderSuboperation: "",
    OrderType: order?.orderType ?? "",
    ConfirmationText: c.text,
    Language: "EN",
    Material: c.material,
    OrderPlannedTotalQty: decimalToOData(order?.quantity ?? 0),
    ProductionUnit: order?.unit ?? "",
    FinalConfirmationType: c.finalConfirmationType,
    IsFinalConfirmation: c.isFinal,
    OpenReservationsIsCleared: false,
    IsReversed: false,
    IsReversal: false,
    APIConfHasNoGoodsMovements: true,
    ConfirmationEntryDate: datsToOData(toSapDate(c.createdAt)),
    ConfirmationEntryTime: timeToOData(c.createdAt),
    EnteredByUser: API_USER,
    Plant: c.plant,
    WorkCenter: c.workCenter,
    PostingDate: datsToOData(c.postingDate),
    ConfirmationUnit: c.unit,
    ConfirmationYieldQuantity: decimalToOData(c.yieldQuantity),
    ConfirmationScrapQuantity: decimalToOData(c.scrapQuantity),
    ConfirmationReworkQuantity: decimalToOData(0),
  };
}

const RELEASED_STATUS_BLOCKERS = ["CRTD", "TECO", "CLSD", "DLFL", "LKD"];

function createConfirmation(ctx: ODataContext, raw: unknown): CreateResult {
  const body = parseBody(prodnOrdConf2Body, raw, "ProdnOrdConf2");
  const { erp } = ctx;
  const refuse = (message: SapMessage, field?: string): never => {
    throw ODataError.fromMessages([{ message, field }], "ProdnOrdConf2");
  };
  const orderId = (body.OrderID ?? "").trim();
  if (!orderId) refuse(sapMessage("enterOrder"), "OrderID");
  const aufnr = normalizeOrder(orderId);
  const order = erp.orders.get(aufnr) as Order;
  if (!order) refuse(sapMessage("orderUnknown", alphaOut(aufnr)), "OrderID");
  const blocker =
    order.systemStatus.find((s) => RELEASED_STATUS_BLOCKERS.includes(s)) ??
    (order.systemStatus.includes("REL") ? undefined : (order.systemStatus[0] ?? "CRTD"));
  if (blocker) refuse(sapMessage("statusActive", blocker, `ORD ${alphaOut(aufnr)}`), "OrderID");

  const vornr = (body.OrderOperation ?? "").trim() ? alphaIn((body.OrderOperation ?? "").trim(), 4) : (order.operations.at(-1)?.vornr ?? "");
  const operation = order.operations.find((op) => op.vornr === vornr);
  if (!operation) return refuse(sapMessage("operationUnknown", vornr || "(none)", alphaOut(aufnr)), "OrderOperation");
  if (body.WorkCenter && body.WorkCenter !== operation.workCenter)
    refuse(sapMessage("workCenterMismatch", body.WorkCenter, operation.workCenter, vornr), "WorkCenter");

  // Posting date: today by default; the MM period must be open (CO11N: RU 428).
  const postingDate = body.PostingDate || ctx.today;
  const companyCode = erp.companyCodeOfPlant(order.plant);
  if (companyCode) {
    const { year, period } = fiscalPeriodOf(postingDate);
    if (!openPeriods(companyCode.postingPeriod).some((p) => p.year === year && p.period === period)) {
      refuse(sapMessage("confirmationPeriodLocked", String(period).padStart(3, "0"), String(year)), "PostingDate");
    }
  }

  // Unit: the order unit, or an alternative unit of the material that converts into it (MARM).
  const unit = (body.ConfirmationUnit ?? "").trim() || order.unit;
  const material = erp.materials.get(order.material);
  const toOrderUnit = (quantity: number): number | undefined => {
    if (unit === order.unit) return quantity;
    if (!material) return undefined;
    const base = toBaseUnit(material, quantity, unit);
    if (base === undefined) return undefined;
    if (order.unit === material.baseUnit) return base;
    const conversion = material.units.get(order.unit);
    return conversion ? Math.round((base * conversion.denominator) / conversion.numerator) : undefined;
  };
  const yieldQuantity = toOrderUnit(body.ConfirmationYieldQuantity ?? 0);
  const scrapQuantity = toOrderUnit(body.ConfirmationScrapQuantity ?? 0);
  const reworkQuantity = toOrderUnit(body.ConfirmationReworkQuantity ?? 0);
  if (yieldQuantity === undefined || scrapQuantity === undefined || reworkQuantity === undefined) {
    return refuse(sapMessage("confirmationUnitInvalid", unit, order.unit, alphaOut(aufnr)), "ConfirmationUnit");
  }
  if (yieldQuantity + scrapQuantity + reworkQuantity <= 0) refuse(sapMessage("enterQuantity"), "ConfirmationYieldQuantity");

  // BOM revision: the order's revision must be effective on the posting date (emulator rule, see messages.ts).
  if (body.BOMRevision && order.bomRevision && body.BOMRevision !== order.bomRevision) {
    refuse(sapMessage("bomRevisionMismatch", alphaOut(aufnr), order.bomRevision, body.BOMRevision), "BOMRevision");
  }
  if (order.bomValidFrom && postingDate < order.bomValidFrom) {
    const show = (dats: string) => `${dats.slice(0, 4)}-${dats.slice(4, 6)}-${dats.slice(6, 8)}`;
    refuse(sapMessage("bomRevisionNotEffective", order.bomRevision ?? "", order.material, show(order.bomValidFrom), show(postingDate)), "PostingDate");
  }

  if (operation.status === "CNF") refuse(sapMessage("operationFinallyConfirmed", vornr, alphaOut(aufnr)), "OrderOperation");
  const confirmedBefore = (operation.confirmedYield ?? 0) + (operation.confirmedScrap ?? 0);
  const total = confirmedBefore + yieldQuantity + scrapQuantity;
  const tolerance = order.overdeliveryTolerancePercent ?? 0;
  if (!order.unlimitedOverdelivery && total > Math.round(order.quantity * (1 + tolerance / 100))) {
    refuse(
      sapMessage(
        "overConfirmation",
        `${formatQuantity(total, order.unit)} ${order.unit}`,
        `${formatQuantity(order.quantity, order.unit)} ${order.unit}`,
        alphaOut(aufnr),
        String(tolerance),
      ),
      "ConfirmationYieldQuantity",
    );
  }

  // Post: the operation's quantities and status, then the order status (REL → PCNF → CNF).
  const finalType = body.FinalConfirmationType ?? (body.IsFinalConfirmation ? "X" : "");
  const isFinal = finalType === "X" || body.IsFinalConfirmation === true || (finalType === "1" && total >= order.quantity);
  operation.confirmedYield = (operation.confirmedYield ?? 0) + yieldQuantity;
  operation.confirmedScrap = (operation.confirmedScrap ?? 0) + scrapQuantity;
  operation.status = isFinal ? "CNF" : "PCNF";
  const allConfirmed = order.operations.every((op) => op.status === "CNF");
  order.systemStatus = [...order.systemStatus.filter((s) => s !== "PCNF" && s !== "CNF"), allConfirmed ? "CNF" : "PCNF"];

  operation.confirmationGroup ??= erp.nextConfirmationGroup();
  const confirmation: OrderConfirmation = {
    group: operation.confirmationGroup,
    count: erp.nextConfirmationCount(),
    order: aufnr,
    operation: vornr,
    sequence: body.Sequence ?? "0",
    plant: order.plant,
    workCenter: operation.workCenter,
    material: order.material,
    postingDate,
    yieldQuantity,
    scrapQuantity,
    unit: order.unit,
    finalConfirmationType: finalType,
    isFinal,
    text: body.ConfirmationText ?? "",
    bomRevision: body.BOMRevision ?? "",
    createdAt: ctx.now,
  };
  erp.confirmations.push(confirmation);
  return { entity: confirmationJson(ctx, confirmation), messages: [sapMessage("confirmationSaved", alphaOut(aufnr))] };
}

const confirmationService: ServiceDef = {
  serviceId: "API_PROD_ORDER_CONFIRMATION_2_SRV",
  componentId: "PP-SFC-EXE-CON",
  entitySets: {
    ProdnOrdConf2: {
      name: "ProdnOrdConf2",
      type: "ProdnOrdConf2Type",
      keys: ["ConfirmationGroup", "ConfirmationCount"],
      list: (ctx) => ctx.erp.confirmations.map((c) => confirmationJson(ctx, c)),
      create: createConfirmation,
    },
  },
};

// ---------------------------------------------------------------------------------------------
// API_SUPPLIERINVOICE_PROCESS_SRV
// ---------------------------------------------------------------------------------------------

function supplierInvoiceItemsJson(invoice: SupplierInvoice): Json[] {
  return invoice.items.map((item) => ({
    SupplierInvoice: invoice.number,
    FiscalYear: invoice.fiscalYear,
    SupplierInvoiceItem: item.item,
    PurchaseOrder: item.purchaseOrder,
    PurchaseOrderItem: item.purchaseOrderItem,
    Plant: item.plant,
    TaxCode: item.taxCode,
    DocumentCurrency: invoice.currency,
    SupplierInvoiceItemAmount: amountToOData(item.amount),
    PurchaseOrderQuantityUnit: item.unit,
    QuantityInPurchaseOrderUnit: decimalToOData(item.quantity),
    SupplierInvoiceItemText: "",
  }));
}

function supplierInvoiceJson(invoice: SupplierInvoice): Json {
  return {
    SupplierInvoice: invoice.number,
    FiscalYear: invoice.fiscalYear,
    CompanyCode: invoice.companyCode,
    DocumentDate: datsToOData(invoice.documentDate),
    PostingDate: datsToOData(invoice.postingDate),
    CreationDate: datsToOData(toSapDate(invoice.createdAt)),
    SupplierInvoiceIDByInvcgParty: invoice.reference,
    InvoicingParty: invoice.invoicingParty,
    DocumentCurrency: invoice.currency,
    InvoiceGrossAmount: amountToOData(invoice.grossAmount),
    DocumentHeaderText: invoice.headerText,
    AccountingDocumentType: "RE",
    SupplierInvoiceStatus: invoice.status,
    PaymentBlockingReason: invoice.paymentBlock,
    SupplierInvoiceOrigin: "5",
    TaxIsCalculatedAutomatically: false,
    IsReversal: false,
    IsReversed: false,
  };
}

function createSupplierInvoice(ctx: ODataContext, raw: unknown): CreateResult {
  const body = parseBody(supplierInvoiceBody, raw, "A_SupplierInvoice");
  const { erp } = ctx;
  const refuse = (messages: ApplicationMessage[]): never => {
    throw ODataError.fromMessages(messages, "A_SupplierInvoice");
  };
  const companyCode = erp.companyCodes.get(body.CompanyCode);
  if (!companyCode) refuse([{ message: sapMessage("companyCodeUnknown", body.CompanyCode), field: "CompanyCode" }]);
  const postingDate = body.PostingDate || ctx.today;
  const { year, period } = fiscalPeriodOf(postingDate);
  if (companyCode && !openPeriods(companyCode.postingPeriod).some((p) => p.year === year && p.period === period)) {
    refuse([{ message: sapMessage("postingPeriodNotOpen", String(period).padStart(3, "0"), String(year)), field: "PostingDate" }]);
  }

  const errors: ApplicationMessage[] = [];
  const blocked: SapMessage[] = [];
  const lines = body.to_SuplrInvcItemPurOrdRef.map((line, index) => {
    const target = `to_SuplrInvcItemPurOrdRef(${index + 1})`;
    const po = erp.purchaseOrders.get(line.PurchaseOrder);
    const itemNo = alphaIn(line.PurchaseOrderItem, 5);
    const poItem = po?.items.find((i) => i.item === itemNo);
    if (!po) errors.push({ message: sapMessage("purchaseOrderUnknown", line.PurchaseOrder), field: "PurchaseOrder", segmentPath: target });
    else if (!poItem)
      errors.push({ message: sapMessage("purchaseOrderItemUnknown", alphaOut(itemNo), po.number), field: "PurchaseOrderItem", segmentPath: target });
    else if (po.companyCode !== body.CompanyCode)
      errors.push({ message: sapMessage("companyCodeMismatch", po.number, po.companyCode), field: "PurchaseOrder", segmentPath: target });
    else if (po.supplier !== body.InvoicingParty.replace(/^0+/, "")) {
      errors.push({ message: sapMessage("invoicingPartyMismatch", po.number, po.supplier, body.InvoicingParty), field: "PurchaseOrder", segmentPath: target });
    } else if (po.currency !== body.DocumentCurrency || (line.DocumentCurrency && line.DocumentCurrency !== body.DocumentCurrency)) {
      errors.push({
        message: sapMessage("currencyMismatch", po.number, po.currency, line.DocumentCurrency || body.DocumentCurrency),
        field: "DocumentCurrency",
        segmentPath: target,
      });
    }
    return { line, itemNo, po, poItem, quantity: line.QuantityInPurchaseOrderUnit ?? poItem?.quantity ?? 0 };
  });
  if (errors.length > 0) refuse(errors);

  // Items must balance with the gross amount (no tax is calculated by the emulator).
  const itemTotal = lines.reduce((sum, l) => sum + l.line.SupplierInvoiceItemAmount, 0);
  if (itemTotal !== body.InvoiceGrossAmount) refuse([{ message: sapMessage("balanceNotZero"), field: "InvoiceGrossAmount" }]);

  // Duplicate invoice check (supplier, currency, company code, gross amount, reference, invoice date).
  const reference = body.SupplierInvoiceIDByInvcgParty ?? "";
  if (reference) {
    const duplicate = erp.supplierInvoices.find(
      (inv) =>
        inv.invoicingParty === body.InvoicingParty &&
        inv.currency === body.DocumentCurrency &&
        inv.companyCode === body.CompanyCode &&
        inv.grossAmount === body.InvoiceGrossAmount &&
        inv.reference === reference &&
        inv.documentDate === body.DocumentDate,
    );
    if (duplicate) refuse([{ message: sapMessage("duplicateInvoice", duplicate.number, duplicate.fiscalYear), field: "SupplierInvoiceIDByInvcgParty" }]);
  }

  const number = erp.nextSupplierInvoiceNumber();
  let paymentBlock = "";
  for (const l of lines) {
    if (!l.poItem) continue;
    if (l.poItem.invoiced + l.quantity > l.poItem.received) {
      paymentBlock = "R";
      blocked.push(sapMessage("invoiceBlockedQuantity", number, l.po?.number ?? "", alphaOut(l.itemNo)));
    }
    l.poItem.invoiced += l.quantity;
  }
  const invoice: SupplierInvoice = {
    number,
    fiscalYear: String(year),
    companyCode: body.CompanyCode,
    documentDate: body.DocumentDate,
    postingDate,
    invoicingParty: body.InvoicingParty,
    currency: body.DocumentCurrency,
    grossAmount: body.InvoiceGrossAmount,
    reference,
    headerText: body.DocumentHeaderText ?? "",
    status: "5",
    paymentBlock,
    items: lines.map((l) => ({
      item: l.line.SupplierInvoiceItem.padStart(6, "0"),
      purchaseOrder: l.line.PurchaseOrder,
      purchaseOrderItem: l.itemNo,
      plant: l.poItem?.plant ?? l.line.Plant ?? "",
      amount: l.line.SupplierInvoiceItemAmount,
      quantity: l.quantity,
      unit: l.poItem?.unit ?? l.line.PurchaseOrderQuantityUnit ?? "",
      taxCode: l.line.TaxCode ?? "",
    })),
    createdAt: ctx.now,
  };
  erp.supplierInvoices.push(invoice);
  return {
    entity: { ...supplierInvoiceJson(invoice), to_SuplrInvcItemPurOrdRef: supplierInvoiceItemsJson(invoice) },
    messages: [sapMessage("invoicePosted", number), ...blocked],
  };
}

const supplierInvoiceService: ServiceDef = {
  serviceId: "API_SUPPLIERINVOICE_PROCESS_SRV",
  componentId: "MM-IV-LIV-CRE",
  entitySets: {
    A_SupplierInvoice: {
      name: "A_SupplierInvoice",
      type: "A_SupplierInvoiceType",
      keys: ["SupplierInvoice", "FiscalYear"],
      list: (ctx) => ctx.erp.supplierInvoices.map(supplierInvoiceJson),
      create: createSupplierInvoice,
      navigation: {
        to_SuplrInvcItemPurOrdRef: {
          target: "A_SuplrInvcItemPurOrdRef",
          list: (ctx, header) => {
            const invoice = ctx.erp.supplierInvoices.find((inv) => inv.number === header.SupplierInvoice && inv.fiscalYear === header.FiscalYear);
            return invoice ? supplierInvoiceItemsJson(invoice) : [];
          },
        },
      },
    },
    A_SuplrInvcItemPurOrdRef: {
      name: "A_SuplrInvcItemPurOrdRef",
      type: "A_SuplrInvcItemPurOrdRefType",
      keys: ["SupplierInvoice", "FiscalYear", "SupplierInvoiceItem"],
      list: (ctx) => ctx.erp.supplierInvoices.flatMap(supplierInvoiceItemsJson),
    },
  },
};

// ---------------------------------------------------------------------------------------------
// API_INSPECTIONLOT_SRV
// ---------------------------------------------------------------------------------------------

function inspectionLotJson(lot: InspectionLot): Json {
  return {
    InspectionLot: lot.lot,
    Material: lot.material,
    Batch: lot.batch,
    Plant: lot.plant,
    InspectionLotOrigin: lot.origin,
    BatchStorageLocation: lot.storageLocation,
    InspectionLotQuantity: decimalToOData(lot.quantity),
    InspectionLotQuantityUnit: lot.unit,
    InspLotCreatedOnLocalDate: datsToOData(lot.createdOn),
    MaterialDocument: lot.materialDocument ?? "",
    MaterialDocumentYear: lot.materialDocumentYear ?? "",
    PurchasingDocument: lot.purchaseOrder ?? "",
    InspectionLotUsageDecisionCode: lot.usageDecision?.code ?? "",
  };
}

function characteristicsJson(lot: InspectionLot): Json[] {
  return lot.characteristics.map((c) => ({
    InspectionLot: lot.lot,
    InspPlanOperationInternalID: "1",
    InspectionCharacteristic: c.number,
    InspectionSpecification: c.name,
    InspectionCharacteristicText: c.name,
    InspectionSpecificationUnit: c.unit,
  }));
}

function resultsJson(lot: InspectionLot): Json[] {
  return lot.results.map((r) => ({
    InspectionLot: lot.lot,
    InspPlanOperationInternalID: "1",
    InspectionCharacteristic: r.characteristic,
    InspectionResultOriginalValue: r.value,
    InspectionValuationResult: r.valuation,
    InspectionResultText: r.text,
  }));
}

function usageDecisionJson(lot: InspectionLot): Json {
  const ud = lot.usageDecision;
  return {
    InspectionLot: lot.lot,
    InspLotUsageDecisionLevel: "L",
    InspectionLotQualityScore: ud?.code === "A" ? "100.00" : "1.00",
    InspLotUsageDecisionCatalog: "3",
    InspLotUsgeDcsnSelectedSet: "01",
    SelectedCodeSetPlant: lot.plant,
    InspLotUsageDecisionCodeGroup: ud?.codeGroup ?? "",
    InspectionLotUsageDecisionCode: ud?.code ?? "",
    InspLotUsageDecisionValuation: ud?.code ?? "",
    InspectionLotUsageDecidedBy: API_USER,
    InspectionLotUsageDecidedOn: datsToOData(ud?.decidedOn),
    InspLotUsageDecisionTime: ud ? timeToOData(ud.decidedAt) : "PT00H00M00S",
  };
}

function lotOf(ctx: ODataContext, number: string, entity: string): InspectionLot {
  const lot = ctx.erp.inspectionLots.get(number.padStart(12, "0"));
  if (!lot) throw ODataError.fromMessages([{ message: sapMessage("inspectionLotUnknown", number), field: "InspectionLot" }], entity);
  return lot;
}

function recordResult(ctx: ODataContext, raw: unknown): CreateResult {
  const body = parseBody(inspectionResultBody, raw, "A_InspectionResult");
  const lot = lotOf(ctx, body.InspectionLot, "A_InspectionResult");
  if (lot.usageDecision) throw ODataError.fromMessages([{ message: sapMessage("usageDecisionExists", lot.lot), field: "InspectionLot" }], "A_InspectionResult");
  const wanted = body.InspectionCharacteristic.trim();
  const characteristic = lot.characteristics.find((c) => c.number === alphaIn(wanted, 4) || c.name === wanted.toUpperCase());
  if (!characteristic) {
    throw ODataError.fromMessages([{ message: sapMessage("characteristicUnknown", wanted, lot.lot), field: "InspectionCharacteristic" }], "A_InspectionResult");
  }
  const value = body.InspectionResultOriginalValue ?? (body.InspectionResultMeanValue === undefined ? "" : String(body.InspectionResultMeanValue));
  lot.results = lot.results.filter((r) => r.characteristic !== characteristic.number);
  lot.results.push({
    characteristic: characteristic.number,
    name: characteristic.name,
    value,
    unit: characteristic.unit,
    valuation: body.InspectionValuationResult,
    text: body.InspectionResultText ?? "",
    recordedAt: ctx.now,
  });
  const entity = resultsJson(lot).find((r) => r.InspectionCharacteristic === characteristic.number) ?? {};
  return { entity, messages: [sapMessage("resultsRecorded", characteristic.number, lot.lot)] };
}

/**
 * QA11: the usage decision and its stock posting — the lot's quantity in quality inspection moves
 * to unrestricted use (321) on acceptance or to blocked stock (350) on rejection.
 */
function makeUsageDecision(ctx: ODataContext, raw: unknown): CreateResult {
  const body = parseBody(usageDecisionBody, raw, "A_InspLotUsageDecision");
  const lot = lotOf(ctx, body.InspectionLot, "A_InspLotUsageDecision");
  const refuse = (message: SapMessage, field: string): never => {
    throw ODataError.fromMessages([{ message, field }], "A_InspLotUsageDecision");
  };
  if (lot.usageDecision) refuse(sapMessage("usageDecisionExists", lot.lot), "InspectionLot");
  const code = body.InspectionLotUsageDecisionCode.trim().toUpperCase();
  if (code !== "A" && code !== "R")
    return refuse(sapMessage("usageDecisionCodeInvalid", code, body.InspLotUsgeDcsnSelectedSet ?? "01"), "InspectionLotUsageDecisionCode");

  const outcome = postMaterialDocument(
    ctx.erp,
    ctx.today,
    {
      postingDate: ctx.today,
      documentDate: ctx.today,
      reference: lot.lot,
      headerText: `UD ${code} lot ${lot.lot}`,
      goodsMovementCode: "04",
      items: [
        {
          movementType: code === "A" ? "321" : "350",
          material: lot.material,
          plant: lot.plant,
          storageLocation: lot.storageLocation,
          batch: lot.batch,
          quantity: lot.quantity,
          entryUnit: lot.unit,
          orderId: "",
          receivingStorageLocation: "",
          receivingBatch: "",
          purchaseOrder: "",
          purchaseOrderItem: "",
          reservation: "",
          reservationItem: "",
          text: "",
        },
      ],
    },
    { ...ODATA_FIELDS, itemPath: () => "A_InspLotUsageDecision", quantity: "InspectionLot" },
    { now: ctx.now },
  );
  if (outcome.status === "refused") throw ODataError.fromMessages(outcome.messages, "A_InspLotUsageDecision");
  const materialDocument = outcome.status === "posted" ? outcome.document.number : undefined;
  lot.usageDecision = { code, codeGroup: body.InspLotUsageDecisionCodeGroup ?? "01", text: "", decidedOn: ctx.today, decidedAt: ctx.now, materialDocument };
  const rejected = lot.results.find((r) => r.valuation === "R");
  const messages = [sapMessage("usageDecisionMade", code, lot.lot)];
  if (code === "A" && rejected) messages.push(sapMessage("acceptedDespiteRejection", lot.lot, rejected.characteristic));
  if (materialDocument) messages.push(sapMessage("materialDocumentPosted", materialDocument));
  return { entity: usageDecisionJson(lot), messages };
}

const inspectionLotService: ServiceDef = {
  serviceId: "API_INSPECTIONLOT_SRV",
  componentId: "QM-IM-IL",
  entitySets: {
    A_InspectionLot: {
      name: "A_InspectionLot",
      type: "A_InspectionLotType",
      keys: ["InspectionLot"],
      list: (ctx) => [...ctx.erp.inspectionLots.values()].map(inspectionLotJson),
      navigation: {
        to_InspectionCharacteristic: {
          target: "A_InspectionCharacteristic",
          list: (ctx, lot) => {
            const found = ctx.erp.inspectionLots.get(String(lot.InspectionLot));
            return found ? characteristicsJson(found) : [];
          },
        },
        to_InspLotUsageDecision: {
          target: "A_InspLotUsageDecision",
          list: (ctx, lot) => {
            const found = ctx.erp.inspectionLots.get(String(lot.InspectionLot));
            return found?.usageDecision ? [usageDecisionJson(found)] : [];
          },
        },
      },
    },
    A_InspectionCharacteristic: {
      name: "A_InspectionCharacteristic",
      type: "A_InspectionCharacteristicType",
      keys: ["InspectionLot", "InspPlanOperationInternalID", "InspectionCharacteristic"],
      list: (ctx) => [...ctx.erp.inspectionLots.values()].flatMap(characteristicsJson),
    },
    A_InspectionResult: {
      name: "A_InspectionResult",
      type: "A_InspectionResultType",
      keys: ["InspectionLot", "InspPlanOperationInternalID", "InspectionCharacteristic"],
      list: (ctx) => [...ctx.erp.inspectionLots.values()].flatMap(resultsJson),
      create: recordResult,
    },
    A_InspLotUsageDecision: {
      name: "A_InspLotUsageDecision",
      type: "A_InspLotUsageDecisionType",
      keys: ["InspectionLot"],
      list: (ctx) => [...ctx.erp.inspectionLots.values()].filter((lot) => lot.usageDecision).map(usageDecisionJson),
      create: makeUsageDecision,
    },
  },
};

// ---------------------------------------------------------------------------------------------
// API_MATERIAL_STOCK_SRV
// ---------------------------------------------------------------------------------------------

const materialStockService: ServiceDef = {
  serviceId: "API_MATERIAL_STOCK_SRV",
  componentId: "MM-IM-GF",
  entitySets: {
    A_MatlStkInAcctMod: {
      name: "A_MatlStkInAcctMod",
      type: "A_MatlStkInAcctModType",
      keys: [
        "Material",
        "Plant",
        "StorageLocation",
        "Batch",
        "Supplier",
        "Customer",
        "WBSElementInternalID",
        "SDDocument",
        "SDDocumentItem",
        "InventorySpecialStockType",
        "InventoryStockType",
      ],
      list: (ctx) =>
        ctx.erp.stockRows().flatMap((row) =>
          (
            [
              ["01", row.quantity],
              ["02", row.qualityInspection],
              ["07", row.blocked],
            ] as const
          )
            .filter(([, quantity]) => quantity !== 0)
            .map(([type, quantity]) => ({
              Material: row.material,
              Plant: row.plant,
              StorageLocation: row.storageLocation,
              Batch: row.batch,
              Supplier: "",
              Customer: "",
              WBSElementInternalID: "00000000",
              SDDocument: "",
              SDDocumentItem: "000000",
              InventorySpecialStockType: "",
              InventoryStockType: type,
              MaterialBaseUnit: ctx.erp.materials.get(row.material)?.baseUnit ?? "",
              MatlWrhsStkQtyInMatlBaseUnit: decimalToOData(quantity),
            })),
        ),
    },
  },
};

export const ODATA_SERVICES: Readonly<Record<string, ServiceDef>> = Object.fromEntries(
  [materialDocumentService, confirmationService, supplierInvoiceService, inspectionLotService, materialStockService].map((s) => [s.serviceId, s]),
);

/** Material numbers are stored in MATN1 form; OData filters and keys use them as stored. */
export const normalizeKeyValue = (property: string, value: string): string => (property === "Material" ? normalizeMaterial(value) : value);
