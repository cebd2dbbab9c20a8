import { publishToPlant } from "../realtime/publish";
import type { AlertStatus } from "../db/generated/enums";

/** A change to one alert, for its plant's room: inboxes and dashboards refetch or patch from it. */
export type AlertChange = { id: string; plantId: string; status: AlertStatus };

export function publishAlertChanges(changes: AlertChange[]): void {
  for (const c of changes) publishToPlant(c.plantId, "alert.changed", c);
}
