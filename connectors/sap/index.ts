/** Public API of the SAP connector pieces: IDocs, status records, the OData client, payload schemas, and the SAP emulator (IDoc inbound + S/4HANA OData v2). */
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
export type { SapReplayOptions } from "./replay-handler";
export { SapODataClient, failureOf, parseSapMessageHeader } from "./odata-client";
export type { SapMessageEntry, SapODataClientOptions, SapODataFailure, SapODataResult } from "./odata-client";
export { ODATA_ROOT, SESSION_COOKIE } from "./odata";
export type { ODataCounters } from "./odata";
export { ODATA_SERVICES } from "./odata-services";
export {
  SAP_PAYLOAD_JSON_SCHEMAS,
  SAP_PAYLOAD_ZOD_SCHEMAS,
  goodsMovementForm,
  goodsMovementJsonSchema,
  inspectionResultPayloadSchema,
  materialDocumentPayloadSchema,
  mbgmcr03JsonSchema,
  prodordConfirmPayloadSchema,
  qualityHoldPayloadSchema,
  supplierInvoicePayloadSchema,
} from "./schemas";
export type {
  InspectionResultPayload,
  MaterialDocumentPayload,
  ProdordConfirmPayload,
  QualityHoldPayload,
  SapInterface,
  SupplierInvoicePayload,
} from "./schemas";
export { SAP_SAMPLE_PAYLOADS } from "./samples";
export type { StockTypesRow } from "./emulator";
export type { InspectionLot, OrderConfirmation, PurchaseOrder, StockType, SupplierInvoice } from "./erp-state";
