import type { HandoverChange } from "../realtime/events";
import { publishToPlant } from "../realtime/publish";

/** A handover of the plant was prepared, written or acknowledged: its room's handover pages refetch. */
export function publishHandoverChange(change: HandoverChange): void {
  publishToPlant(change.plantId, "handover.changed", change);
}
