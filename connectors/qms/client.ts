import type { InspectionResultPayload, QualityHoldPayload, StockType } from "./schema";
import type { InspectionLot, LotOrigin, OutboundEvent, QmsBatch, QualityHold, UsageDecision } from "./state";
import { type CallOptions, RestClient, type RestClientOptions } from "../rest-emulator/rest-client";

export { RestCallError, type Failure, type FailureCategory } from "../rest-emulator/rest-client";

/** An outbound message as the QMS answers it with the write that produced it. */
export type QmsMessage =
  | { seq: number; interface: "QUALITY_HOLD"; payload: QualityHoldPayload }
  | { seq: number; interface: "INSPECTION_RESULT"; payload: InspectionResultPayload };

export type WithMessages<T> = T & { messages: QmsMessage[] };

/** Typed client of the QMS/LIMS REST API (`/qms/api/v1`). Failures throw RestCallError. */
export class QmsClient {
  private readonly rest: RestClient;

  constructor(options: RestClientOptions) {
    this.rest = new RestClient(options);
  }

  private async body<T>(promise: Promise<{ body: T }>): Promise<T> {
    return (await promise).body;
  }

  createInspectionLot(
    input: { origin: LotOrigin; material: string; plant: string; batch: string; storageLocation?: string; quantity: number; unit: string },
    options?: CallOptions,
  ): Promise<InspectionLot> {
    return this.body(this.rest.call("POST", "/qms/api/v1/inspection-lots", input, options));
  }

  recordResults(
    inspectionLot: string,
    results: { characteristic: string; measuredValue: number; remark?: string }[],
    options?: CallOptions & { recordedBy?: string },
  ): Promise<WithMessages<InspectionLot>> {
    const body = { results, ...(options?.recordedBy ? { recordedBy: options.recordedBy } : {}) };
    return this.body(this.rest.call("POST", `/qms/api/v1/inspection-lots/${encodeURIComponent(inspectionLot)}/results`, body, options));
  }

  makeUsageDecision(
    inspectionLot: string,
    decision: { code: string; text?: string; decidedBy?: string },
    options?: CallOptions,
  ): Promise<{ inspectionLot: string; status: string; usageDecision: UsageDecision; unchanged: boolean; messages: QmsMessage[] }> {
    return this.body(this.rest.call("POST", `/qms/api/v1/inspection-lots/${encodeURIComponent(inspectionLot)}/usage-decision`, decision, options));
  }

  placeHold(
    input: {
      material: string;
      plant: string;
      batch: string;
      reason: string;
      reasonCode?: string;
      inspectionLot?: string;
      targetStockType?: "BLOCKED" | "QUALITY_INSPECTION";
    },
    options?: CallOptions,
  ): Promise<WithMessages<QualityHold>> {
    return this.body(this.rest.call("POST", "/qms/api/v1/quality-holds", input, options));
  }

  releaseHold(input: { material: string; plant: string; batch: string; reason?: string }, options?: CallOptions): Promise<WithMessages<QualityHold>> {
    return this.body(this.rest.call("POST", "/qms/api/v1/quality-holds/release", input, options));
  }

  inspectionLot(inspectionLot: string): Promise<InspectionLot> {
    return this.body(this.rest.call("GET", `/qms/api/v1/inspection-lots/${encodeURIComponent(inspectionLot)}`));
  }

  async batches(query: { material?: string; plant?: string; batch?: string; stockType?: StockType } = {}): Promise<QmsBatch[]> {
    const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return (await this.body(this.rest.call<{ batches: QmsBatch[] }>("GET", `/qms/api/v1/batches?${search}`))).batches;
  }

  async qualityHolds(query: { status?: "ON_HOLD" | "RELEASED"; material?: string; plant?: string; batch?: string } = {}): Promise<QualityHold[]> {
    const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined));
    return (await this.body(this.rest.call<{ qualityHolds: QualityHold[] }>("GET", `/qms/api/v1/quality-holds?${search}`))).qualityHolds;
  }

  /** The outbound feed a connector polls: messages after `after` (a seq). */
  events(after = 0, limit = 100): Promise<{ events: OutboundEvent[]; last: number }> {
    return this.body(this.rest.call("GET", `/qms/api/v1/events?after=${after}&limit=${limit}`));
  }
}
