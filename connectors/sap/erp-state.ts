import { alphaIn } from "./sap-format";

/**
 * The in-memory ERP the emulator posts into: organisational units (company codes, plants, storage
 * locations), material masters with their plant views, unrestricted-use stock, orders and material
 * documents. Quantities are integer thousandths of the base unit (see sap-format).
 */

export interface PostingPeriod {
  year: number;
  period: number;
}

export interface CompanyCode {
  readonly bukrs: string;
  readonly name: string;
  readonly currency: string;
  /**
   * Current MM period (MARV, closed with MMPV). Postings are allowed into it and, as in the
   * standard setting, into the previous period.
   */
  postingPeriod: PostingPeriod;
}

export interface StorageLocation {
  readonly lgort: string;
  readonly description: string;
}

export interface Plant {
  readonly werks: string;
  readonly name: string;
  readonly companyCode: string;
  readonly storageLocations: ReadonlyMap<string, StorageLocation>;
}

/** Plant view of a material (MARC). */
export interface PlantView {
  readonly werks: string;
  /** Batch management requirement (MARC-XCHPF). */
  batchManaged: boolean;
  /**
   * QM inspection type 01 (goods receipt inspection for purchase order) active (QMAT): a 101
   * receipt posts into quality inspection stock and creates an inspection lot of origin 01.
   */
  qmInspectionActive?: boolean;
  mrpType: string;
  procurementType: string;
  deletionFlag: boolean;
}

export interface AlternativeUnit {
  /** 1 alternative unit = numerator / denominator base units (MARM-UMREZ / UMREN). */
  readonly numerator: number;
  readonly denominator: number;
}

/** Material master (MARA + MAKT + MARC + MARM). */
export interface MaterialMaster {
  readonly matnr: string;
  description: string;
  materialType: string;
  materialGroup: string;
  baseUnit: string;
  deletionFlag: boolean;
  readonly plants: Map<string, PlantView>;
  readonly units: Map<string, AlternativeUnit>;
}

export type OrderCategory = "PP" | "PI" | "PM";

export interface OrderOperation {
  readonly vornr: string;
  readonly workCenter: string;
  readonly text: string;
  /** Confirmation number of the operation (AFVC-RUECK), 10 digits; set when the order is saved. */
  confirmationGroup?: string;
  /** Confirmed yield and scrap so far, thousandths of the order unit. */
  confirmedYield?: number;
  confirmedScrap?: number;
  /** Operation status: CNF once finally confirmed, PCNF after a partial confirmation. */
  status?: "PCNF" | "CNF";
}

export interface OrderComponent {
  readonly material: string;
  readonly quantity: number;
  readonly unit: string;
  readonly storageLocation: string;
  readonly batch: string;
}

/** Order header (AUFK/AFKO): production, process or maintenance order. */
export interface Order {
  readonly aufnr: string;
  orderType: string;
  category: OrderCategory;
  plant: string;
  material: string;
  quantity: number;
  unit: string;
  basicStart: string;
  basicFinish: string;
  /** System statuses, e.g. ["REL"], ["TECO"]. */
  systemStatus: string[];
  operations: OrderOperation[];
  components: OrderComponent[];
  /**
   * BOM revision the order was exploded with (revision level of the change number) and the date
   * (DATS) from which that revision is effective. Confirmations posted before it are refused.
   */
  bomRevision?: string;
  bomValidFrom?: string;
  /** Overdelivery tolerance in percent of the order quantity (AFPO-UEBTO); unlimited: UEBTK. */
  overdeliveryTolerancePercent?: number;
  unlimitedOverdelivery?: boolean;
}

export interface MaterialDocumentItem {
  /** ZEILE, "0001"… */
  readonly line: string;
  readonly movementType: string;
  readonly material: string;
  readonly plant: string;
  readonly storageLocation: string;
  readonly batch: string;
  /** Quantity in base unit (thousandths) and the base unit. */
  readonly quantity: number;
  readonly unit: string;
  /** S = debit (into stock), H = credit (out of stock). */
  readonly debitCredit: "S" | "H";
  readonly orderId: string;
  /** Stock type the item moves (01 unrestricted, 02 quality inspection, 07 blocked). */
  readonly stockType?: StockType;
  /** Quantity and unit as entered (thousandths), and the references of the item. */
  readonly entryQuantity?: number;
  readonly entryUnit?: string;
  readonly purchaseOrder?: string;
  readonly purchaseOrderItem?: string;
  readonly reservation?: string;
  readonly reservationItem?: string;
  readonly inspectionLot?: string;
}

export interface MaterialDocument {
  readonly number: string;
  readonly year: string;
  readonly postingDate: string;
  readonly documentDate: string;
  readonly reference: string;
  readonly headerText: string;
  readonly idocDocnum: string;
  readonly items: readonly MaterialDocumentItem[];
  /** GoodsMovementCode (GM_CODE) of the posting, when known. */
  readonly goodsMovementCode?: string;
  readonly createdAt?: Date;
}

/**
 * Stock types of a storage location / batch stock (MARD/MCHB: LABST, INSME, SPEME), with the
 * codes S/4HANA's InventoryStockType uses: 01 unrestricted use, 02 quality inspection, 07 blocked.
 */
export type StockType = "01" | "02" | "07";
export const STOCK_TYPE_NAMES: Readonly<Record<StockType, string>> = { "01": "Unrestricted-use", "02": "Quality inspection", "07": "Blocked stock" };

/** Inspection lot (QALS) with its characteristics' results (QAMR) and usage decision (QAVE). */
export interface InspectionLot {
  readonly lot: string;
  /** Inspection lot origin (HERKUNFT): 01 goods receipt, 04 goods receipt from production, 89 other. */
  readonly origin: string;
  readonly material: string;
  readonly plant: string;
  readonly storageLocation: string;
  readonly batch: string;
  /** Lot quantity in the base unit (thousandths) and the base unit. */
  readonly quantity: number;
  readonly unit: string;
  readonly createdOn: string;
  readonly materialDocument?: string;
  readonly materialDocumentYear?: string;
  readonly purchaseOrder?: string;
  /** Characteristics of the inspection plan: number (0010…) and master characteristic. */
  readonly characteristics: readonly { readonly number: string; readonly name: string; readonly unit: string }[];
  results: InspectionResult[];
  usageDecision?: { code: "A" | "R"; codeGroup: string; text: string; decidedOn: string; decidedAt: Date; materialDocument?: string };
}

export interface InspectionResult {
  readonly characteristic: string;
  readonly name: string;
  readonly value: string;
  readonly unit: string;
  /** A accepted, R rejected (QAMR-MBEWERTG). */
  readonly valuation: "A" | "R";
  readonly text: string;
  readonly recordedAt: Date;
}

export interface PurchaseOrderItem {
  readonly item: string;
  readonly material: string;
  readonly plant: string;
  readonly storageLocation: string;
  /** Ordered quantity in the order unit (thousandths). */
  readonly quantity: number;
  readonly unit: string;
  /** Net price per 1 order unit, in hundredths of the currency. */
  readonly netPrice: number;
  /** Goods received and invoiced so far (thousandths of the order unit). */
  received: number;
  invoiced: number;
}

export interface PurchaseOrder {
  readonly number: string;
  readonly companyCode: string;
  readonly supplier: string;
  readonly currency: string;
  readonly items: readonly PurchaseOrderItem[];
}

export interface SupplierInvoiceItem {
  readonly item: string;
  readonly purchaseOrder: string;
  readonly purchaseOrderItem: string;
  readonly plant: string;
  readonly amount: number;
  readonly quantity: number;
  readonly unit: string;
  readonly taxCode: string;
}

export interface SupplierInvoice {
  readonly number: string;
  readonly fiscalYear: string;
  readonly companyCode: string;
  readonly documentDate: string;
  readonly postingDate: string;
  readonly invoicingParty: string;
  readonly currency: string;
  /** Hundredths of the currency. */
  readonly grossAmount: number;
  readonly reference: string;
  readonly headerText: string;
  /** 5 posted; payment block R when invoiced quantity exceeds the received quantity. */
  readonly status: string;
  readonly paymentBlock: string;
  readonly items: readonly SupplierInvoiceItem[];
  readonly createdAt: Date;
}

export interface OrderConfirmation {
  readonly group: string;
  readonly count: string;
  readonly order: string;
  readonly operation: string;
  readonly sequence: string;
  readonly plant: string;
  readonly workCenter: string;
  readonly material: string;
  readonly postingDate: string;
  /** Thousandths of the order unit. */
  readonly yieldQuantity: number;
  readonly scrapQuantity: number;
  readonly unit: string;
  /** "" partial, "X" final, "1" automatic final confirmation. */
  readonly finalConfirmationType: string;
  readonly isFinal: boolean;
  readonly text: string;
  readonly bomRevision: string;
  readonly createdAt: Date;
}

export interface StockKey {
  material: string;
  plant: string;
  storageLocation: string;
  /** Empty for materials that are not batch-managed. */
  batch?: string;
}

export interface StockRow extends Required<StockKey> {
  /** Unrestricted-use stock in the base unit (thousandths). */
  quantity: number;
  /** Stock in quality inspection and blocked stock (thousandths). */
  qualityInspection: number;
  blocked: number;
}

const STOCK_FIELD: Readonly<Record<StockType, "quantity" | "qualityInspection" | "blocked">> = {
  "01": "quantity",
  "02": "qualityInspection",
  "07": "blocked",
};

function stockKey(key: StockKey): string {
  return [key.material, key.plant, key.storageLocation, key.batch ?? ""].join("\u0000");
}

/** MATNR as stored: numeric material numbers are zero-padded to 18 (MATN1 conversion). */
export function normalizeMaterial(value: string): string {
  return alphaIn(value.trim().toUpperCase(), 18);
}

/** AUFNR as stored: zero-padded to 12. */
export function normalizeOrder(value: string): string {
  return alphaIn(value, 12);
}

export class ErpState {
  readonly companyCodes = new Map<string, CompanyCode>();
  readonly plants = new Map<string, Plant>();
  readonly materials = new Map<string, MaterialMaster>();
  readonly orders = new Map<string, Order>();
  readonly materialDocuments: MaterialDocument[] = [];
  readonly inspectionLots = new Map<string, InspectionLot>();
  readonly purchaseOrders = new Map<string, PurchaseOrder>();
  readonly supplierInvoices: SupplierInvoice[] = [];
  readonly confirmations: OrderConfirmation[] = [];
  private readonly stockByKey = new Map<string, StockRow>();
  /** Last number used per number-range prefix ("49": other movements, "50": GR for purchase order). */
  private readonly numberRanges = new Map<string, number>();

  constructor(
    lastMaterialDocument: Readonly<Record<string, number>> = {
      "49": 4900001233,
      "50": 5000000410,
      "51": 5105600100,
      "01": 10000004711,
      RUECK: 4711,
      RMZHL: 0,
    },
  ) {
    for (const [prefix, last] of Object.entries(lastMaterialDocument)) this.numberRanges.set(prefix, last);
  }

  /** Unrestricted-use stock in thousandths of the base unit (0 when there is no record). */
  stock(key: StockKey): number {
    return this.stockOf(key, "01");
  }

  setStock(key: StockKey, quantity: number): void {
    this.setStockOf(key, "01", quantity);
  }

  /** Adds (or with a negative delta removes) stock and returns the new quantity. */
  addStock(key: StockKey, delta: number): number {
    return this.addStockOf(key, "01", delta);
  }

  /** Stock of one stock type in thousandths of the base unit. */
  stockOf(key: StockKey, type: StockType): number {
    return this.stockByKey.get(stockKey(key))?.[STOCK_FIELD[type]] ?? 0;
  }

  setStockOf(key: StockKey, type: StockType, quantity: number): void {
    const { material, plant, storageLocation, batch = "" } = key;
    const row = this.stockByKey.get(stockKey(key)) ?? { material, plant, storageLocation, batch, quantity: 0, qualityInspection: 0, blocked: 0 };
    row[STOCK_FIELD[type]] = quantity;
    this.stockByKey.set(stockKey(key), row);
  }

  addStockOf(key: StockKey, type: StockType, delta: number): number {
    const quantity = this.stockOf(key, type) + delta;
    this.setStockOf(key, type, quantity);
    return quantity;
  }

  stockRows(filter: Partial<StockKey> = {}): StockRow[] {
    return [...this.stockByKey.values()]
      .filter((row) => (Object.keys(filter) as (keyof StockKey)[]).every((field) => filter[field] === undefined || row[field] === filter[field]))
      .map((row) => ({ ...row }));
  }

  companyCodeOfPlant(werks: string): CompanyCode | undefined {
    const plant = this.plants.get(werks);
    return plant ? this.companyCodes.get(plant.companyCode) : undefined;
  }

  /** Draws the next material document number from the range ("49…" or "50…"). */
  nextMaterialDocumentNumber(prefix: "49" | "50"): string {
    return this.next(prefix);
  }

  /** Next supplier invoice document number (RBKP-BELNR, "51…"). */
  nextSupplierInvoiceNumber(): string {
    return this.next("51");
  }

  /** Next inspection lot number of origin 01 (12 digits, "01…"). */
  nextInspectionLotNumber(): string {
    return this.next("01").padStart(12, "0");
  }

  /** Next confirmation number of an operation (AFVC-RUECK, 10 digits). */
  nextConfirmationGroup(): string {
    return this.next("RUECK").padStart(10, "0");
  }

  /** Next confirmation counter (AFRU-RMZHL, 8 digits); counted per client here. */
  nextConfirmationCount(): string {
    return this.next("RMZHL").padStart(8, "0");
  }

  /**
   * A scratch copy for a test run (BAPI TESTRUN = 'X'): the checks run against the real data as it is
   * now, and whatever the posting logic writes lands in the copy, which is thrown away. Number ranges
   * are copied too, so a test run draws no number from the real ones.
   */
  clone(): ErpState {
    return Object.setPrototypeOf(structuredClone({ ...this }), ErpState.prototype) as ErpState;
  }

  private next(range: string): string {
    const next = (this.numberRanges.get(range) ?? 0) + 1;
    this.numberRanges.set(range, next);
    return String(next);
  }
}
