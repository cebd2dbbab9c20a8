import { type CallOptions, RestClient, type RestClientOptions } from "../rest-emulator/rest-client";
import type { MaintWorkOrderPayload, Reservation, WorkOrderStatus } from "./schema";
import type { Consumption, CreateWorkOrderInput, Equipment, OutboundEvent, SparePartsUsagePayload, WorkOrder } from "./state";

export { RestCallError, type Failure, type FailureCategory } from "../rest-emulator/rest-client";

export type CmmsMessage =
  | { seq: number; interface: "MAINT_WORK_ORDER"; payload: MaintWorkOrderPayload }
  | { seq: number; interface: "SPARE_PARTS_USAGE"; payload: SparePartsUsagePayload };

/** Typed client of the CMMS REST API (`/cmms/api/v1`). Failures throw RestCallError. */
export class CmmsClient {
  private readonly rest: RestClient;

  constructor(options: RestClientOptions) {
    this.rest = new RestClient(options);
  }

  private async body<T>(promise: Promise<{ body: T }>): Promise<T> {
    return (await promise).body;
  }

  createWorkOrder(input: CreateWorkOrderInput, options?: CallOptions): Promise<WorkOrder & { messages: CmmsMessage[] }> {
    return this.body(this.rest.call("POST", "/cmms/api/v1/work-orders", input, options));
  }

  workOrder(number: string): Promise<WorkOrder> {
    return this.body(this.rest.call("GET", `/cmms/api/v1/work-orders/${encodeURIComponent(number)}`));
  }

  setStatus(
    number: string,
    status: WorkOrderStatus,
    source?: "CMMS" | "ERP",
    options?: CallOptions,
  ): Promise<WorkOrder & { changed: boolean; messages: CmmsMessage[] }> {
    return this.body(
      this.rest.call("PUT", `/cmms/api/v1/work-orders/${encodeURIComponent(number)}/status`, { status, ...(source ? { source } : {}) }, options),
    );
  }

  reserve(
    number: string,
    input: { material: string; quantity: number; unit?: string; storageLocation?: string },
    options?: CallOptions,
  ): Promise<Reservation & { messages: CmmsMessage[] }> {
    return this.body(this.rest.call("POST", `/cmms/api/v1/work-orders/${encodeURIComponent(number)}/reservations`, input, options));
  }

  consume(
    number: string,
    input: { material: string; quantity: number; unit?: string; storageLocation?: string; batch?: string },
    options?: CallOptions,
  ): Promise<Consumption & { messages: CmmsMessage[] }> {
    return this.body(this.rest.call("POST", `/cmms/api/v1/work-orders/${encodeURIComponent(number)}/consumptions`, input, options));
  }

  async equipment(): Promise<Equipment[]> {
    return (await this.body(this.rest.call<{ equipment: Equipment[] }>("GET", "/cmms/api/v1/equipment"))).equipment;
  }

  events(after = 0, limit = 100): Promise<{ events: OutboundEvent[]; last: number }> {
    return this.body(this.rest.call("GET", `/cmms/api/v1/events?after=${after}&limit=${limit}`));
  }
}
