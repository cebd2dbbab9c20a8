import { ErpState, type OrderCategory, type OrderOperation, type PostingPeriod, type StockType, type StorageLocation } from "./erp-state";
import { DEFAULT_INSPECTION_PLAN } from "./goods-movement";
import { toMilli, toSapDate } from "./sap-format";

/**
 * Demo ERP data for the SAP plants of the shared domain catalog (shared/domain/README.md): Hamburg
 * (1000), Charlotte (2000) and Wroclaw (4000); Monterrey runs Odoo as its ERP and is deliberately
 * not an SAP plant. The shared samples (copied to ./fixtures) post against this data: RM-4711 has
 * 500 PC in 1000/0001, so the 512 PC issue of the goods-movement sample is 12 PC short.
 */

interface MaterialSeed {
  matnr: string;
  description: string;
  type: string;
  group: string;
  baseUnit: string;
  /** plant → batch-managed there */
  plants: Record<string, boolean>;
  units?: Record<string, [numerator: number, denominator: number]>;
  /** Plants where QM inspection type 01 is active: goods receipts go to quality inspection stock. */
  qm?: readonly string[];
}

export const SEED_MATERIALS: readonly MaterialSeed[] = [
  { matnr: "RM-4711", description: "Steel sheet S235 2 mm, cut blank", type: "ROH", group: "RM-STEEL", baseUnit: "PC", plants: { "1000": false } },
  {
    matnr: "RM-0815",
    description: "Epoxy resin 2K, 25 kg drum",
    type: "ROH",
    group: "RM-CHEM",
    baseUnit: "KG",
    plants: { "1000": true, "4000": true },
    units: { DR: [25, 1] },
  },
  { matnr: "FG-2200-A", description: "Frame assembly A", type: "FERT", group: "FG-FRAME", baseUnit: "PC", plants: { "1000": false } },
  { matnr: "SP-0042", description: "Ball bearing 6204-2RS", type: "ERSA", group: "SP-BEAR", baseUnit: "PC", plants: { "1000": false, "2000": false } },
  {
    matnr: "RM-1001",
    description: "Aluminium bar EN AW-6060 D40",
    type: "ROH",
    group: "RM-ALU",
    baseUnit: "M",
    plants: { "2000": false },
    units: { ST: [6, 1] },
  },
  { matnr: "FG-3100", description: "Machined housing 3100", type: "FERT", group: "FG-HOUS", baseUnit: "PC", plants: { "2000": false } },
  { matnr: "RM-7020", description: "Isopropyl alcohol 99.9%", type: "ROH", group: "RM-CHEM", baseUnit: "L", plants: { "4000": true } },
  { matnr: "CH-5500", description: "Polymer compound PX-5", type: "FERT", group: "FG-POLY", baseUnit: "KG", plants: { "4000": true } },
  {
    matnr: "PK-0100",
    description: "Carton 600x400x300",
    type: "VERP",
    group: "PK-CART",
    baseUnit: "PC",
    plants: { "1000": false, "2000": false, "4000": false },
    units: { PAL: [200, 1] },
  },
  {
    matnr: "RM-2040",
    description: "Adhesive primer P-40, 10 kg can",
    type: "ROH",
    group: "RM-CHEM",
    baseUnit: "KG",
    plants: { "1000": true, "4000": true },
    units: { CAN: [10, 1] },
    qm: ["1000", "4000"],
  },
];

/** [material, plant, storage location, batch, quantity in base unit] */
export const SEED_STOCK: readonly (readonly [string, string, string, string, number])[] = [
  ["RM-4711", "1000", "0001", "", 500],
  ["RM-4711", "1000", "0002", "", 40],
  ["RM-0815", "1000", "0001", "B2026-118", 400],
  ["RM-0815", "1000", "0001", "B2026-097", 35.5],
  ["RM-0815", "4000", "0001", "B2026-205", 150],
  ["FG-2200-A", "1000", "0003", "", 120],
  ["SP-0042", "1000", "0001", "", 24],
  ["SP-0042", "2000", "0001", "", 10],
  ["RM-1001", "2000", "0001", "", 1200],
  ["FG-3100", "2000", "0003", "", 60],
  ["RM-7020", "4000", "0001", "B2026-201", 800],
  ["CH-5500", "4000", "0003", "B2026-310", 2500],
  ["PK-0100", "1000", "0001", "", 2000],
  ["PK-0100", "2000", "0001", "", 800],
  ["PK-0100", "4000", "0001", "", 1500],
  ["RM-2040", "1000", "0001", "B2026-288", 120],
];

/**
 * Stock in quality inspection (02) and blocked stock (07):
 * [material, plant, storage location, batch, stock type, quantity in base unit].
 */
export const SEED_TYPED_STOCK: readonly (readonly [string, string, string, string, StockType, number])[] = [
  ["RM-2040", "1000", "0001", "B2026-301", "02", 200],
  ["RM-2040", "4000", "0001", "B2026-215", "02", 150],
  ["RM-0815", "1000", "0001", "B2026-077", "07", 60],
];

/**
 * Open inspection lots of origin 01 (goods receipt for purchase order), for the quality-inspection
 * stock above: [lot, material, plant, storage location, batch, quantity, purchase order, created on].
 */
export const SEED_INSPECTION_LOTS: readonly (readonly [string, string, string, string, string, number, string, string])[] = [
  ["010000004701", "RM-2040", "1000", "0001", "B2026-301", 200, "4500012345", "20261120"],
  ["010000004702", "RM-2040", "4000", "0001", "B2026-215", 150, "4500012346", "20261121"],
];

/**
 * Purchase orders: [PO, company code, supplier, currency, items: [item, material, plant, storage
 * location, quantity, unit, net price per unit, received so far]]. Receipts already posted match
 * the stock above (B2026-301 came in against 4500012345/00030).
 */
export const SEED_PURCHASE_ORDERS: readonly (readonly [
  string,
  string,
  string,
  string,
  readonly (readonly [string, string, string, string, number, string, number, number])[],
])[] = [
  [
    "4500012345",
    "1000",
    "100200",
    "EUR",
    [
      ["00010", "RM-4711", "1000", "0001", 1000, "PC", 2.5, 500],
      ["00020", "RM-0815", "1000", "0001", 400, "KG", 12.4, 400],
      ["00030", "RM-2040", "1000", "0001", 200, "KG", 18, 200],
    ],
  ],
  [
    "4500012346",
    "4000",
    "300150",
    "PLN",
    [
      ["00010", "RM-2040", "4000", "0001", 150, "KG", 75, 150],
      ["00020", "RM-7020", "4000", "0001", 1000, "L", 9.8, 800],
    ],
  ],
  [
    "4500012400",
    "2000",
    "200410",
    "USD",
    [
      ["00010", "RM-1001", "2000", "0001", 1200, "M", 4.1, 1200],
      ["00020", "SP-0042", "2000", "0001", 50, "PC", 6.75, 10],
    ],
  ],
];

/**
 * Released orders: [AUFNR, order type, plant, material, quantity, unit, basic start, basic finish].
 * PP01 production orders, PI01 process order, PM01 maintenance order (spare parts are issued to it).
 */
export const SEED_ORDERS: readonly (readonly [string, string, string, string, number, string, string, string])[] = [
  ["000001004711", "PP01", "1000", "FG-2200-A", 250, "PC", "20261124", "20261126"],
  ["000001004712", "PP01", "1000", "FG-2200-A", 100, "PC", "20261127", "20261130"],
  ["000002001001", "PP01", "2000", "FG-3100", 60, "PC", "20261123", "20261125"],
  ["000004000501", "PI01", "4000", "CH-5500", 2000, "KG", "20261123", "20261124"],
  ["000004100017", "PM01", "1000", "", 0, "", "20261120", "20261127"],
  ["000001004713", "PP01", "1000", "FG-2200-A", 50, "PC", "20261201", "20261203"],
];

/** Operations of the seeded orders: [vornr, work center, text]. */
const SEED_OPERATIONS: Readonly<Record<string, readonly (readonly [string, string, string])[]>> = {
  "000001004711": [
    ["0010", "CUT-01", "Cut blanks"],
    ["0020", "WELD-02", "Weld frame"],
  ],
  "000001004712": [
    ["0010", "CUT-01", "Cut blanks"],
    ["0020", "WELD-02", "Weld frame"],
  ],
  "000001004713": [
    ["0010", "CUT-01", "Cut blanks"],
    ["0020", "WELD-02", "Weld frame"],
  ],
  "000002001001": [
    ["0010", "CNC-07", "Turn housing"],
    ["0020", "DEB-01", "Deburr"],
  ],
  "000004000501": [["0010", "MIX-04", "Mix and cure PX-5"]],
};

/**
 * Order extras: BOM revision and the day offset (from "today") from which it is effective,
 * overdelivery tolerance, system status. 1004712 was exploded with revision B, which becomes
 * effective only next week (scenario 2: a confirmation before that is refused); 1004713 is
 * created but not released.
 */
const SEED_ORDER_EXTRAS: Readonly<Record<string, { bomRevision: string; effectiveInDays: number; tolerance: number; status?: string[] }>> = {
  "000001004711": { bomRevision: "A", effectiveInDays: -300, tolerance: 10 },
  "000001004712": { bomRevision: "B", effectiveInDays: 7, tolerance: 0 },
  "000001004713": { bomRevision: "A", effectiveInDays: -300, tolerance: 0, status: ["CRTD"] },
  "000002001001": { bomRevision: "C", effectiveInDays: -60, tolerance: 5 },
  "000004000501": { bomRevision: "01", effectiveInDays: -90, tolerance: 2 },
};

const sloc = (lgort: string, description: string): [string, StorageLocation] => [lgort, { lgort, description }];

export interface SeedOptions {
  /** "Today" of the emulated system: the open MM period is its month (and the previous month). */
  today: Date;
  /** Overrides the open period of every company code. */
  postingPeriod?: PostingPeriod;
}

export function createSeededErp(options: SeedOptions): ErpState {
  const erp = new ErpState();
  const period = options.postingPeriod ?? { year: options.today.getUTCFullYear(), period: options.today.getUTCMonth() + 1 };

  for (const [bukrs, name, currency] of [
    ["1000", "Andon Manufacturing GmbH", "EUR"],
    ["2000", "Andon Manufacturing Inc.", "USD"],
    ["4000", "Andon Manufacturing Sp. z o.o.", "PLN"],
  ] as const) {
    erp.companyCodes.set(bukrs, { bukrs, name, currency, postingPeriod: { ...period } });
  }

  erp.plants.set("1000", {
    werks: "1000",
    name: "Hamburg Assembly",
    companyCode: "1000",
    storageLocations: new Map([sloc("0001", "Raw materials"), sloc("0002", "Production supply"), sloc("0003", "Finished goods")]),
  });
  erp.plants.set("2000", {
    werks: "2000",
    name: "Charlotte Machining",
    companyCode: "2000",
    storageLocations: new Map([sloc("0001", "Raw materials"), sloc("0002", "Shop floor"), sloc("0003", "Finished goods")]),
  });
  erp.plants.set("4000", {
    werks: "4000",
    name: "Wroclaw Process Plant",
    companyCode: "4000",
    storageLocations: new Map([sloc("0001", "Raw materials"), sloc("0002", "Process tanks"), sloc("0003", "Finished goods")]),
  });

  for (const seed of SEED_MATERIALS) {
    erp.materials.set(seed.matnr, {
      matnr: seed.matnr,
      description: seed.description,
      materialType: seed.type,
      materialGroup: seed.group,
      baseUnit: seed.baseUnit,
      deletionFlag: false,
      plants: new Map(
        Object.entries(seed.plants).map(([werks, batchManaged]) => [
          werks,
          { werks, batchManaged, mrpType: "PD", procurementType: seed.type === "FERT" ? "E" : "F", deletionFlag: false },
        ]),
      ),
      units: new Map(Object.entries(seed.units ?? {}).map(([unit, [numerator, denominator]]) => [unit, { numerator, denominator }])),
    });
    for (const werks of seed.qm ?? []) {
      const view = erp.materials.get(seed.matnr)?.plants.get(werks);
      if (view) view.qmInspectionActive = true;
    }
  }

  for (const [material, plant, storageLocation, batch, quantity] of SEED_STOCK) {
    erp.setStock({ material, plant, storageLocation, batch }, toMilli(quantity));
  }

  for (const [material, plant, storageLocation, batch, type, quantity] of SEED_TYPED_STOCK) {
    erp.setStockOf({ material, plant, storageLocation, batch }, type, toMilli(quantity));
  }

  for (const [lot, material, plant, storageLocation, batch, quantity, purchaseOrder, createdOn] of SEED_INSPECTION_LOTS) {
    erp.inspectionLots.set(lot, {
      lot,
      origin: "01",
      material,
      plant,
      storageLocation,
      batch,
      quantity: toMilli(quantity),
      unit: erp.materials.get(material)?.baseUnit ?? "",
      createdOn,
      purchaseOrder,
      characteristics: DEFAULT_INSPECTION_PLAN,
      results: [],
    });
  }

  for (const [number, companyCode, supplier, currency, items] of SEED_PURCHASE_ORDERS) {
    erp.purchaseOrders.set(number, {
      number,
      companyCode,
      supplier,
      currency,
      items: items.map(([item, material, plant, storageLocation, quantity, unit, netPrice, received]) => ({
        item,
        material,
        plant,
        storageLocation,
        quantity: toMilli(quantity),
        unit,
        netPrice: Math.round(netPrice * 100),
        received: toMilli(received),
        invoiced: 0,
      })),
    });
  }

  const day = 24 * 60 * 60 * 1000;
  for (const [aufnr, orderType, plant, material, quantity, unit, basicStart, basicFinish] of SEED_ORDERS) {
    const category: OrderCategory = orderType.startsWith("PI") ? "PI" : orderType.startsWith("PM") ? "PM" : "PP";
    const extras = SEED_ORDER_EXTRAS[aufnr];
    const operations: OrderOperation[] = (SEED_OPERATIONS[aufnr] ?? []).map(([vornr, workCenter, text]) => ({
      vornr,
      workCenter,
      text,
      confirmationGroup: erp.nextConfirmationGroup(),
      confirmedYield: 0,
      confirmedScrap: 0,
    }));
    erp.orders.set(aufnr, {
      aufnr,
      orderType,
      category,
      plant,
      material,
      quantity: toMilli(quantity),
      unit,
      basicStart,
      basicFinish,
      systemStatus: extras?.status ?? ["REL"],
      operations,
      components: [],
      ...(extras && {
        bomRevision: extras.bomRevision,
        bomValidFrom: toSapDate(new Date(options.today.getTime() + extras.effectiveInDays * day)),
        overdeliveryTolerancePercent: extras.tolerance,
      }),
    });
  }

  return erp;
}
