/**
 * The technical failures this emulator can be told to produce: the shared fault queue of the REST
 * emulator kit (connectors/rest-emulator/faults.ts), under the names this emulator's code uses.
 */
export {
  type EmulatorFault as PortalFault,
  FaultQueue,
  type FaultPhase,
  type PendingFault,
  emulatorFaultSchema as portalFaultSchema,
  faultPhaseSchema,
} from "../rest-emulator/faults";
