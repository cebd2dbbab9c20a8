import { WmsState } from "./state";

/**
 * Demo data. Warehouse HAM serves ERP plant 1000 (Hamburg; storage locations 0001 raw materials and
 * 0002 production supply): its bins hold exactly the SAP emulator's seed stock of those storage
 * locations (connectors/sap/seed.ts), so WMS and SAP reconcile until a message is lost (SYSTEMS.md
 * scenario 8). Warehouse MTY serves Monterrey (MX-MTY, whose ERP is Odoo: plant code MTY1, products
 * of the Odoo emulator's seed). Purchase orders are the ERP's, replicated for receiving.
 */

export function createSeededWms(now: () => Date): WmsState {
  const wms = new WmsState(now);
  wms.warehouses.set("HAM", { warehouse: "HAM", plant: "1000", name: "Hamburg Assembly – raw materials", receivingBin: "GR-01" });
  wms.warehouses.set("MTY", { warehouse: "MTY", plant: "MTY1", name: "Monterrey Components", receivingBin: "MTY-GR-01" });

  for (const [bin, warehouse, storageLocation, storageType] of [
    ["GR-01", "HAM", "0001", "GR"],
    ["01-01-01", "HAM", "0001", "RACK"],
    ["01-01-02", "HAM", "0001", "RACK"],
    ["01-02-01", "HAM", "0001", "RACK"],
    ["01-02-02", "HAM", "0001", "RACK"],
    ["01-02-03", "HAM", "0001", "RACK"],
    ["01-03-01", "HAM", "0001", "RACK"],
    ["01-04-01", "HAM", "0001", "RACK"],
    ["PSA-01", "HAM", "0002", "PSA"],
    ["MTY-GR-01", "MTY", "WH01", "GR"],
    ["A-01-01", "MTY", "WH01", "RACK"],
    ["A-01-02", "MTY", "WH01", "RACK"],
    ["A-02-01", "MTY", "WH01", "RACK"],
  ] as const) {
    wms.bins.set(bin, { bin, warehouse, storageLocation, storageType, blocked: false });
  }
  wms.setBinBlocked("01-02-03", true, "Rack inspection after forklift impact");

  for (const [material, description, baseUnit, batchManaged, units] of [
    ["RM-4711", "Steel sheet S235 2 mm, cut blank", "PC", false, {}],
    ["RM-0815", "Epoxy resin 2K, 25 kg drum", "KG", true, { DR: 25 }],
    ["SP-0042", "Ball bearing 6204-2RS", "PC", false, {}],
    ["PK-0100", "Carton 600x400x300", "PC", false, { PAL: 200 }],
    ["RM-6204", "Deep Groove Ball Bearing 6204-2RS", "PC", false, {}],
    ["RM-HLP46", "Hydraulic Oil HLP 46", "L", true, {}],
    ["SP-SEAL-35", "Shaft Seal 35x52x7", "PC", false, {}],
  ] as const) {
    wms.materials.set(material, { material, description, baseUnit, batchManaged, units: { ...units } });
  }

  for (const [bin, material, batch, quantity] of [
    ["01-01-01", "RM-4711", "", 300],
    ["01-01-02", "RM-4711", "", 200],
    ["01-02-01", "RM-0815", "B2026-118", 400],
    ["01-02-02", "RM-0815", "B2026-097", 35.5],
    ["01-03-01", "SP-0042", "", 24],
    ["01-04-01", "PK-0100", "", 2000],
    ["PSA-01", "RM-4711", "", 40],
    ["A-01-01", "RM-6204", "", 150],
    ["A-01-02", "RM-HLP46", "L2026-031", 200],
    ["A-02-01", "SP-SEAL-35", "", 80],
  ] as const) {
    wms.setStock(bin, material, batch, quantity);
  }

  wms.purchaseOrders.set("4500017001", {
    purchaseOrder: "4500017001",
    supplier: "100234",
    warehouse: "HAM",
    lines: [
      { poLine: "00010", material: "RM-4711", quantity: 1000, unit: "PC", tolerancePct: 0 },
      { poLine: "00020", material: "RM-0815", quantity: 500, unit: "KG", tolerancePct: 10 },
      { poLine: "00030", material: "PK-0100", quantity: 4000, unit: "PC", tolerancePct: 0 },
    ],
  });
  wms.purchaseOrders.set("4500017002", {
    purchaseOrder: "4500017002",
    supplier: "100871",
    warehouse: "HAM",
    lines: [{ poLine: "00010", material: "SP-0042", quantity: 50, unit: "PC", tolerancePct: 0 }],
  });
  wms.purchaseOrders.set("P00042", {
    purchaseOrder: "P00042",
    supplier: "FDN-001",
    warehouse: "MTY",
    lines: [
      { poLine: "00001", material: "RM-6204", quantity: 300, unit: "PC", tolerancePct: 5 },
      { poLine: "00002", material: "RM-HLP46", quantity: 400, unit: "L", tolerancePct: 0 },
    ],
  });
  return wms;
}
