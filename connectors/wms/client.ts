import { type CallOptions, RestClient, type RestClientOptions } from "../rest-emulator/rest-client";
import type { SupplierAsnPayload, WmsGoodsMovement } from "./schema";
import type { Bin, CreateTransferOrderInput, ExpectedReceipt, OutboundEvent, PurchaseOrder, StockRow, TransferOrder } from "./state";

export { RestCallError, type Failure, type FailureCategory } from "../rest-emulator/rest-client";

export type WmsMessage = { seq: number; interface: "GOODS_MOVEMENT"; payload: WmsGoodsMovement };
export type StockQuery = Partial<Record<"warehouse" | "plant" | "storageLocation" | "bin" | "material" | "batch", string>>;

/** Typed client of the WMS REST API (`/wms/api/v1`). Failures throw RestCallError. */
export class WmsClient {
  private readonly rest: RestClient;

  constructor(options: RestClientOptions) {
    this.rest = new RestClient(options);
  }

  private async body<T>(promise: Promise<{ body: T }>): Promise<T> {
    return (await promise).body;
  }

  /** SUPPLIER_ASN → expected receipt. */
  receiveAsn(asn: SupplierAsnPayload | unknown, options?: CallOptions): Promise<ExpectedReceipt> {
    return this.body(this.rest.call("POST", "/wms/api/v1/expected-receipts", asn, options));
  }

  expectedReceipt(number: string): Promise<ExpectedReceipt> {
    return this.body(this.rest.call("GET", `/wms/api/v1/expected-receipts/${encodeURIComponent(number)}`));
  }

  async expectedReceipts(query: { asnNumber?: string; purchaseOrder?: string; status?: string; supplier?: string } = {}): Promise<ExpectedReceipt[]> {
    return (await this.body(this.rest.call<{ expectedReceipts: ExpectedReceipt[] }>("GET", `/wms/api/v1/expected-receipts?${search(query)}`))).expectedReceipts;
  }

  receive(number: string, bin?: string, options?: CallOptions): Promise<ExpectedReceipt & { messages: WmsMessage[] }> {
    return this.body(this.rest.call("POST", `/wms/api/v1/expected-receipts/${encodeURIComponent(number)}/receive`, bin ? { bin } : {}, options));
  }

  createTransferOrder(input: CreateTransferOrderInput, options?: CallOptions): Promise<TransferOrder> {
    return this.body(this.rest.call("POST", "/wms/api/v1/transfer-orders", input, options));
  }

  confirmTransferOrder(
    number: string,
    input: { confirmedQuantity?: number; batch?: string } = {},
    options?: CallOptions,
  ): Promise<TransferOrder & { messages: WmsMessage[] }> {
    return this.body(this.rest.call("POST", `/wms/api/v1/transfer-orders/${encodeURIComponent(number)}/confirm`, input, options));
  }

  transferOrder(number: string): Promise<TransferOrder> {
    return this.body(this.rest.call("GET", `/wms/api/v1/transfer-orders/${encodeURIComponent(number)}`));
  }

  setBinBlocked(bin: string, blocked: boolean, reason?: string, options?: CallOptions): Promise<Bin> {
    return this.body(this.rest.call("PUT", `/wms/api/v1/bins/${encodeURIComponent(bin)}/block`, { blocked, ...(reason ? { reason } : {}) }, options));
  }

  purchaseOrder(number: string): Promise<PurchaseOrder> {
    return this.body(this.rest.call("GET", `/wms/api/v1/purchase-orders/${encodeURIComponent(number)}`));
  }

  /** Stock per bin + material + batch. */
  async stock(query: StockQuery = {}): Promise<StockRow[]> {
    return (await this.body(this.rest.call<{ stock: StockRow[] }>("GET", `/wms/api/v1/stock?${search(query)}`))).stock;
  }

  /** Stock summed per plant + storage location + material + batch (to reconcile with the ERP). */
  async stockByStorageLocation(query: StockQuery = {}): Promise<Omit<StockRow, "bin">[]> {
    return (await this.body(this.rest.call<{ stock: Omit<StockRow, "bin">[] }>("GET", `/wms/api/v1/stock?${search({ ...query, groupBy: "storageLocation" })}`)))
      .stock;
  }

  events(after = 0, limit = 100): Promise<{ events: OutboundEvent[]; last: number }> {
    return this.body(this.rest.call("GET", `/wms/api/v1/events?after=${after}&limit=${limit}`));
  }
}

function search(query: Record<string, string | undefined>): URLSearchParams {
  return new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
