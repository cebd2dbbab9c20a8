import { PLANTS } from "../../prisma/seed";
import { SEED_PURCHASE_ORDERS } from "../sap/seed";
import type { System } from "./traffic";

/**
 * The business objects of each plant, with the same numbers in every system of the plant: SAP's
 * plant, orders, materials, batches and purchase orders (connectors/sap/seed.ts), the MES site,
 * the QMS plant, CMMS work orders, Monterrey's purchase orders and BOM products. `World` is what
 * the simulator remembers between messages (orders released to the MES, lots on hold, inspection
 * lots waiting for a usage decision, open work orders …), so that later messages concern the objects
 * earlier ones created.
 */

export type PlantContext = {
  code: string;
  /** SAP plant (WERKS) and company code; undefined in Monterrey (Odoo is its ERP). */
  sapPlant?: string;
  companyCode?: string;
  /** IDoc sender partner of the Odoo → SAP interfaces. */
  odooPartner: string;
  /** The plant's site in the MES and the QMS/LIMS (ERP plant), the CMMS plant, the planning plant. */
  mesSite?: string;
  qmsPlant?: string;
  cmmsPlant?: string;
  planningPlant?: string;
  timezone: string;
  systems: System[];
  interfaces: string[];
};

const EXTRA: Readonly<Record<string, Partial<PlantContext>>> = {
  "DE-HAM": { sapPlant: "1000", companyCode: "1000", mesSite: "1000", qmsPlant: "1000", cmmsPlant: "1000" },
  "US-CLT": { sapPlant: "2000", companyCode: "2000", cmmsPlant: "2000" },
  "MX-MTY": { mesSite: "MTY", planningPlant: "MTY1" },
  "PL-WRO": { sapPlant: "4000", companyCode: "4000", qmsPlant: "4000", planningPlant: "4000" },
};

export function plantContext(code: string): PlantContext {
  const plant = PLANTS.find((p) => p.code === code);
  if (!plant) throw new Error(`unknown plant ${code}`);
  return {
    code,
    odooPartner: `ODOO_${code.replace("-", "")}`,
    timezone: plant.timezone,
    systems: plant.systems.map(([kind]) => kind as System),
    interfaces: plant.interfaces,
    ...EXTRA[code],
  };
}

/** The Andon plant of an ERP plant (SAP WERKS) as the shared QMS and CMMS name it. */
export const PLANT_OF_ERP: Readonly<Record<string, string>> = { "1000": "DE-HAM", "2000": "US-CLT", "4000": "PL-WRO" };

/** Does the plant run this system? LIMS counts as the plant's QMS. */
export const runs = (plant: PlantContext, system: System) =>
  plant.systems.includes(system) || (system === "QMS" && plant.systems.includes("LIMS")) || (system === "LIMS" && plant.systems.includes("QMS"));

/** What a plant produces, and from what (routing and components as SAP creates its orders). */
export type ProductSpec = {
  material: string;
  unit: string;
  orderType: string;
  quantity: [number, number];
  operations: { vornr: string; workCenter: string; text: string }[];
  components: { material: string; perUnit: number; unit: string; batch?: string }[];
  /** First order number of orders the simulator creates in SAP. */
  firstOrder: number;
};

export const PRODUCTS: Readonly<Record<string, ProductSpec>> = {
  "1000": {
    material: "FG-2200-A",
    unit: "PC",
    orderType: "PP01",
    quantity: [40, 240],
    operations: [
      { vornr: "0010", workCenter: "CUT-01", text: "Cut blanks" },
      { vornr: "0020", workCenter: "WELD-02", text: "Weld frame" },
    ],
    components: [
      { material: "RM-4711", perUnit: 2, unit: "PC" },
      { material: "RM-0815", perUnit: 1, unit: "KG" },
    ],
    firstOrder: 1004800,
  },
  "2000": {
    material: "FG-3100",
    unit: "PC",
    orderType: "PP01",
    quantity: [20, 120],
    operations: [
      { vornr: "0010", workCenter: "CNC-07", text: "Turn housing" },
      { vornr: "0020", workCenter: "DEB-01", text: "Deburr" },
    ],
    components: [{ material: "RM-1001", perUnit: 0.5, unit: "M" }],
    firstOrder: 2001100,
  },
  "4000": {
    material: "CH-5500",
    unit: "KG",
    orderType: "PI01",
    quantity: [500, 2500],
    operations: [{ vornr: "0010", workCenter: "MIX-04", text: "Mix and cure PX-5" }],
    components: [
      { material: "RM-7020", perUnit: 0.4, unit: "L" },
      { material: "RM-0815", perUnit: 0.2, unit: "KG" },
    ],
    firstOrder: 4000600,
  },
};

/** Seeded SAP orders released first, then the ones the simulator creates. */
export const SEEDED_ORDERS: Readonly<Record<string, string[]>> = {
  "1000": ["000001004711", "000001004712"],
  "2000": ["000002001001"],
  "4000": ["000004000501"],
};

/** Materials issued and received in a plant (SAP seed), with their batches in unrestricted stock. */
export const STOCK_MATERIALS: Readonly<Record<string, { material: string; unit: string; batches: string[] }[]>> = {
  "1000": [
    { material: "RM-4711", unit: "PC", batches: [] },
    { material: "RM-0815", unit: "KG", batches: ["B2026-118", "B2026-097"] },
    { material: "PK-0100", unit: "PC", batches: [] },
    { material: "SP-0042", unit: "PC", batches: [] },
  ],
  "2000": [
    { material: "RM-1001", unit: "M", batches: [] },
    { material: "PK-0100", unit: "PC", batches: [] },
    { material: "SP-0042", unit: "PC", batches: [] },
  ],
  "4000": [
    { material: "RM-7020", unit: "L", batches: ["B2026-201"] },
    { material: "RM-0815", unit: "KG", batches: ["B2026-205"] },
    { material: "PK-0100", unit: "PC", batches: [] },
  ],
};

/** A material another plant has but this one does not (SAP answers M7 002 for it). */
export const FOREIGN_MATERIAL: Readonly<Record<string, string>> = { "1000": "RM-1001", "2000": "RM-4711", "4000": "RM-4711" };

export type PoItem = { po: string; item: string; material: string; unit: string; price: number; currency: string; supplier: string };

/** SAP purchase order items by plant (seed), for goods receipts and invoices. */
export function purchaseOrderItems(sapPlant: string): PoItem[] {
  return SEED_PURCHASE_ORDERS.flatMap(([po, , supplier, currency, items]) =>
    items.filter(([, , plant]) => plant === sapPlant).map(([item, material, , , , unit, price]) => ({ po, item, material, unit, price, currency, supplier })),
  );
}

/** QM-managed material whose goods receipts create inspection lots (SAP seed: RM-2040 in 1000 and 4000). */
export const QM_MATERIAL = "RM-2040";

/** Quality holds the QMS places, by plant: the batches the QMS and SAP both know. */
export const HOLD_BATCHES: Readonly<Record<string, { material: string; batch: string }[]>> = {
  "1000": [
    { material: "RM-0815", batch: "B2026-118" },
    { material: "RM-0815", batch: "B2026-097" },
  ],
  "4000": [
    { material: "RM-0815", batch: "B2026-205" },
    { material: "RM-7020", batch: "B2026-201" },
    { material: "CH-5500", batch: "B2026-310" },
  ],
};

export const HOLD_REASONS: readonly [string, string][] = [
  ["COMPLAINT", "Customer complaint: adhesion failure on delivered frames"],
  ["OOS", "Viscosity drift reported by line 3"],
  ["SUPPLIER", "Supplier notified a possible contamination of the batch"],
  ["AUDIT", "Retained sample missing, batch held pending re-test"],
];

/** Forecast materials per planning plant (Odoo products), with their planning unit. */
export const FORECAST_MATERIALS: Readonly<Record<string, { material: string; unit: string; range: [number, number] }[]>> = {
  MTY1: [
    { material: "DS-40", unit: "EA", range: [80, 400] },
    { material: "GH-200", unit: "EA", range: [150, 600] },
  ],
  "4000": [
    { material: "CH-5500", unit: "KGM", range: [1500, 6000] },
    { material: "RM-7020", unit: "LTR", range: [400, 2000] },
  ],
};

export type SimOrder = {
  aufnr: string;
  sapPlant: string;
  material: string;
  quantity: number;
  unit: string;
  /** Released to the MES (its PRODORD_RELEASE hop delivered). */
  inMes: boolean;
  /** Every operation finally confirmed in the MES. */
  done: boolean;
  /** Finished goods received (101 against the order). */
  received: boolean;
  /** Good quantity confirmed in the MES. */
  yield: number;
};

export type InspectionLotState = { sapLot: string; plant: string; batch: string; qmsCreated: boolean };

export type WorkOrderState = { workOrder: string; plant: string; status: string; reserved: string[] };

/** Mutable memory of the simulation (one per simulator). */
export class World {
  readonly orders = new Map<string, SimOrder[]>();
  readonly releaseQueue = new Map<string, string[]>(Object.entries(SEEDED_ORDERS).map(([plant, orders]) => [plant, [...orders]]));
  readonly nextOrder = new Map<string, number>(Object.entries(PRODUCTS).map(([plant, spec]) => [plant, spec.firstOrder]));
  /** Batches on hold per QMS plant: batch → since (ms). */
  readonly holds = new Map<string, Map<string, number>>();
  readonly inspectionLots: InspectionLotState[] = [];
  readonly workOrders: WorkOrderState[] = [];
  readonly bom = { product: "DS-40", revision: "", effectiveFrom: "", busy: false, variant: 0 };
  /** Orders a confirmation is being recorded for (one operator per order at a time). */
  readonly busyOrders = new Set<string>();
  /** Last forecast release per planning plant (ms): a planner releases one version at a time. */
  readonly lastForecastAt = new Map<string, number>();
  materialSeq = 0;
  batchSeq = 400;
  ecoSeq = 500_000;
  invoiceSeq = 0;
  lastAsn?: string;
  /** Position in the MES's ProductionPerformance feed read so far. */
  mesCursor = 0;
  qmsCursor = 0;
  cmmsCursor = 0;
  /** Scenario switches (ms timestamps). */
  monthEndUntil = 0;
  uomWaveUntil = 0;

  ordersOf(sapPlant: string): SimOrder[] {
    let list = this.orders.get(sapPlant);
    if (!list) {
      list = [];
      this.orders.set(sapPlant, list);
    }
    return list;
  }

  holdsOf(qmsPlant: string): Map<string, number> {
    let map = this.holds.get(qmsPlant);
    if (!map) {
      map = new Map();
      this.holds.set(qmsPlant, map);
    }
    return map;
  }
}

export const today = (at = new Date()) => at.toISOString().slice(0, 10);
export const addDays = (iso: string, days: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
export const dats = (iso: string) => iso.replaceAll("-", "");
export const isoOfDats = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
/** Order number without leading zeros (as the MES and Odoo's origin show it). */
export const shortOrder = (aufnr: string) => aufnr.replace(/^0+(?=.)/, "");
