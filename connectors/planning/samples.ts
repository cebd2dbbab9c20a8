import type { ForecastImportPayload } from "./schema";

/**
 * A realistic FORECAST_IMPORT payload: version FV-1000-2026-W50 of plant 1000 as the planning emulator's
 * seed releases it (EA → PC, KGM → KG).
 */
export const SAMPLE_FORECAST_IMPORT: ForecastImportPayload = {
  forecastVersion: "FV-1000-2026-W50",
  plant: "1000",
  releasedAt: "2026-12-07T06:00:00.000Z",
  buckets: [
    { material: "FG-100", periodStart: "2026-12-07", quantity: 450, unit: "PC" },
    { material: "FG-100", periodStart: "2026-12-14", quantity: 380, unit: "PC" },
    { material: "FG-100", periodStart: "2026-12-21", quantity: 200, unit: "PC" },
    { material: "FG-200", periodStart: "2026-12-07", quantity: 1300, unit: "KG" },
    { material: "FG-200", periodStart: "2026-12-14", quantity: 1280, unit: "KG" },
  ],
};
