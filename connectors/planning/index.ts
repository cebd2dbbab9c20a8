export { PlanningApiError, PlanningClient } from "./client";
export { startPlanningEmulator, type PlanningEmulator, type PlanningEmulatorOptions } from "./emulator";
export { DEFAULT_SEED as PLANNING_SEED, isoWeekOf, isoWeekStart, PlanningError } from "./planning-state";
export { SAMPLE_FORECAST_IMPORT } from "./samples";
export { FORECAST_IMPORT_JSON_SCHEMA, forecastImportPayloadSchema, overlappingBuckets, type ForecastImportPayload } from "./schema";
export { createForecastVersion, exportForecastVersion, postActual, releaseForecastVersion, setUomMapping } from "./source";
export { DEFAULT_UOM_MAPPING, PLANNING_UNITS, UomMappingTable } from "./uom";
