import { type StockQuery, WmsClient } from "./client";
import type { CallOptions, RestClientOptions } from "../rest-emulator/rest-client";
import type { WmsGoodsMovement } from "./schema";
import type { CreateTransferOrderInput, OutboundEvent, StockRow, TransferOrder } from "./state";

/**
 * The WMS as the SOURCE of goods movements confirmed back to the ERP (GOODS_MOVEMENT), for the
 * plant simulator: warehouse work over the WMS's REST API (the emulator may run in another
 * process), returning the goods movement the WMS produced — A_MaterialDocumentHeader with
 * to_MaterialDocumentItem, as SAP's API_MATERIAL_DOCUMENT_SRV takes it — or undefined for a move
 * that does not concern the ERP. The stock query is the WMS side of reconciliation (scenario 8).
 */

export interface WmsSource {
  client: WmsClient;
  createTransferOrder(input: CreateTransferOrderInput, options?: CallOptions): Promise<TransferOrder>;
  /** Confirms as picked; refusals (bin blocked, lot mismatch, quantity differs) throw RestCallError. */
  confirmTransferOrder(
    number: string,
    input?: { confirmedQuantity?: number; batch?: string },
    options?: CallOptions,
  ): Promise<{ transferOrder: TransferOrder; goodsMovement?: WmsGoodsMovement }>;
  /** Create and confirm in one go (the usual case): issue to an order (261) or staging to another storage location (311). */
  move(input: CreateTransferOrderInput): Promise<{ transferOrder: TransferOrder; goodsMovement?: WmsGoodsMovement }>;
  /** Goods receipt of an expected receipt (from an ASN) → 101 against the purchase order. */
  receive(expectedReceipt: string, bin?: string, options?: CallOptions): Promise<WmsGoodsMovement>;
  blockBin(bin: string, reason: string): Promise<void>;
  unblockBin(bin: string): Promise<void>;
  stock(query?: StockQuery): Promise<StockRow[]>;
  stockByStorageLocation(query?: StockQuery): Promise<Omit<StockRow, "bin">[]>;
  poll(after?: number, limit?: number): Promise<{ events: OutboundEvent[]; last: number }>;
}

export function wmsSource(baseUrlOrOptions: string | RestClientOptions): WmsSource {
  const client = new WmsClient(typeof baseUrlOrOptions === "string" ? { baseUrl: baseUrlOrOptions } : baseUrlOrOptions);
  const source: WmsSource = {
    client,
    createTransferOrder: (input, options) => client.createTransferOrder(input, options),
    async confirmTransferOrder(number, input = {}, options) {
      const { messages, ...transferOrder } = await client.confirmTransferOrder(number, input, options);
      return { transferOrder, ...(messages[0] ? { goodsMovement: messages[0].payload } : {}) };
    },
    async move(input) {
      const to = await client.createTransferOrder(input);
      return source.confirmTransferOrder(to.transferOrder);
    },
    async receive(expectedReceipt, bin, options) {
      const { messages } = await client.receive(expectedReceipt, bin, options);
      return messages[0]!.payload;
    },
    async blockBin(bin, reason) {
      await client.setBinBlocked(bin, true, reason);
    },
    async unblockBin(bin) {
      await client.setBinBlocked(bin, false);
    },
    stock: (query) => client.stock(query),
    stockByStorageLocation: (query) => client.stockByStorageLocation(query),
    poll: (after, limit) => client.events(after, limit),
  };
  return source;
}
