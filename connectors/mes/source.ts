import type { PerformanceRecord } from "./b2mml";
import { createMesClient, type MesRequestOptions } from "./client";
import { type ProdordConfirm, prodordConfirmSchema } from "./schema";
import { splitDateTime } from "./time";

/**
 * The MES as the SOURCE of PRODORD_CONFIRM. The simulator makes the MES record a confirmation (as
 * an operator would at the terminal) with `emitConfirmation`; the MES publishes it as a B2MML
 * ProductionPerformance in its feed, which a connector reads with `pollConfirmations`. Both answer
 * the B2MML document and the JSON payload Andon stores (ProdnOrdConf2 field names), derived from
 * the B2MML, not from the emulator's internals.
 */

export interface EmittedConfirmation {
  /** Position in the MES's performance feed. */
  sequence: number;
  performanceId: string;
  /** The ShowProductionPerformance document with this one ProductionPerformance. */
  xml: string;
  record: PerformanceRecord;
  payload: ProdordConfirm;
}

export interface ConfirmationRequest {
  order: string;
  operation: string;
  yield: number;
  scrap?: number;
  /** ISO date-times; default: end = the MES's now, start = end − 1 h. */
  start?: string;
  end?: string;
  /** Final confirmation; default: when the operation's open quantity is used up. */
  final?: boolean;
}

/**
 * Makes the MES record an operation confirmation and answers what it publishes. Refusals at the
 * MES side (operation not released, over the open quantity beyond tolerance, order closed…) are
 * thrown as MesClientError (business) and produce no message.
 */
export async function emitConfirmation(mesUrl: string, request: ConfirmationRequest, options: MesRequestOptions = {}): Promise<EmittedConfirmation> {
  const client = createMesClient(mesUrl);
  const { order: _order, operation: _operation, ...input } = request;
  const recorded = await client.confirm(request.order, request.operation, input, options);
  const { record, xml } = await client.performance(recorded.performanceId, { signal: options.signal });
  return { sequence: recorded.confirmation.sequence, performanceId: recorded.performanceId, xml, record, payload: prodordConfirmFromPerformance(record) };
}

/** The confirmations published after feed position `after` (0: from the start); `next` continues. */
export async function pollConfirmations(
  mesUrl: string,
  after = 0,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<{ items: Omit<EmittedConfirmation, "xml">[]; xml: string; next: number }> {
  const { records, xml, next } = await createMesClient(mesUrl).performances(after, options);
  return {
    items: records.map((record) => ({
      sequence: Number(record.id.replace(/^\D+/, "")),
      performanceId: record.id,
      record,
      payload: prodordConfirmFromPerformance(record),
    })),
    xml,
    next,
  };
}

/**
 * ProductionPerformance → PRODORD_CONFIRM payload. SegmentState Completed → FinalConfirmationType
 * "X", Running → "" (partial); the posting date is the day the segment ended, in plant time.
 */
export function prodordConfirmFromPerformance(record: PerformanceRecord): ProdordConfirm {
  const start = splitDateTime(record.actualStart);
  const end = splitDateTime(record.actualEnd);
  const posting = end ?? splitDateTime(record.publishedDate);
  const payload = {
    OrderID: record.orderNumber,
    OrderOperation: record.operation,
    Sequence: "0",
    Material: record.material || undefined,
    Plant: record.plant || undefined,
    WorkCenter: record.workCentre,
    ConfirmationYieldQuantity: record.yield,
    ConfirmationScrapQuantity: record.scrap,
    ConfirmationUnit: record.unit,
    PostingDate: posting?.date,
    FinalConfirmationType: record.segmentState === "Completed" ? "X" : "",
    ConfirmedExecutionStartDate: start?.date,
    ConfirmedExecutionStartTime: start?.time,
    ConfirmedExecutionEndDate: end?.date,
    ConfirmedExecutionEndTime: end?.time,
    ConfirmationText: `MES ${record.confirmationId}`,
    BOMRevision: record.bomRevision,
  };
  return prodordConfirmSchema.parse(Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined)));
}
