import { notPosted, type ApplicationContext, type ApplicationMessage, type ApplicationResult } from "./application";
import {
  normalizeMaterial,
  normalizeOrder,
  STOCK_TYPE_NAMES,
  type ErpState,
  type InspectionLot,
  type MaterialDocument,
  type MaterialDocumentItem,
  type MaterialMaster,
  type StockKey,
  type StockType,
} from "./erp-state";
import type { Mbgmcr03 } from "./idoc-schema";
import { sapMessage, type SapMessage } from "./messages";
import { alphaIn, alphaOut, fiscalPeriodOf, formatQuantity, parseQuantity } from "./sap-format";

/**
 * Goods movements: BAPI_GOODSMVT_CREATE as called by IDOC_INPUT_MBGMCR (IDoc MBGMCR03) and by the
 * S/4HANA OData API API_MATERIAL_DOCUMENT_SRV (deep insert of A_MaterialDocumentHeader). Both
 * protocols map their message onto the same input and the same checks: item by item (first error
 * of an item wins, every item is checked), then the quantities are simulated in item order
 * against the stock type each movement takes from; only a document without errors is posted, and
 * then all of it (one material document).
 *
 * Stock types (MARD/MCHB): 01 unrestricted use, 02 quality inspection, 07 blocked. Issues (201,
 * 261, 551…) and transfers between storage locations (311) take unrestricted-use stock only, so a
 * batch whose stock sits in quality inspection or blocked stock cannot be issued: M7 021 "Deficit
 * of BA Unrestricted-use …". Transfer postings between stock types (321, 343, 344, 349, 350 and
 * their reversals) move a batch between them in place.
 */

type MovementKind = "receipt" | "issue" | "transfer" | "transfer-reversal" | "stock-type";

interface MovementType {
  readonly kind: MovementKind;
  readonly requiresOrder?: boolean;
  /** Stock type taken from (issues, stock-type transfers) or put into (receipts). */
  readonly from?: StockType;
  readonly to?: StockType;
}

/** The movement types the emulator knows (T156). Reversals move stock the other way. */
const MOVEMENT_TYPES: Readonly<Record<string, MovementType>> = {
  "101": { kind: "receipt", to: "01" }, // goods receipt (for purchase order or production order); QM: into 02
  "102": { kind: "issue", from: "01" }, // reversal of 101
  "201": { kind: "issue", from: "01" }, // goods issue for cost center
  "202": { kind: "receipt", to: "01" },
  "261": { kind: "issue", from: "01", requiresOrder: true }, // goods issue for order
  "262": { kind: "receipt", to: "01", requiresOrder: true },
  "311": { kind: "transfer", from: "01", to: "01" }, // transfer posting storage location to storage location in plant
  "312": { kind: "transfer-reversal", from: "01", to: "01" },
  "321": { kind: "stock-type", from: "02", to: "01" }, // quality inspection → unrestricted use
  "322": { kind: "stock-type", from: "01", to: "02" }, // reversal: unrestricted use → quality inspection
  "343": { kind: "stock-type", from: "07", to: "01" }, // blocked → unrestricted use
  "344": { kind: "stock-type", from: "01", to: "07" }, // unrestricted use → blocked
  "349": { kind: "stock-type", from: "07", to: "02" }, // blocked → quality inspection
  "350": { kind: "stock-type", from: "02", to: "07" }, // quality inspection → blocked
  "501": { kind: "receipt", to: "01" }, // receipt without purchase order
  "502": { kind: "issue", from: "01" },
  "551": { kind: "issue", from: "01" }, // withdrawal for scrapping
  "552": { kind: "receipt", to: "01" },
};

/** The movement types each goods movement code admits (T158B, as far as the emulator knows them). */
export const MOVEMENT_TYPES_BY_GM_CODE: Readonly<Record<string, readonly string[]>> = {
  "01": ["101", "102"],
  "02": ["101", "102"],
  "03": ["201", "202", "261", "262", "551", "552", "102", "502"],
  "04": ["311", "312", "321", "322", "343", "344", "349", "350"],
  "05": ["501", "502", "101", "102", "202", "262", "552"],
  "06": Object.keys(MOVEMENT_TYPES),
  "07": ["101", "102"],
};

/** One item of a goods movement, protocol-neutral. */
export interface GoodsMovementItemInput {
  readonly movementType: string;
  readonly material: string;
  readonly plant: string;
  readonly storageLocation: string;
  readonly batch: string;
  /** Quantity in the entry unit, thousandths. */
  readonly quantity: number;
  /** Empty: the material's base unit. */
  readonly entryUnit: string;
  readonly orderId: string;
  readonly receivingStorageLocation: string;
  readonly receivingBatch: string;
  readonly purchaseOrder: string;
  readonly purchaseOrderItem: string;
  readonly reservation: string;
  readonly reservationItem: string;
  readonly text: string;
  /** Receipts: the stock type to receive into (OData InventoryStockType); default 01, or 02 for QM. */
  readonly stockType?: StockType;
}

export interface GoodsMovementInput {
  /** DATS; empty or 00000000: today. */
  readonly postingDate: string;
  readonly documentDate: string;
  readonly reference: string;
  readonly headerText: string;
  readonly goodsMovementCode: string;
  readonly items: readonly GoodsMovementItemInput[];
  readonly testRun?: boolean;
  /** Check the movement types against the goods movement code (T158B). */
  readonly checkGoodsMovementCode?: boolean;
}

/** Where a message points in the caller's protocol: segment/entity path and field names. */
export interface GoodsMovementFieldNames {
  readonly headerPath: string;
  itemPath(index: number): string;
  readonly postingDate: string;
  readonly goodsMovementCode: string;
  readonly material: string;
  readonly plant: string;
  readonly movementType: string;
  readonly storageLocation: string;
  readonly batch: string;
  readonly entryUnit: string;
  readonly quantity: string;
  readonly order: string;
  readonly receivingStorageLocation: string;
  readonly purchaseOrder: string;
}

export type GoodsMovementOutcome =
  | { readonly status: "posted"; readonly document: MaterialDocument; readonly inspectionLots: readonly InspectionLot[] }
  | { readonly status: "checked" }
  | { readonly status: "refused"; readonly messages: readonly ApplicationMessage[] };

interface ResolvedItem {
  readonly index: number;
  readonly input: GoodsMovementItemInput;
  readonly movementType: string;
  readonly movement: MovementType;
  readonly material: MaterialMaster;
  readonly plant: string;
  readonly storageLocation: string;
  readonly batch: string;
  /** Quantity in base unit, thousandths. */
  readonly quantity: number;
  readonly orderId: string;
  readonly receiving?: { readonly storageLocation: string; readonly batch: string };
  readonly purchaseOrder: string;
  readonly purchaseOrderItem: string;
  /** A receipt of a QM-managed material: into quality inspection stock, with an inspection lot. */
  readonly qualityInspection: boolean;
}

interface StockMovement {
  readonly item: ResolvedItem;
  readonly key: Required<StockKey>;
  readonly type: StockType;
  readonly delta: number;
}

const initial = (value: string | undefined): boolean => !value || value.trim() === "" || value === "00000000";

/** Converts an entry quantity into the base unit through the material's alternative units (MARM). */
export function toBaseUnit(material: MaterialMaster, quantity: number, unit: string): number | undefined {
  if (unit === material.baseUnit) return quantity;
  const conversion = material.units.get(unit);
  return conversion ? Math.round((quantity * conversion.numerator) / conversion.denominator) : undefined;
}

function resolveItem(erp: ErpState, item: GoodsMovementItemInput, index: number, names: GoodsMovementFieldNames): ResolvedItem | { error: ApplicationMessage } {
  const path = names.itemPath(index);
  const fail = (field: string, message: SapMessage) => ({ error: { message, segmentPath: path, field } });
  const matnr = normalizeMaterial(item.material);
  const plantCode = item.plant;
  const plant = erp.plants.get(plantCode);
  if (!plant) return fail(names.plant, sapMessage("plantUnknown", plantCode));
  const material = erp.materials.get(matnr);
  if (!material) return fail(names.material, sapMessage("materialUnknown", matnr));
  const view = material.plants.get(plantCode);
  if (!view) return fail(names.material, sapMessage("notMaintainedInPlant", matnr, plantCode));
  if (material.deletionFlag || view.deletionFlag) return fail(names.material, sapMessage("materialFlaggedForDeletion", matnr));

  const movement = MOVEMENT_TYPES[item.movementType];
  if (!movement) return fail(names.movementType, sapMessage("movementTypeNotSupported", item.movementType));

  const storageLocation = item.storageLocation.trim();
  if (!storageLocation) return fail(names.storageLocation, sapMessage("storageLocationRequired", matnr));
  if (!plant.storageLocations.has(storageLocation)) return fail(names.storageLocation, sapMessage("storageLocationUnknown", storageLocation, plantCode));

  const batch = item.batch.trim();
  if (view.batchManaged && !batch) return fail(names.batch, sapMessage("enterBatch"));
  if (!view.batchManaged && batch) return fail(names.batch, sapMessage("notBatchManaged", matnr, plantCode));

  const unit = item.entryUnit.trim() || material.baseUnit;
  const quantity = toBaseUnit(material, item.quantity, unit);
  if (quantity === undefined) return fail(names.entryUnit, sapMessage("unitNotDefined", unit, matnr));

  const orderId = initial(item.orderId) ? "" : normalizeOrder(item.orderId);
  if (movement.requiresOrder && !orderId) return fail(names.order, sapMessage("orderRequired", item.movementType));
  if (orderId) {
    const order = erp.orders.get(orderId);
    if (!order) return fail(names.order, sapMessage("orderUnknown", alphaOut(orderId)));
    if (order.plant !== plantCode) return fail(names.order, sapMessage("orderPlantMismatch", alphaOut(orderId), order.plant));
  }

  const purchaseOrder = item.purchaseOrder.trim();
  const purchaseOrderItem = purchaseOrder ? alphaIn(item.purchaseOrderItem.trim() || "10", 5) : "";
  if (purchaseOrder) {
    const po = erp.purchaseOrders.get(purchaseOrder);
    const poItem = po?.items.find((i) => i.item === purchaseOrderItem);
    if (po && !poItem) return fail(names.purchaseOrder, sapMessage("purchaseOrderItemUnknown", alphaOut(purchaseOrderItem), purchaseOrder));
    if (poItem && (poItem.material !== matnr || poItem.plant !== plantCode)) {
      return fail(names.purchaseOrder, sapMessage("purchaseOrderItemMismatch", purchaseOrder, alphaOut(purchaseOrderItem), poItem.material, poItem.plant));
    }
  }

  let receiving: ResolvedItem["receiving"];
  if (movement.kind === "transfer" || movement.kind === "transfer-reversal") {
    const target = item.receivingStorageLocation.trim();
    if (!target) return fail(names.receivingStorageLocation, sapMessage("receivingLocationRequired", item.movementType));
    if (!plant.storageLocations.has(target)) return fail(names.receivingStorageLocation, sapMessage("storageLocationUnknown", target, plantCode));
    receiving = { storageLocation: target, batch: item.receivingBatch.trim() || batch };
  }

  return {
    index,
    input: item,
    movementType: item.movementType,
    movement,
    material,
    plant: plantCode,
    storageLocation,
    batch,
    quantity,
    orderId,
    receiving,
    purchaseOrder,
    purchaseOrderItem,
    qualityInspection: item.movementType === "101" && view.qmInspectionActive === true && (item.stockType ?? "02") === "02",
  };
}

/** The stock changes of an item: one for receipts and issues, two for transfers. */
function movementsOf(item: ResolvedItem): StockMovement[] {
  const base = { material: item.material.matnr, plant: item.plant };
  const issuing = { ...base, storageLocation: item.storageLocation, batch: item.batch };
  const receiving = item.receiving ? { ...base, storageLocation: item.receiving.storageLocation, batch: item.receiving.batch } : issuing;
  const { from = "01", to = "01" } = item.movement;
  switch (item.movement.kind) {
    case "receipt":
      return [{ item, key: issuing, type: item.input.stockType ?? (item.qualityInspection ? "02" : to), delta: item.quantity }];
    case "issue":
      return [{ item, key: issuing, type: from, delta: -item.quantity }];
    case "transfer":
      return [
        { item, key: issuing, type: from, delta: -item.quantity },
        { item, key: receiving, type: to, delta: item.quantity },
      ];
    case "transfer-reversal":
      return [
        { item, key: receiving, type: from, delta: -item.quantity },
        { item, key: issuing, type: to, delta: item.quantity },
      ];
    case "stock-type":
      return [
        { item, key: issuing, type: from, delta: -item.quantity },
        { item, key: issuing, type: to, delta: item.quantity },
      ];
  }
}

/**
 * M7 021 as SAP words it: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" — storage
 * location stock (SL) or batch stock (BA) of the stock type, the missing quantity in base unit,
 * and the stock key.
 */
function deficitMessage(movement: StockMovement, missing: number, names: GoodsMovementFieldNames): ApplicationMessage {
  const { key, item } = movement;
  const stockType = `${key.batch ? "BA" : "SL"} ${STOCK_TYPE_NAMES[movement.type]}`;
  const stockKeyText = [key.material, key.plant, key.storageLocation, key.batch].filter(Boolean).join(" ");
  const message = sapMessage("deficit", stockType, formatQuantity(missing, item.material.baseUnit), item.material.baseUnit, stockKeyText);
  return { message, segmentPath: names.itemPath(item.index), field: names.quantity };
}

/** The open MM periods of a company code (MMPV): the current one and the previous one. */
export function openPeriods(current: { year: number; period: number }): [{ year: number; period: number }, { year: number; period: number }] {
  const previous = current.period === 1 ? { year: current.year - 1, period: 12 } : { year: current.year, period: current.period - 1 };
  return [current, previous];
}

export const periodLabel = (p: { year: number; period: number }) => `${p.year}/${String(p.period).padStart(2, "0")}`;

/** Posting period check (MMPV): the current period of the company code, or the previous one. */
function checkPostingPeriod(erp: ErpState, plants: ReadonlySet<string>, postingDate: string, names: GoodsMovementFieldNames): ApplicationMessage[] {
  const { year, period } = fiscalPeriodOf(postingDate);
  const errors: ApplicationMessage[] = [];
  const checked = new Set<string>();
  for (const plant of plants) {
    const companyCode = erp.companyCodeOfPlant(plant);
    if (!companyCode || checked.has(companyCode.bukrs)) continue;
    checked.add(companyCode.bukrs);
    const [current, previous] = openPeriods(companyCode.postingPeriod);
    const allowed = [current, previous].some((p) => p.year === year && p.period === period);
    if (!allowed) {
      const message = sapMessage("periodClosed", periodLabel(current), periodLabel(previous), companyCode.bukrs);
      errors.push({ message, segmentPath: names.headerPath, field: names.postingDate });
    }
  }
  return errors;
}

/** Characteristics of the inspection plan a QM-managed material gets (task list of usage 5). */
export const DEFAULT_INSPECTION_PLAN: readonly { number: string; name: string; unit: string }[] = [
  { number: "0010", name: "VISCOSITY", unit: "MPAS" },
  { number: "0020", name: "PH", unit: "" },
  { number: "0030", name: "APPEARANCE", unit: "" },
];

/** Checks and (unless a test run) posts a goods movement; the ERP changes only when it posts. */
export function postMaterialDocument(
  erp: ErpState,
  today: string,
  input: GoodsMovementInput,
  names: GoodsMovementFieldNames,
  extra: { idocDocnum?: string; now?: Date } = {},
): GoodsMovementOutcome {
  // An initial posting date means "today", as in BAPI_GOODSMVT_CREATE.
  const postingDate = initial(input.postingDate) ? today : input.postingDate;
  const documentDate = initial(input.documentDate) ? postingDate : input.documentDate;

  const periodErrors = checkPostingPeriod(erp, new Set(input.items.map((item) => item.plant)), postingDate, names);
  if (periodErrors.length > 0) return { status: "refused", messages: periodErrors };

  const errors: ApplicationMessage[] = [];
  const items: ResolvedItem[] = [];
  input.items.forEach((item, index) => {
    if (input.checkGoodsMovementCode) {
      const allowed = MOVEMENT_TYPES_BY_GM_CODE[input.goodsMovementCode];
      if (allowed && !allowed.includes(item.movementType)) {
        const message = sapMessage("movementTypeNotForCode", item.movementType, input.goodsMovementCode);
        errors.push({ message, segmentPath: names.itemPath(index), field: names.movementType });
        return;
      }
    }
    const resolved = resolveItem(erp, item, index, names);
    if ("error" in resolved) errors.push(resolved.error);
    else items.push(resolved);
  });
  if (errors.length > 0) return { status: "refused", messages: errors };

  // Simulate the stock changes in item order, as the posting would write them.
  const movements = items.flatMap(movementsOf);
  const running = new Map<string, number>();
  const short = new Set<ResolvedItem>();
  for (const movement of movements) {
    const id = JSON.stringify([movement.key, movement.type]);
    const quantity = (running.get(id) ?? erp.stockOf(movement.key, movement.type)) + movement.delta;
    running.set(id, quantity);
    if (movement.delta < 0 && quantity < 0 && !short.has(movement.item)) {
      short.add(movement.item);
      errors.push(deficitMessage(movement, -quantity, names));
    }
  }
  if (errors.length > 0) return { status: "refused", messages: errors };

  if (input.testRun) return { status: "checked" };

  for (const movement of movements) erp.addStockOf(movement.key, movement.type, movement.delta);
  const number = erp.nextMaterialDocumentNumber(items.some((item) => item.purchaseOrder && item.movement.kind === "receipt") ? "50" : "49");
  const year = postingDate.slice(0, 4);

  // Goods receipts of QM-managed materials create an inspection lot per item (origin 01 for a
  // purchase order, 04 for a production order, 89 otherwise), as QM's inspection setup does.
  const lots = new Map<ResolvedItem, InspectionLot>();
  for (const item of items.filter((i) => i.qualityInspection)) {
    const lot: InspectionLot = {
      lot: erp.nextInspectionLotNumber(),
      origin: item.purchaseOrder ? "01" : item.orderId ? "04" : "89",
      material: item.material.matnr,
      plant: item.plant,
      storageLocation: item.storageLocation,
      batch: item.batch,
      quantity: item.quantity,
      unit: item.material.baseUnit,
      createdOn: postingDate,
      materialDocument: number,
      materialDocumentYear: year,
      purchaseOrder: item.purchaseOrder,
      characteristics: DEFAULT_INSPECTION_PLAN,
      results: [],
    };
    erp.inspectionLots.set(lot.lot, lot);
    lots.set(item, lot);
  }

  for (const item of items) {
    const poItem = item.purchaseOrder ? erp.purchaseOrders.get(item.purchaseOrder)?.items.find((i) => i.item === item.purchaseOrderItem) : undefined;
    if (!poItem) continue;
    // Base unit back into the order unit: 1 order unit = numerator / denominator base units.
    const conversion = poItem.unit === item.material.baseUnit ? undefined : item.material.units.get(poItem.unit);
    const inOrderUnit = conversion ? Math.round((item.quantity * conversion.denominator) / conversion.numerator) : item.quantity;
    poItem.received += item.movement.kind === "issue" ? -inOrderUnit : inOrderUnit;
  }

  const documentItems: MaterialDocumentItem[] = movements.map((movement, index) => ({
    line: String(index + 1).padStart(4, "0"),
    movementType: movement.item.movementType,
    material: movement.key.material,
    plant: movement.key.plant,
    storageLocation: movement.key.storageLocation,
    batch: movement.key.batch,
    quantity: Math.abs(movement.delta),
    unit: movement.item.material.baseUnit,
    debitCredit: movement.delta >= 0 ? "S" : "H",
    orderId: movement.item.orderId,
    stockType: movement.type,
    entryQuantity: movement.item.input.quantity,
    entryUnit: movement.item.input.entryUnit.trim() || movement.item.material.baseUnit,
    purchaseOrder: movement.item.purchaseOrder,
    purchaseOrderItem: movement.item.purchaseOrderItem,
    reservation: movement.item.input.reservation,
    reservationItem: movement.item.input.reservationItem,
    inspectionLot: lots.get(movement.item)?.lot ?? "",
  }));
  const document: MaterialDocument = {
    number,
    year,
    postingDate,
    documentDate,
    reference: input.reference,
    headerText: input.headerText,
    idocDocnum: extra.idocDocnum ?? "",
    items: documentItems,
    goodsMovementCode: input.goodsMovementCode,
    createdAt: extra.now,
  };
  erp.materialDocuments.push(document);
  return { status: "posted", document, inspectionLots: [...lots.values()] };
}

const IDOC_FIELDS: GoodsMovementFieldNames = {
  headerPath: "E1BP2017_GM_HEAD_01",
  itemPath: (index) => `E1BP2017_GM_ITEM_CREATE[${index}]`,
  postingDate: "PSTNG_DATE",
  goodsMovementCode: "GM_CODE",
  material: "MATERIAL",
  plant: "PLANT",
  movementType: "MOVE_TYPE",
  storageLocation: "STGE_LOC",
  batch: "BATCH",
  entryUnit: "ENTRY_UOM",
  quantity: "ENTRY_QNT",
  order: "ORDERID",
  receivingStorageLocation: "MOVE_STLOC",
  purchaseOrder: "PO_NUMBER",
};

/** MBGMCR inbound (IDOC_INPUT_MBGMCR → BAPI_GOODSMVT_CREATE). */
export function postGoodsMovement(ctx: ApplicationContext, idoc: Mbgmcr03): ApplicationResult {
  const head = idoc.E1BP2017_GM_HEAD_01;
  const input: GoodsMovementInput = {
    postingDate: head.PSTNG_DATE ?? "",
    documentDate: head.DOC_DATE ?? "",
    reference: head.REF_DOC_NO ?? "",
    headerText: head.HEADER_TXT ?? "",
    goodsMovementCode: idoc.E1BP2017_GM_CODE.GM_CODE,
    testRun: idoc.E1MBGMCR?.TESTRUN === "X",
    items: idoc.E1BP2017_GM_ITEM_CREATE.map((item) => ({
      movementType: item.MOVE_TYPE,
      material: item.MATERIAL_LONG || item.MATERIAL || "",
      plant: item.PLANT,
      storageLocation: item.STGE_LOC ?? "",
      batch: item.BATCH ?? "",
      quantity: parseQuantity(item.ENTRY_QNT),
      entryUnit: item.ENTRY_UOM ?? "",
      orderId: item.ORDERID ?? "",
      receivingStorageLocation: item.MOVE_STLOC ?? "",
      receivingBatch: item.MOVE_BATCH ?? "",
      purchaseOrder: initial(item.PO_NUMBER) ? "" : (item.PO_NUMBER ?? ""),
      purchaseOrderItem: item.PO_ITEM ?? "",
      reservation: item.RESERV_NO ?? "",
      reservationItem: item.RES_ITEM ?? "",
      text: item.ITEM_TEXT ?? "",
    })),
  };
  const outcome = postMaterialDocument(ctx.erp, ctx.today, input, IDOC_FIELDS, { idocDocnum: ctx.docnum });
  if (outcome.status === "refused") return notPosted(outcome.messages);
  if (outcome.status === "checked") return { status: "53", messages: [{ message: sapMessage("testRun") }] };
  const { number, year } = outcome.document;
  return {
    status: "53",
    messages: [{ message: sapMessage("materialDocumentPosted", number) }],
    applicationObject: { objectType: "BUS2017", key: `${number}${year}` },
    materialDocument: { number, year },
  };
}
