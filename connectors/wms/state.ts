import { ApiError } from "../rest-emulator/http";
import type { MaterialDocumentItem, SupplierAsnPayload, WmsGoodsMovement } from "./schema";

/**
 * The emulated WMS: warehouses (one ERP plant each), storage bins (with a blocked flag) in storage
 * locations, a material master with units, stock per bin + material + batch, purchase orders
 * replicated from the ERP, expected receipts created from ASNs, transfer orders (OPEN → CONFIRMED),
 * and the outbound feed of goods movements confirmed back to the ERP. Business rules raise
 * ApiError with the WMS's own codes (WM-…, ASN-…).
 */

export interface Warehouse {
  warehouse: string;
  plant: string;
  name: string;
  /** Where receipts are put when no bin is given. */
  receivingBin: string;
}

export interface Bin {
  bin: string;
  warehouse: string;
  storageLocation: string;
  storageType: "GR" | "RACK" | "PSA";
  blocked: boolean;
  blockReason?: string;
}

export interface WmsMaterial {
  material: string;
  description: string;
  baseUnit: string;
  batchManaged: boolean;
  /** Alternative unit → base units per one. */
  units: Record<string, number>;
}

export interface PurchaseOrderLine {
  poLine: string;
  material: string;
  quantity: number;
  unit: string;
  /** Over-delivery tolerance in percent. */
  tolerancePct: number;
}

export interface PurchaseOrder {
  purchaseOrder: string;
  supplier: string;
  warehouse: string;
  lines: PurchaseOrderLine[];
}

export interface ExpectedReceiptLine {
  item: number;
  poLine: string;
  material: string;
  /** As announced (ASN unit code and quantity). */
  quantity: number;
  unit: string;
  /** Converted to the material's base unit. */
  baseQuantity: number;
  baseUnit: string;
  lot?: string;
  expiryDate?: string;
}

export interface ExpectedReceipt {
  expectedReceipt: string;
  asnNumber: string;
  supplier: string;
  purchaseOrder: string;
  warehouse: string;
  plant: string;
  shipDate: string;
  deliveryDate?: string;
  status: "EXPECTED" | "RECEIVED";
  lines: ExpectedReceiptLine[];
  createdAt: string;
  receivedAt?: string;
  receivedBin?: string;
}

export interface TransferOrder {
  transferOrder: string;
  warehouse: string;
  status: "OPEN" | "CONFIRMED";
  material: string;
  batch?: string;
  /** In the material's base unit. */
  quantity: number;
  unit: string;
  sourceBin: string;
  destinationBin?: string;
  manufacturingOrder?: string;
  createdAt: string;
  confirmedAt?: string;
  /** The goods movement confirmed to the ERP (none for a move within a storage location). */
  goodsMovement?: WmsGoodsMovement;
}

export interface StockRow {
  warehouse: string;
  plant: string;
  storageLocation: string;
  bin: string;
  material: string;
  batch: string;
  quantity: number;
  unit: string;
}

export interface OutboundEvent {
  seq: number;
  interface: "GOODS_MOVEMENT";
  occurredAt: string;
  /** Transfer order or expected receipt number. */
  businessKey: string;
  payload: WmsGoodsMovement;
}

/** Unit codes an ASN may carry (X12 355, UN/ECE rec 20, and the WMS's own) → the WMS's units. */
export const UNIT_MAPPING: Readonly<Record<string, string>> = {
  PC: "PC",
  EA: "PC",
  H87: "PC",
  C62: "PC",
  KG: "KG",
  KGM: "KG",
  L: "L",
  LT: "L",
  LTR: "L",
  M: "M",
  MTR: "M",
  DR: "DR",
  PAL: "PAL",
  PL: "PAL",
  PF: "PAL",
};

const round = (value: number) => Math.round(value * 1000) / 1000;
const normalizeLine = (line: string) => String(Number(line)).padStart(5, "0");
const stockKey = (bin: string, material: string, batch: string) => `${bin}|${material}|${batch}`;

export interface CreateTransferOrderInput {
  material: string;
  batch?: string;
  quantity: number;
  unit?: string;
  sourceBin: string;
  destinationBin?: string;
  manufacturingOrder?: string;
}

export interface ConfirmInput {
  confirmedQuantity?: number;
  batch?: string;
}

export class WmsState {
  readonly warehouses = new Map<string, Warehouse>();
  readonly bins = new Map<string, Bin>();
  readonly materials = new Map<string, WmsMaterial>();
  readonly purchaseOrders = new Map<string, PurchaseOrder>();
  readonly expectedReceipts = new Map<string, ExpectedReceipt>();
  readonly transferOrders = new Map<string, TransferOrder>();
  /** bin|material|batch → quantity in base unit */
  readonly stock = new Map<string, number>();
  readonly events: OutboundEvent[] = [];
  nextTransferOrder = 4801;
  nextExpectedReceipt = 101;

  constructor(private readonly now: () => Date) {}

  private stamp(): string {
    return this.now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
  }

  private odataToday(): string {
    const today = this.now();
    return `/Date(${Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())})/`;
  }

  // --- master data ----------------------------------------------------------------------------

  requireMaterial(material: string, code = "WM-MATERIAL-UNKNOWN"): WmsMaterial {
    const found = this.materials.get(material);
    if (!found) throw new ApiError(422, code, `Material ${material} is unknown to the WMS`);
    return found;
  }

  requireBin(bin: string): Bin {
    const found = this.bins.get(bin);
    if (!found) throw new ApiError(422, "WM-BIN-UNKNOWN", `Storage bin ${bin} does not exist`);
    return found;
  }

  private requireNotBlocked(bin: Bin, use: "removal" | "putaway"): void {
    if (bin.blocked) {
      throw new ApiError(409, "WM-BIN-BLOCKED", `Storage bin ${bin.bin} is blocked for ${use}${bin.blockReason ? ` (${bin.blockReason})` : ""}`);
    }
  }

  /** Base units per one `unit` of the material, or undefined when the unit does not apply. */
  private factor(material: WmsMaterial, unit: string): number | undefined {
    return unit === material.baseUnit ? 1 : material.units[unit];
  }

  setBinBlocked(binName: string, blocked: boolean, reason?: string): Bin {
    const bin = this.requireBin(binName);
    bin.blocked = blocked;
    if (blocked && reason) bin.blockReason = reason;
    else delete bin.blockReason;
    return bin;
  }

  // --- stock ----------------------------------------------------------------------------------

  quantity(bin: string, material: string, batch = ""): number {
    return this.stock.get(stockKey(bin, material, batch)) ?? 0;
  }

  setStock(bin: string, material: string, batch: string, quantity: number): void {
    this.requireBin(bin);
    this.requireMaterial(material);
    const key = stockKey(bin, material, batch);
    if (quantity === 0) this.stock.delete(key);
    else this.stock.set(key, round(quantity));
  }

  private addStock(bin: string, material: string, batch: string, delta: number): void {
    this.setStock(bin, material, batch, round(this.quantity(bin, material, batch) + delta));
  }

  stockRows(filter: Partial<Record<"warehouse" | "plant" | "storageLocation" | "bin" | "material" | "batch", string>> = {}): StockRow[] {
    const rows: StockRow[] = [];
    for (const [key, quantity] of this.stock) {
      const [binName, material, batch] = key.split("|") as [string, string, string];
      const bin = this.bins.get(binName)!;
      const warehouse = this.warehouses.get(bin.warehouse)!;
      const row: StockRow = {
        warehouse: bin.warehouse,
        plant: warehouse.plant,
        storageLocation: bin.storageLocation,
        bin: binName,
        material,
        batch,
        quantity,
        unit: this.materials.get(material)!.baseUnit,
      };
      if (Object.entries(filter).every(([name, value]) => value === undefined || row[name as keyof StockRow] === value)) rows.push(row);
    }
    return rows.sort((a, b) => a.bin.localeCompare(b.bin) || a.material.localeCompare(b.material) || a.batch.localeCompare(b.batch));
  }

  /** Stock summed per plant + storage location + material + batch: what the ERP books (reconciliation). */
  stockByStorageLocation(filter: Parameters<WmsState["stockRows"]>[0] = {}): Omit<StockRow, "bin">[] {
    const sums = new Map<string, Omit<StockRow, "bin">>();
    for (const { bin: _bin, ...row } of this.stockRows(filter)) {
      const key = `${row.plant}|${row.storageLocation}|${row.material}|${row.batch}`;
      const sum = sums.get(key);
      if (sum) sum.quantity = round(sum.quantity + row.quantity);
      else sums.set(key, { ...row });
    }
    return [...sums.values()];
  }

  /** Stock of a bin/material/batch not yet promised to open transfer orders. */
  private available(bin: string, material: string, batch: string): number {
    let open = 0;
    for (const to of this.transferOrders.values()) {
      if (to.status === "OPEN" && to.sourceBin === bin && to.material === material && (to.batch ?? "") === batch) open += to.quantity;
    }
    return round(this.quantity(bin, material, batch) - open);
  }

  // --- expected receipts (SUPPLIER_ASN) ---------------------------------------------------------

  /** Receives an ASN as an expected receipt (inbound delivery). */
  receiveAsn(asn: SupplierAsnPayload): ExpectedReceipt {
    const duplicate = [...this.expectedReceipts.values()].find((r) => r.asnNumber === asn.asnNumber && r.supplier === asn.supplier);
    if (duplicate) {
      throw new ApiError(409, "ASN-DUPLICATE", `Duplicate ASN ${asn.asnNumber} from supplier ${asn.supplier} (expected receipt ${duplicate.expectedReceipt})`, {
        expectedReceipt: duplicate.expectedReceipt,
      });
    }
    const po = this.purchaseOrders.get(asn.purchaseOrder);
    if (!po) throw new ApiError(422, "ASN-PO-UNKNOWN", `Purchase order ${asn.purchaseOrder} does not exist`);
    if (po.supplier !== asn.supplier) {
      throw new ApiError(422, "ASN-PO-SUPPLIER", `Purchase order ${asn.purchaseOrder} is not a purchase order of supplier ${asn.supplier}`);
    }
    const warehouse = this.warehouses.get(po.warehouse)!;
    if (asn.shipTo !== undefined && asn.shipTo !== warehouse.plant) {
      throw new ApiError(422, "ASN-SHIPTO-MISMATCH", `Ship-to ${asn.shipTo} is not plant ${warehouse.plant} of purchase order ${asn.purchaseOrder}`);
    }
    const lines = asn.lines.map((line, index): ExpectedReceiptLine => {
      const poLine = po.lines.find((l) => Number(l.poLine) === Number(line.poLine));
      if (!poLine) throw new ApiError(422, "ASN-PO-LINE-UNKNOWN", `PO line ${normalizeLine(line.poLine)} of purchase order ${po.purchaseOrder} does not exist`);
      const material = this.requireMaterial(line.material, "ASN-MATERIAL-UNKNOWN");
      if (poLine.material !== material.material) {
        throw new ApiError(
          422,
          "ASN-MATERIAL-MISMATCH",
          `PO line ${poLine.poLine} of purchase order ${po.purchaseOrder} is for material ${poLine.material}, not ${line.material}`,
        );
      }
      const unit = UNIT_MAPPING[line.unit];
      if (!unit) throw new ApiError(422, "ASN-UOM-UNMAPPED", `Unit of measure "${line.unit}" not mapped`);
      const factor = this.factor(material, unit);
      if (factor === undefined)
        throw new ApiError(
          422,
          "ASN-UOM-CONVERSION",
          `Unit ${line.unit} (${unit}) cannot be converted to ${material.baseUnit} for material ${material.material}`,
        );
      const baseQuantity = round(line.quantity * factor);
      const announced = [...this.expectedReceipts.values()]
        .filter((r) => r.purchaseOrder === po.purchaseOrder)
        .flatMap((r) => r.lines)
        .filter((l) => Number(l.poLine) === Number(poLine.poLine))
        .reduce((sum, l) => sum + l.baseQuantity, 0);
      const limit = round(poLine.quantity * (1 + poLine.tolerancePct / 100));
      if (announced + baseQuantity > limit) {
        throw new ApiError(
          422,
          "ASN-QTY-OVER-PO",
          `Quantity ${baseQuantity} ${material.baseUnit} exceeds the open quantity ${round(Math.max(0, limit - announced))} ${material.baseUnit} of PO line ${poLine.poLine} (${po.purchaseOrder})`,
        );
      }
      return {
        item: (index + 1) * 10,
        poLine: poLine.poLine,
        material: material.material,
        quantity: line.quantity,
        unit: line.unit,
        baseQuantity,
        baseUnit: material.baseUnit,
        ...(line.lot ? { lot: line.lot } : {}),
        ...(line.expiryDate ? { expiryDate: line.expiryDate } : {}),
      };
    });
    const receipt: ExpectedReceipt = {
      expectedReceipt: `180000${String(this.nextExpectedReceipt++).padStart(4, "0")}`,
      asnNumber: asn.asnNumber,
      supplier: asn.supplier,
      purchaseOrder: po.purchaseOrder,
      warehouse: warehouse.warehouse,
      plant: warehouse.plant,
      shipDate: asn.shipDate,
      ...(asn.deliveryDate ? { deliveryDate: asn.deliveryDate } : {}),
      status: "EXPECTED",
      lines,
      createdAt: this.stamp(),
    };
    this.expectedReceipts.set(receipt.expectedReceipt, receipt);
    return receipt;
  }

  requireExpectedReceipt(number: string): ExpectedReceipt {
    const receipt = this.expectedReceipts.get(number);
    if (!receipt) throw new ApiError(404, "WM-ER-UNKNOWN", `Expected receipt ${number} does not exist`);
    return receipt;
  }

  /** Goods receipt of an expected receipt into a bin: stock up, goods movement 101 against the PO. */
  receive(number: string, binName?: string): { receipt: ExpectedReceipt; event: OutboundEvent } {
    const receipt = this.requireExpectedReceipt(number);
    if (receipt.status === "RECEIVED") throw new ApiError(409, "WM-ER-RECEIVED", `Expected receipt ${number} was already received`);
    const warehouse = this.warehouses.get(receipt.warehouse)!;
    const bin = this.requireBin(binName ?? warehouse.receivingBin);
    if (bin.warehouse !== warehouse.warehouse) throw new ApiError(422, "WM-BIN-WAREHOUSE", `Storage bin ${bin.bin} is not in warehouse ${warehouse.warehouse}`);
    this.requireNotBlocked(bin, "putaway");
    for (const line of receipt.lines) {
      if (this.materials.get(line.material)!.batchManaged && !line.lot) {
        throw new ApiError(422, "WM-LOT-REQUIRED", `Material ${line.material} is batch-managed: item ${line.item} needs a lot`);
      }
    }
    for (const line of receipt.lines) this.addStock(bin.bin, line.material, line.lot ?? "", line.baseQuantity);
    Object.assign(receipt, { status: "RECEIVED", receivedAt: this.stamp(), receivedBin: bin.bin });
    const items = receipt.lines.map(
      (line): MaterialDocumentItem => ({
        GoodsMovementType: "101",
        Material: line.material,
        Plant: warehouse.plant,
        StorageLocation: bin.storageLocation,
        ...(line.lot ? { Batch: line.lot } : {}),
        QuantityInEntryUnit: String(line.baseQuantity),
        EntryUnit: line.baseUnit,
        PurchaseOrder: receipt.purchaseOrder,
        PurchaseOrderItem: line.poLine,
        GoodsMovementRefDocType: "B",
      }),
    );
    const event = this.emit(receipt.expectedReceipt, {
      PostingDate: this.odataToday(),
      DocumentDate: this.odataToday(),
      GoodsMovementCode: "01",
      MaterialDocumentHeaderText: `WMS GR ${receipt.expectedReceipt}`,
      ReferenceDocument: receipt.asnNumber.slice(0, 16),
      to_MaterialDocumentItem: items,
    });
    return { receipt, event };
  }

  // --- transfer orders ------------------------------------------------------------------------

  requireTransferOrder(number: string): TransferOrder {
    const to = this.transferOrders.get(number);
    if (!to) throw new ApiError(404, "WM-TO-UNKNOWN", `Transfer order ${number} does not exist`);
    return to;
  }

  createTransferOrder(input: CreateTransferOrderInput): TransferOrder {
    const material = this.requireMaterial(input.material);
    const source = this.requireBin(input.sourceBin);
    const destination = input.destinationBin === undefined ? undefined : this.requireBin(input.destinationBin);
    if (destination && destination.warehouse !== source.warehouse) {
      throw new ApiError(422, "WM-BIN-WAREHOUSE", `Storage bins ${source.bin} and ${destination.bin} are in different warehouses`);
    }
    this.requireNotBlocked(source, "removal");
    if (destination) this.requireNotBlocked(destination, "putaway");
    if (material.batchManaged && !input.batch) throw new ApiError(422, "WM-LOT-REQUIRED", `Material ${material.material} is batch-managed: give the batch`);
    if (!material.batchManaged && input.batch)
      throw new ApiError(422, "WM-LOT-MISMATCH", `Material ${material.material} is not batch-managed (batch ${input.batch} given)`);
    const unit = input.unit ?? material.baseUnit;
    const factor = this.factor(material, unit);
    if (factor === undefined) throw new ApiError(422, "WM-UOM-UNKNOWN", `Unit ${unit} is not defined for material ${material.material}`);
    const quantity = round(input.quantity * factor);
    const batch = input.batch ?? "";
    if (batch && this.quantity(source.bin, material.material, batch) === 0) {
      const held = this.stockRows({ bin: source.bin, material: material.material }).map((r) => r.batch);
      throw new ApiError(
        409,
        "WM-LOT-MISMATCH",
        `Batch ${batch} of material ${material.material} is not in storage bin ${source.bin}${held.length ? ` (bin holds ${held.join(", ")})` : ""}`,
      );
    }
    const available = this.available(source.bin, material.material, batch);
    if (quantity > available) {
      throw new ApiError(
        409,
        "WM-QTY-SHORT",
        `Quantity ${quantity} ${material.baseUnit} exceeds the available stock ${available} ${material.baseUnit} of ${material.material} in storage bin ${source.bin}`,
      );
    }
    const to: TransferOrder = {
      transferOrder: String(this.nextTransferOrder++).padStart(10, "0"),
      warehouse: source.warehouse,
      status: "OPEN",
      material: material.material,
      ...(batch ? { batch } : {}),
      quantity,
      unit: material.baseUnit,
      sourceBin: source.bin,
      ...(destination ? { destinationBin: destination.bin } : {}),
      ...(input.manufacturingOrder ? { manufacturingOrder: input.manufacturingOrder } : {}),
      createdAt: this.stamp(),
    };
    this.transferOrders.set(to.transferOrder, to);
    return to;
  }

  /**
   * Confirms a transfer order as picked: the bins must not be blocked (now), the picked batch and
   * quantity must be the order's, and the source bin must still hold it. Issue to an order → 261;
   * a move into another storage location → 311; within one storage location no ERP movement.
   */
  confirmTransferOrder(number: string, input: ConfirmInput = {}): { to: TransferOrder; event?: OutboundEvent } {
    const to = this.requireTransferOrder(number);
    if (to.status === "CONFIRMED") throw new ApiError(409, "WM-TO-CONFIRMED", `Transfer order ${number} is already confirmed`);
    const source = this.requireBin(to.sourceBin);
    const destination = to.destinationBin ? this.requireBin(to.destinationBin) : undefined;
    this.requireNotBlocked(source, "removal");
    if (destination) this.requireNotBlocked(destination, "putaway");
    if (input.batch !== undefined && input.batch !== (to.batch ?? "")) {
      throw new ApiError(409, "WM-LOT-MISMATCH", `Picked batch ${input.batch} differs from batch ${to.batch ?? "(none)"} of transfer order ${number}`);
    }
    if (input.confirmedQuantity !== undefined && round(input.confirmedQuantity) !== to.quantity) {
      throw new ApiError(
        409,
        "WM-QTY-DIFF",
        `Confirmed quantity ${input.confirmedQuantity} ${to.unit} differs from the transfer order quantity ${to.quantity} ${to.unit} (${number}); clear the difference first`,
      );
    }
    const inBin = this.quantity(source.bin, to.material, to.batch ?? "");
    if (inBin < to.quantity) {
      throw new ApiError(
        409,
        "WM-QTY-DIFF",
        `Storage bin ${source.bin} holds ${inBin} ${to.unit} of ${to.material}, transfer order ${number} needs ${to.quantity} ${to.unit}`,
      );
    }
    this.addStock(source.bin, to.material, to.batch ?? "", -to.quantity);
    if (destination) this.addStock(destination.bin, to.material, to.batch ?? "", to.quantity);
    to.status = "CONFIRMED";
    to.confirmedAt = this.stamp();
    const plant = this.warehouses.get(to.warehouse)!.plant;
    const common = {
      Material: to.material,
      Plant: plant,
      StorageLocation: source.storageLocation,
      ...(to.batch ? { Batch: to.batch } : {}),
      QuantityInEntryUnit: String(to.quantity),
      EntryUnit: to.unit,
    };
    let item: MaterialDocumentItem | undefined;
    if (to.manufacturingOrder) item = { GoodsMovementType: "261", ...common, ManufacturingOrder: to.manufacturingOrder };
    else if (destination && destination.storageLocation !== source.storageLocation) {
      item = {
        GoodsMovementType: "311",
        ...common,
        IssuingOrReceivingPlant: plant,
        IssuingOrReceivingStorageLoc: destination.storageLocation,
        ...(to.batch ? { IssgOrRcvgBatch: to.batch } : {}),
      };
    }
    if (!item) return { to };
    to.goodsMovement = {
      PostingDate: this.odataToday(),
      DocumentDate: this.odataToday(),
      GoodsMovementCode: item.GoodsMovementType === "261" ? "03" : "04",
      MaterialDocumentHeaderText: `WMS TO ${to.transferOrder}`,
      ReferenceDocument: to.transferOrder,
      to_MaterialDocumentItem: [item],
    };
    return { to, event: this.emit(to.transferOrder, to.goodsMovement) };
  }

  private emit(businessKey: string, payload: WmsGoodsMovement): OutboundEvent {
    const event: OutboundEvent = { seq: this.events.length + 1, interface: "GOODS_MOVEMENT", occurredAt: this.stamp(), businessKey, payload };
    this.events.push(event);
    return event;
  }
}
