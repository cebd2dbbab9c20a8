/** Public API of the MES connector (B2MML): emulator, client, replay handler, source, payload schemas. */
export * from "./b2mml";
export { createMesClient, type MesClient, MesClientError, type MesRequestOptions, type ScheduleAnswer } from "./client";
export { MES_LOGICAL_ID, type MesEmulator, type MesEmulatorOptions, startMesEmulator } from "./emulator";
export { bodIdFor, prodordReleaseFromLoipro01, prodordReleaseToB2mml } from "./release";
export { mesReplayHandler } from "./replay-handler";
export { PRODORD_CONFIRM_SAMPLE, PRODORD_RELEASE_SAMPLE } from "./samples";
export {
  MES_ORDER_STATUSES,
  MES_TO_B2MML_STATE,
  MES_TO_SAP_STATUS,
  MES_UNITS,
  PRODORD_CONFIRM_PAYLOAD_SCHEMA,
  PRODORD_RELEASE_PAYLOAD_SCHEMA,
  type ProdordConfirm,
  type ProdordRelease,
  prodordConfirmSchema,
  prodordReleaseSchema,
} from "./schema";
export { type ConfirmationRequest, type EmittedConfirmation, emitConfirmation, pollConfirmations, prodordConfirmFromPerformance } from "./source";
export { type MesConfirmation, MesError, type MesOrder, type MesOrderView } from "./state";
