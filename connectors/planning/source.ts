import { PlanningClient, type RequestOptions } from "./client";
import type { ActualInput, VersionInput } from "./planning-state";
import type { ForecastImportPayload } from "./schema";

/**
 * The planning engine as the SOURCE of FORECAST_IMPORT, for the plant simulator: create a forecast
 * version, release it (the engine's own rules apply: a superseded version is refused, every unit must
 * map to an ERP unit, buckets must not overlap) and get the payload the ERP imports. Refusals throw a
 * PlanningApiError with category "business" and the engine's code (VERSION_SUPERSEDED, UOM_NOT_MAPPED,
 * BUCKETS_OVERLAP): the failure the connector reports.
 */

const client = (planningUrl: string) => new PlanningClient(planningUrl);

export function createForecastVersion(planningUrl: string, input: VersionInput, options?: RequestOptions) {
  return client(planningUrl).createVersion(input, options);
}

/** Releases a version and returns its FORECAST_IMPORT payload (ERP units). */
export async function releaseForecastVersion(planningUrl: string, versionId: string, options?: RequestOptions): Promise<ForecastImportPayload> {
  return (await client(planningUrl).release(versionId, options)).payload;
}

/** The FORECAST_IMPORT payload of an already released version (refused once it is superseded). */
export function exportForecastVersion(planningUrl: string, versionId: string): Promise<ForecastImportPayload> {
  return client(planningUrl).export(versionId);
}

/** Scenario 7: change (or with `erpUnit` undefined, remove) the mapping of a planning unit. */
export async function setUomMapping(planningUrl: string, planningUnit: string, erpUnit: string | undefined, plant?: string): Promise<void> {
  if (erpUnit === undefined) await client(planningUrl).removeUomMapping(planningUnit, plant);
  else await client(planningUrl).setUomMapping(planningUnit, erpUnit, plant);
}

/** Closed loop: an actual from the ERP for a material and week (ERP unit). */
export function postActual(planningUrl: string, actual: ActualInput, options?: RequestOptions) {
  return client(planningUrl).postActual(actual, options);
}
