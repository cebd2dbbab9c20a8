import { notPosted, type ApplicationContext, type ApplicationMessage, type ApplicationResult } from "./application";
import { normalizeMaterial, normalizeOrder, type ErpState, type MaterialDocumentItem, type MaterialMaster, type StockKey } from "./erp-state";
import type { GoodsMovementItem, Mbgmcr03 } from "./idoc-schema";
import { sapMessage, type SapMessage } from "./messages";
import { alphaOut, fiscalPeriodOf, formatQuantity, parseQuantity } from "./sap-format";

/**
 * MBGMCR inbound: BAPI_GOODSMVT_CREATE as called by IDOC_INPUT_MBGMCR. Checks run item by item
 * (first error of an item wins, every item is checked), then the quantities are simulated in item
 * order against unrestricted-use stock; only a document without errors is posted, and then all of
 * it (one material document).
 */

type MovementKind = "receipt" | "issue" | "transfer" | "transfer-reversal";

interface MovementType {
  readonly kind: MovementKind;
  readonly requiresOrder?: boolean;
}

/** The movement types the emulator knows (T156). Reversals move stock the other way. */
const MOVEMENT_TYPES: Readonly<Record<string, MovementType>> = {
  "101": { kind: "receipt" }, // goods receipt (for purchase order or production order)
  "102": { kind: "issue" }, // reversal of 101
  "201": { kind: "issue" }, // goods issue for cost center
  "202": { kind: "receipt" },
  "261": { kind: "issue", requiresOrder: true }, // goods issue for order
  "262": { kind: "receipt", requiresOrder: true },
  "311": { kind: "transfer" }, // transfer posting storage location to storage location in plant
  "312": { kind: "transfer-reversal" },
  "501": { kind: "receipt" }, // receipt without purchase order
  "502": { kind: "issue" },
  "551": { kind: "issue" }, // withdrawal for scrapping
  "552": { kind: "receipt" },
};

interface ResolvedItem {
  readonly path: string;
  readonly movementType: string;
  readonly kind: MovementKind;
  readonly material: MaterialMaster;
  readonly plant: string;
  readonly storageLocation: string;
  readonly batch: string;
  /** Quantity in base unit, thousandths. */
  readonly quantity: number;
  readonly orderId: string;
  readonly receiving?: { readonly storageLocation: string; readonly batch: string };
  readonly purchaseOrder: boolean;
}

interface StockMovement {
  readonly item: ResolvedItem;
  readonly key: Required<StockKey>;
  readonly delta: number;
}

const initial = (value: string | undefined): boolean => !value || value.trim() === "" || value === "00000000";

function fail(path: string, field: string, message: SapMessage): { error: ApplicationMessage } {
  return { error: { message, segmentPath: path, field } };
}

/** Converts an entry quantity into the base unit through the material's alternative units (MARM). */
function toBaseUnit(material: MaterialMaster, quantity: number, unit: string): number | undefined {
  if (unit === material.baseUnit) return quantity;
  const conversion = material.units.get(unit);
  return conversion ? Math.round((quantity * conversion.numerator) / conversion.denominator) : undefined;
}

function resolveItem(erp: ErpState, item: GoodsMovementItem, path: string): ResolvedItem | { error: ApplicationMessage } {
  const matnr = normalizeMaterial(item.MATERIAL_LONG || item.MATERIAL || "");
  const plantCode = item.PLANT;
  const plant = erp.plants.get(plantCode);
  if (!plant) return fail(path, "PLANT", sapMessage("plantUnknown", plantCode));
  const material = erp.materials.get(matnr);
  if (!material) return fail(path, "MATERIAL", sapMessage("materialUnknown", matnr));
  const view = material.plants.get(plantCode);
  if (!view) return fail(path, "MATERIAL", sapMessage("notMaintainedInPlant", matnr, plantCode));
  if (material.deletionFlag || view.deletionFlag) return fail(path, "MATERIAL", sapMessage("materialFlaggedForDeletion", matnr));

  const movement = MOVEMENT_TYPES[item.MOVE_TYPE];
  if (!movement) return fail(path, "MOVE_TYPE", sapMessage("movementTypeNotSupported", item.MOVE_TYPE));

  const storageLocation = item.STGE_LOC?.trim() ?? "";
  if (!storageLocation) return fail(path, "STGE_LOC", sapMessage("storageLocationRequired", matnr));
  if (!plant.storageLocations.has(storageLocation)) return fail(path, "STGE_LOC", sapMessage("storageLocationUnknown", storageLocation, plantCode));

  const batch = item.BATCH?.trim() ?? "";
  if (view.batchManaged && !batch) return fail(path, "BATCH", sapMessage("enterBatch"));
  if (!view.batchManaged && batch) return fail(path, "BATCH", sapMessage("notBatchManaged", matnr, plantCode));

  const unit = item.ENTRY_UOM?.trim() || material.baseUnit;
  const quantity = toBaseUnit(material, parseQuantity(item.ENTRY_QNT), unit);
  if (quantity === undefined) return fail(path, "ENTRY_UOM", sapMessage("unitNotDefined", unit, matnr));

  const orderId = initial(item.ORDERID) ? "" : normalizeOrder(item.ORDERID ?? "");
  if (movement.requiresOrder && !orderId) return fail(path, "ORDERID", sapMessage("orderRequired", item.MOVE_TYPE));
  if (orderId) {
    const order = erp.orders.get(orderId);
    if (!order) return fail(path, "ORDERID", sapMessage("orderUnknown", alphaOut(orderId)));
    if (order.plant !== plantCode) return fail(path, "ORDERID", sapMessage("orderPlantMismatch", alphaOut(orderId), order.plant));
  }

  let receiving: ResolvedItem["receiving"];
  if (movement.kind === "transfer" || movement.kind === "transfer-reversal") {
    const target = item.MOVE_STLOC?.trim() ?? "";
    if (!target) return fail(path, "MOVE_STLOC", sapMessage("receivingLocationRequired", item.MOVE_TYPE));
    if (!plant.storageLocations.has(target)) return fail(path, "MOVE_STLOC", sapMessage("storageLocationUnknown", target, plantCode));
    receiving = { storageLocation: target, batch: item.MOVE_BATCH?.trim() || batch };
  }

  return {
    path,
    movementType: item.MOVE_TYPE,
    kind: movement.kind,
    material,
    plant: plantCode,
    storageLocation,
    batch,
    quantity,
    orderId,
    receiving,
    purchaseOrder: !initial(item.PO_NUMBER),
  };
}

/** The stock changes of an item: one for receipts and issues, two for transfers. */
function movementsOf(item: ResolvedItem): StockMovement[] {
  const base = { material: item.material.matnr, plant: item.plant };
  const issuing = { ...base, storageLocation: item.storageLocation, batch: item.batch };
  const receiving = item.receiving ? { ...base, storageLocation: item.receiving.storageLocation, batch: item.receiving.batch } : issuing;
  switch (item.kind) {
    case "receipt":
      return [{ item, key: issuing, delta: item.quantity }];
    case "issue":
      return [{ item, key: issuing, delta: -item.quantity }];
    case "transfer":
      return [
        { item, key: issuing, delta: -item.quantity },
        { item, key: receiving, delta: item.quantity },
      ];
    case "transfer-reversal":
      return [
        { item, key: receiving, delta: -item.quantity },
        { item, key: issuing, delta: item.quantity },
      ];
  }
}

/**
 * M7 021 as SAP words it: "Deficit of SL Unrestricted-use 12 PC : RM-4711 1000 0001" — storage
 * location stock (SL) or batch stock (BA), the missing quantity in base unit, and the stock key.
 */
function deficitMessage(movement: StockMovement, missing: number): ApplicationMessage {
  const { key, item } = movement;
  const stockType = key.batch ? "BA Unrestricted-use" : "SL Unrestricted-use";
  const stockKeyText = [key.material, key.plant, key.storageLocation, key.batch].filter(Boolean).join(" ");
  const message = sapMessage("deficit", stockType, formatQuantity(missing, item.material.baseUnit), item.material.baseUnit, stockKeyText);
  return { message, segmentPath: item.path, field: "ENTRY_QNT" };
}

/** Posting period check (MMPV): the current period of the company code, or the previous one. */
function checkPostingPeriod(erp: ErpState, plants: ReadonlySet<string>, postingDate: string): ApplicationMessage[] {
  const { year, period } = fiscalPeriodOf(postingDate);
  const errors: ApplicationMessage[] = [];
  const checked = new Set<string>();
  for (const plant of plants) {
    const companyCode = erp.companyCodeOfPlant(plant);
    if (!companyCode || checked.has(companyCode.bukrs)) continue;
    checked.add(companyCode.bukrs);
    const current = companyCode.postingPeriod;
    const previous = current.period === 1 ? { year: current.year - 1, period: 12 } : { year: current.year, period: current.period - 1 };
    const allowed = [current, previous].some((p) => p.year === year && p.period === period);
    if (!allowed) {
      const label = (p: { year: number; period: number }) => `${p.year}/${String(p.period).padStart(2, "0")}`;
      const message = sapMessage("periodClosed", label(current), label(previous), companyCode.bukrs);
      errors.push({ message, segmentPath: "E1BP2017_GM_HEAD_01", field: "PSTNG_DATE" });
    }
  }
  return errors;
}

export function postGoodsMovement(ctx: ApplicationContext, idoc: Mbgmcr03): ApplicationResult {
  const { erp } = ctx;
  const head = idoc.E1BP2017_GM_HEAD_01;
  // An initial posting date means "today", as in BAPI_GOODSMVT_CREATE.
  const postingDate = initial(head.PSTNG_DATE) ? ctx.today : (head.PSTNG_DATE ?? ctx.today);
  const documentDate = initial(head.DOC_DATE) ? postingDate : (head.DOC_DATE ?? postingDate);

  const periodErrors = checkPostingPeriod(erp, new Set(idoc.E1BP2017_GM_ITEM_CREATE.map((item) => item.PLANT)), postingDate);
  if (periodErrors.length > 0) return notPosted(periodErrors);

  const errors: ApplicationMessage[] = [];
  const items: ResolvedItem[] = [];
  idoc.E1BP2017_GM_ITEM_CREATE.forEach((item, index) => {
    const resolved = resolveItem(erp, item, `E1BP2017_GM_ITEM_CREATE[${index}]`);
    if ("error" in resolved) errors.push(resolved.error);
    else items.push(resolved);
  });
  if (errors.length > 0) return notPosted(errors);

  // Simulate the stock changes in item order, as the posting would write them.
  const movements = items.flatMap(movementsOf);
  const running = new Map<string, number>();
  const short = new Set<ResolvedItem>();
  for (const movement of movements) {
    const id = JSON.stringify(movement.key);
    const quantity = (running.get(id) ?? erp.stock(movement.key)) + movement.delta;
    running.set(id, quantity);
    if (movement.delta < 0 && quantity < 0 && !short.has(movement.item)) {
      short.add(movement.item);
      errors.push(deficitMessage(movement, -quantity));
    }
  }
  if (errors.length > 0) return notPosted(errors);

  if (idoc.E1MBGMCR?.TESTRUN === "X") return { status: "53", messages: [{ message: sapMessage("testRun") }] };

  for (const movement of movements) erp.addStock(movement.key, movement.delta);
  const number = erp.nextMaterialDocumentNumber(items.some((item) => item.purchaseOrder && item.kind === "receipt") ? "50" : "49");
  const year = postingDate.slice(0, 4);
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
  }));
  erp.materialDocuments.push({
    number,
    year,
    postingDate,
    documentDate,
    reference: head.REF_DOC_NO ?? "",
    headerText: head.HEADER_TXT ?? "",
    idocDocnum: ctx.docnum,
    items: documentItems,
  });
  return {
    status: "53",
    messages: [{ message: sapMessage("materialDocumentPosted", number) }],
    applicationObject: { objectType: "BUS2017", key: `${number}${year}` },
    materialDocument: { number, year },
  };
}
