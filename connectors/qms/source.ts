import { QmsClient, type QmsMessage } from "./client";
import type { CallOptions, RestClientOptions } from "../rest-emulator/rest-client";
import type { InspectionResultPayload, QualityHoldPayload } from "./schema";
import type { InspectionLot, LotOrigin, OutboundEvent } from "./state";

/**
 * The QMS as the SOURCE of QUALITY_HOLD and INSPECTION_RESULT, for the plant simulator: each
 * function does what a quality engineer does in the QMS (over its REST API, so the emulator may run
 * in another process) and returns the outbound messages the QMS produced — exactly the JSON forms
 * Andon stores for these interfaces (`payload`), with the interface code and the QMS's feed
 * sequence. A connector can equally poll them with `poll(after)`.
 */

export interface QmsSource {
  client: QmsClient;
  createInspectionLot(
    input: { origin: LotOrigin; material: string; plant: string; batch: string; storageLocation?: string; quantity: number; unit: string },
    options?: CallOptions,
  ): Promise<InspectionLot>;
  /** Records results; an INSPECTION_RESULT (status RESULTS_COMPLETE) once every characteristic has one. */
  recordResults(inspectionLot: string, results: { characteristic: string; measuredValue: number }[], options?: CallOptions): Promise<QmsMessage[]>;
  /** The usage decision: an INSPECTION_RESULT (DECIDED), plus a QUALITY_HOLD when it releases or blocks the batch. */
  makeUsageDecision(inspectionLot: string, code: string, options?: CallOptions & { decidedBy?: string }): Promise<QmsMessage[]>;
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
  ): Promise<QualityHoldPayload>;
  releaseHold(input: { material: string; plant: string; batch: string; reason?: string }, options?: CallOptions): Promise<QualityHoldPayload>;
  /**
   * Scenario 1's start: a goods-receipt inspection lot for the batch, results with the first
   * characteristic out of specification (above its upper limit, or below its lower one), and a
   * hold of the batch naming that lot. Returns [INSPECTION_RESULT, QUALITY_HOLD].
   */
  outOfSpecHold(input: { material: string; plant: string; batch: string; quantity: number; unit: string }): Promise<{
    inspectionLot: string;
    inspectionResult: InspectionResultPayload;
    qualityHold: QualityHoldPayload;
  }>;
  /** The outbound feed after `after`. */
  poll(after?: number, limit?: number): Promise<{ events: OutboundEvent[]; last: number }>;
}

export function qmsSource(baseUrlOrOptions: string | RestClientOptions): QmsSource {
  const client = new QmsClient(typeof baseUrlOrOptions === "string" ? { baseUrl: baseUrlOrOptions } : baseUrlOrOptions);
  const only = <I extends QmsMessage["interface"]>(messages: QmsMessage[], iface: I) =>
    messages.find((m): m is Extract<QmsMessage, { interface: I }> => m.interface === iface);

  const source: QmsSource = {
    client,
    createInspectionLot: (input, options) => client.createInspectionLot(input, options),
    recordResults: async (inspectionLot, results, options) => (await client.recordResults(inspectionLot, results, options)).messages,
    makeUsageDecision: async (inspectionLot, code, options) =>
      (await client.makeUsageDecision(inspectionLot, { code, ...(options?.decidedBy ? { decidedBy: options.decidedBy } : {}) }, options)).messages,
    placeHold: async (input, options) => only((await client.placeHold(input, options)).messages, "QUALITY_HOLD")!.payload,
    releaseHold: async (input, options) => only((await client.releaseHold(input, options)).messages, "QUALITY_HOLD")!.payload,
    async outOfSpecHold(input) {
      const lot = await client.createInspectionLot({ origin: "01", ...input });
      const results = lot.characteristics.map((c, index) => {
        const inSpec = c.lowerLimit !== undefined && c.upperLimit !== undefined ? (c.lowerLimit + c.upperLimit) / 2 : (c.lowerLimit ?? c.upperLimit ?? 0);
        const off = c.upperLimit !== undefined ? c.upperLimit * 1.18 : (c.lowerLimit ?? 0) * 0.9;
        return { characteristic: c.characteristic, measuredValue: Number((index === 0 ? off : inSpec).toFixed(3)) };
      });
      const recorded = await client.recordResults(lot.inspectionLot, results);
      const first = lot.characteristics[0]!;
      const measured = results[0]!.measuredValue;
      const limit = first.upperLimit !== undefined ? `limit ${first.upperLimit} ${first.unit}` : `minimum ${first.lowerLimit} ${first.unit}`;
      const held = await client.placeHold({
        material: input.material,
        plant: input.plant,
        batch: input.batch,
        reason: `${first.description} out of specification (measured ${measured} ${first.unit}, ${limit})`,
        reasonCode: "OOS",
        inspectionLot: lot.inspectionLot,
      });
      return {
        inspectionLot: lot.inspectionLot,
        inspectionResult: only(recorded.messages, "INSPECTION_RESULT")!.payload,
        qualityHold: only(held.messages, "QUALITY_HOLD")!.payload,
      };
    },
    poll: (after, limit) => client.events(after, limit),
  };
  return source;
}
