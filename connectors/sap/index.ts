/** Public API of the SAP connector pieces: IDocs, status records, and the SAP inbound emulator. */
export * from "./idoc";
export {
  IDOC_STATUSES,
  classifyIdocStatus,
  classifyStatusRecord,
  createStatusRecord,
  currentStatus,
  describeIdocStatus,
  idocStatusRecordSchema,
  isFinalStatus,
  toEdids,
} from "./status";
export type { AndonFailure, IdocStatusCode, IdocStatusDefinition, IdocStatusRecord, NewStatusRecord } from "./status";
export { MESSAGES, renderMessageText, sapMessage } from "./messages";
export type { MessageDefinition, MessageKey, SapMessage } from "./messages";
export { sapInboundResponseSchema } from "./inbound";
export type { SapInboundResponse } from "./inbound";
export { startSapEmulator } from "./emulator";
export type { SapEmulator, SapEmulatorCounters, SapEmulatorOptions, SapFaultControls, StockQuery } from "./emulator";
export { sapFaultSchema } from "./faults";
export type { FaultPhase, PendingFault, SapFault } from "./faults";
export { sapReplayHandler } from "./replay-handler";
