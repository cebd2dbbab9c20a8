import type { BomRelease } from "./schema";

/**
 * A realistic BOM_RELEASE payload: revision B of FG-2200-A as the seeded ECO-000103 releases it
 * (effective from 2026-12-01, ending the open-ended revision A on 2026-11-30). Quantities are per
 * 1 PC of FG-2200-A; the components are the SAP emulator's materials.
 */
export const BOM_RELEASE_SAMPLE: BomRelease = {
  ecoNumber: "ECO-000103",
  material: "FG-2200-A",
  description: "Frame assembly A",
  revision: "B",
  effectiveFrom: "2026-12-01",
  baseQuantity: 1,
  unit: "PC",
  components: [
    { material: "RM-4711", quantity: 2, unit: "PC", position: "0010" },
    { material: "RM-0815", quantity: 0.8, unit: "KG", position: "0020" },
    { material: "PK-0100", quantity: 0.05, unit: "PC", position: "0030" },
  ],
  supersedes: { revision: "A", effectiveTo: "2026-11-30" },
  releasedAt: "2026-11-24T08:30:00.000Z",
};
