import type { AlertChange } from "../realtime/events";
import { publishToPlant } from "../realtime/publish";

export function publishAlertChanges(changes: AlertChange[]): void {
  for (const c of changes) publishToPlant(c.plantId, "alert.changed", c);
}
