import { CmmsClient } from "./client";
import type { CallOptions, RestClientOptions } from "../rest-emulator/rest-client";
import type { MaintWorkOrderPayload, WorkOrderStatus } from "./schema";
import type { CreateWorkOrderInput, OutboundEvent, SparePartsUsagePayload } from "./state";

/**
 * The CMMS as the SOURCE of MAINT_WORK_ORDER (work order + status → Odoo maintenance.request) and
 * of SPARE_PARTS_USAGE facts (consumption against the work order → SAP goods issue 261), for the
 * plant simulator. Each function acts over the CMMS's REST API (the emulator may run in another
 * process) and returns the JSON form Andon stores for the interface.
 */

export interface CmmsSource {
  client: CmmsClient;
  createWorkOrder(input: CreateWorkOrderInput, options?: CallOptions): Promise<MaintWorkOrderPayload>;
  /** Forward in the CMMS: MAINT_WORK_ORDER with the new status, or undefined when it already had it. */
  advance(workOrder: string, status: WorkOrderStatus, options?: CallOptions): Promise<MaintWorkOrderPayload | undefined>;
  reserve(
    workOrder: string,
    input: { material: string; quantity: number; unit?: string; storageLocation?: string },
    options?: CallOptions,
  ): Promise<MaintWorkOrderPayload>;
  /** A consumption: the SPARE_PARTS_USAGE IDoc (MBGMCR03, 261 against the order). Refusals throw RestCallError. */
  consume(
    workOrder: string,
    input: { material: string; quantity: number; unit?: string; storageLocation?: string; batch?: string },
    options?: CallOptions,
  ): Promise<SparePartsUsagePayload>;
  poll(after?: number, limit?: number): Promise<{ events: OutboundEvent[]; last: number }>;
}

export function cmmsSource(baseUrlOrOptions: string | RestClientOptions): CmmsSource {
  const client = new CmmsClient(typeof baseUrlOrOptions === "string" ? { baseUrl: baseUrlOrOptions } : baseUrlOrOptions);
  const workOrderOf = (messages: { interface: string; payload: unknown }[]) =>
    messages.find((m) => m.interface === "MAINT_WORK_ORDER")?.payload as MaintWorkOrderPayload | undefined;
  return {
    client,
    createWorkOrder: async (input, options) => workOrderOf((await client.createWorkOrder(input, options)).messages)!,
    advance: async (workOrder, status, options) => workOrderOf((await client.setStatus(workOrder, status, "CMMS", options)).messages),
    reserve: async (workOrder, input, options) => workOrderOf((await client.reserve(workOrder, input, options)).messages)!,
    consume: async (workOrder, input, options) =>
      (await client.consume(workOrder, input, options)).messages.find((m) => m.interface === "SPARE_PARTS_USAGE")!.payload as SparePartsUsagePayload,
    poll: (after, limit) => client.events(after, limit),
  };
}
