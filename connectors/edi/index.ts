export {
  buildApplicationAdvice,
  buildFunctionalAck,
  controlNumberFromKey,
  detectSyntax,
  parseAcknowledgment,
  parseAsn,
  type EdiSyntax,
  type ParsedAcknowledgment,
} from "./acknowledgments";
export { EdiPortalClient, EdiPortalError } from "./client";
export { asnToEdifact, buildAperak, buildContrl, parseAperak, parseContrl, parseEdifact, parseEdifactAsn, readEdifact } from "./edifact";
export { startEdiEmulator, type EdiEmulator, type EdiEmulatorOptions } from "./emulator";
export { EdiError, type EdiProblem } from "./errors";
export { DEFAULT_SEED as EDI_PORTAL_SEED } from "./portal-state";
export { acknowledgeAsn } from "./receiving";
export { ediReplayHandler, guessRefusal } from "./replay-handler";
export { SAMPLE_SUPPLIER_ASN } from "./samples";
export { SUPPLIER_ASN_JSON_SCHEMA, supplierAsnPayloadSchema, type SupplierAsnPayload } from "./schema";
export { asnJsonFromEdi, createPurchaseOrder, createSupplier, fetchAsnEdi, retransmitSupplierAsn, shipSupplierAsn } from "./source";
export { UNIT_TABLE } from "./units";
export {
  asnToX12,
  build824,
  build997,
  parse824,
  parse997,
  parseX12,
  parseX12Asn,
  readX12,
  type ApplicationVerdict,
  type Refusal,
  type RefusalCode,
} from "./x12";
