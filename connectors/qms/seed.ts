import { QmsState } from "./state";

/**
 * Demo data of the QMS sites: Hamburg (ERP plant 1000, Andon DE-HAM) and Wroclaw (4000, PL-WRO).
 * Materials and batches are those of the SAP emulator's seed (connectors/sap/seed.ts), in
 * unrestricted stock, so that a hold placed here concerns stock SAP really has. The next
 * goods-receipt inspection lot is 010000004455, the one named in the shared sample.
 */

export function createSeededQms(now: () => Date): QmsState {
  const qms = new QmsState(now);
  qms.plants.set("1000", { plant: "1000", site: "DE-HAM", name: "Hamburg Assembly" });
  qms.plants.set("4000", { plant: "4000", site: "PL-WRO", name: "Wroclaw Process Plant" });

  qms.materials.set("RM-0815", {
    material: "RM-0815",
    description: "Epoxy resin 2K, 25 kg drum",
    baseUnit: "KG",
    plants: ["1000", "4000"],
    plan: [
      { characteristic: "0010", description: "Viscosity at 25 °C", unit: "cP", lowerLimit: 250, upperLimit: 350 },
      { characteristic: "0020", description: "Epoxy equivalent weight", unit: "g/eq", lowerLimit: 182, upperLimit: 192 },
      { characteristic: "0030", description: "Water content (Karl Fischer)", unit: "%", upperLimit: 0.05 },
    ],
  });
  qms.materials.set("RM-7020", {
    material: "RM-7020",
    description: "Isopropyl alcohol 99.9%",
    baseUnit: "L",
    plants: ["4000"],
    plan: [
      { characteristic: "0010", description: "Purity (GC)", unit: "%", lowerLimit: 99.9 },
      { characteristic: "0020", description: "Water content", unit: "%", upperLimit: 0.1 },
    ],
  });
  qms.materials.set("CH-5500", {
    material: "CH-5500",
    description: "Polymer compound PX-5",
    baseUnit: "KG",
    plants: ["4000"],
    plan: [
      { characteristic: "0010", description: "Melt flow index (230 °C/2.16 kg)", unit: "g/10min", lowerLimit: 8, upperLimit: 12 },
      { characteristic: "0020", description: "Density", unit: "g/cm3", lowerLimit: 1.12, upperLimit: 1.16 },
    ],
  });
  qms.materials.set("RM-4711", {
    material: "RM-4711",
    description: "Steel sheet S235 2 mm, cut blank",
    baseUnit: "PC",
    plants: ["1000"],
    plan: [
      { characteristic: "0010", description: "Sheet thickness", unit: "mm", lowerLimit: 1.9, upperLimit: 2.1 },
      { characteristic: "0020", description: "Yield strength", unit: "MPa", lowerLimit: 235 },
    ],
  });

  for (const [material, plant, batch, quantity, unit] of [
    ["RM-0815", "1000", "B2026-118", 400, "KG"],
    ["RM-0815", "1000", "B2026-097", 35.5, "KG"],
    ["RM-0815", "4000", "B2026-205", 150, "KG"],
    ["RM-7020", "4000", "B2026-201", 800, "L"],
    ["CH-5500", "4000", "B2026-310", 2500, "KG"],
  ] as const) {
    qms.putBatch({
      material,
      plant,
      batch,
      storageLocation: plant === "4000" && material === "CH-5500" ? "0003" : "0001",
      quantity,
      unit,
      stockType: "UNRESTRICTED",
    });
  }

  // History: the production lot of B2026-310, accepted (040000001200).
  qms.nextLotNumber["04"] = 1200;
  const history = qms.createInspectionLot({ origin: "04", material: "CH-5500", plant: "4000", batch: "B2026-310", quantity: 2500, unit: "KG" });
  qms.recordResults(history.inspectionLot, [
    { characteristic: "0010", measuredValue: 10.4 },
    { characteristic: "0020", measuredValue: 1.14 },
  ]);
  qms.makeUsageDecision(history.inspectionLot, { code: "A01", decidedBy: "QM-WRO" });
  qms.events.length = 0;
  return qms;
}
