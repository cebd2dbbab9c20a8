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
}

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
  private readonly stockByKey = new Map<string, StockRow>();
  /** Last number used per number-range prefix ("49": other movements, "50": GR for purchase order). */
  private readonly numberRanges = new Map<string, number>();

  constructor(lastMaterialDocument: Readonly<Record<string, number>> = { "49": 4900001233, "50": 5000000410 }) {
    for (const [prefix, last] of Object.entries(lastMaterialDocument)) this.numberRanges.set(prefix, last);
  }

  /** Unrestricted-use stock in thousandths of the base unit (0 when there is no record). */
  stock(key: StockKey): number {
    return this.stockByKey.get(stockKey(key))?.quantity ?? 0;
  }

  setStock(key: StockKey, quantity: number): void {
    const { material, plant, storageLocation, batch = "" } = key;
    this.stockByKey.set(stockKey(key), { material, plant, storageLocation, batch, quantity });
  }

  /** Adds (or with a negative delta removes) stock and returns the new quantity. */
  addStock(key: StockKey, delta: number): number {
    const quantity = this.stock(key) + delta;
    this.setStock(key, quantity);
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
    const next = (this.numberRanges.get(prefix) ?? Number(`${prefix}00000000`)) + 1;
    this.numberRanges.set(prefix, next);
    return String(next);
  }
}
