import { randomBytes } from "node:crypto";
import { type CmmsEmulator, startCmmsEmulator } from "../cmms/emulator";
import { type EdiEmulator, startEdiEmulator } from "../edi";
import { type MesEmulator, startMesEmulator } from "../mes";
import { OdooClient } from "../odoo/client";
import { type OdooEmulator, startOdooEmulator } from "../odoo/emulator";
import { type PlanningEmulator, startPlanningEmulator } from "../planning/emulator";
import { createPlmClient, type PlmEmulator, startPlmEmulator } from "../plm";
import { type QmsEmulator, startQmsEmulator } from "../qms/emulator";
import { type SapEmulator, startSapEmulator } from "../sap";
import { type WmsEmulator, startWmsEmulator } from "../wms/emulator";
import type { System } from "./traffic";

/**
 * The plant landscape: one emulator per kind of plant system (SAP, Odoo, MES, PLM, QMS/LIMS, WMS,
 * CMMS, supplier portal, planning), started once and shared by the plants that run the system (SAP
 * serves plants 1000/2000/4000, Odoo is one database). `alignMasterData` is the initial load a
 * project does before go-live: the numbers one system has are created in the others (products,
 * lots, partners, purchase orders, work centres, parts), through each system's API where it has one.
 */
export type Landscape = {
  sap: SapEmulator;
  odoo: OdooEmulator;
  odooClient: OdooClient;
  mes: MesEmulator;
  plm: PlmEmulator;
  qms: QmsEmulator;
  wms: WmsEmulator;
  cmms: CmmsEmulator;
  edi: EdiEmulator;
  planning: PlanningEmulator;
  /** Odoo ids of the aligned master data. */
  odooIds: OdooIds;
  /** Per system: inject a fault into its emulator (the next request(s) it serves). */
  faults: Record<FaultySystem, SystemFaults>;
  /** How many writes with this idempotency key (or one derived from it) the system applied. */
  applied(system: System, key: string): number;
  close(): Promise<void>;
};

export type FaultySystem = "SAP_ERP" | "ODOO" | "MES" | "PLM" | "QMS" | "WMS" | "CMMS" | "SUPPLIER_PORTAL" | "PLANNING";

export type SystemFaults = {
  /** The next `count` requests answer 503. */
  unavailable(count: number): void;
  /** The next request is answered `ms` late; "before": processed after the wait even if the client gave up. */
  hang(ms: number, phase: "before" | "after"): void;
  /** The next request is processed and applied, then its connection is dropped: the answer is lost. */
  lostAnswer(): void;
  clear(): void;
};

export type OdooIds = {
  products: Map<string, number>;
  uoms: Map<string, number>;
  partners: Map<string, number>;
  lots: Map<string, number>;
};

/** Odoo units by the ERP unit code (uom.uom names of the Odoo emulator). */
export const ODOO_UOM_NAME: Readonly<Record<string, string>> = { PC: "Units", KG: "kg", M: "m", L: "L" };

/** Materials SAP has and Odoo gets in the initial load: [code, name, unit, manufactured]. */
const ODOO_PRODUCTS: readonly (readonly [string, string, string, boolean])[] = [
  ["RM-1001", "Aluminium bar EN AW-6060 D40", "M", false],
  ["FG-3100", "Machined housing 3100", "PC", true],
  ["RM-7020", "Isopropyl alcohol 99.9%", "L", false],
  ["CH-5500", "Polymer compound PX-5", "KG", true],
  ["RM-2040", "Adhesive primer P-40, 10 kg can", "KG", false],
];

/** Batches SAP has that Odoo gets as stock.lot: [material, batch]. */
const ODOO_LOTS: readonly (readonly [string, string])[] = [
  ["RM-7020", "B2026-201"],
  ["CH-5500", "B2026-310"],
  ["RM-2040", "B2026-288"],
  ["RM-2040", "B2026-301"],
  ["RM-2040", "B2026-215"],
  ["RM-0815", "B2026-077"],
];

/** SAP's suppliers of the invoiced purchase orders, as Odoo partners (ref = SAP supplier number). */
const ODOO_PARTNERS: readonly (readonly [string, string])[] = [
  ["200410", "Carolina Bar Stock Inc."],
  ["300150", "Chemia Dolny Slask Sp. z o.o."],
];

/** Purchase orders of Monterrey (Odoo is its ERP), replicated to the WMS and the supplier portal. */
export const MTY_PURCHASE_ORDERS: readonly {
  po: string;
  supplier: string;
  supplierName: string;
  ediId: string;
  syntax: "X12" | "EDIFACT";
  lines: readonly { line: string; material: string; unit: string; quantity: number }[];
}[] = [
  {
    po: "4500017101",
    supplier: "V-1022",
    supplierName: "Fundicion del Norte S.A. de C.V.",
    ediId: "FDNMTY01",
    syntax: "X12",
    lines: [
      { line: "10", material: "RM-6204", unit: "PC", quantity: 900_000_000 },
      { line: "20", material: "SP-SEAL-35", unit: "PC", quantity: 900_000_000 },
      { line: "30", material: "PK-0100", unit: "PC", quantity: 900_000_000 },
    ],
  },
  {
    po: "4500017102",
    supplier: "100234",
    supplierName: "Nordwerk Lagertechnik GmbH",
    ediId: "4045678000019",
    syntax: "EDIFACT",
    lines: [{ line: "10", material: "RM-0815", unit: "KG", quantity: 900_000_000 }],
  },
];

/** PLM parts of Monterrey's products; RM-6205 is a PLM-only part (Odoo has no product for it yet). */
const PLM_PARTS: readonly { number: string; description: string; unit: string; type: "assembly" | "component" }[] = [
  { number: "DS-40", description: "Drive Shaft DS-40", unit: "PC", type: "assembly" },
  { number: "RM-6204", description: "Deep Groove Ball Bearing 6204-2RS", unit: "PC", type: "component" },
  { number: "SP-SEAL-35", description: "Shaft Seal 35x52x7", unit: "PC", type: "component" },
  { number: "RM-6205", description: "Deep Groove Ball Bearing 6205-2RS", unit: "PC", type: "component" },
];

/** The QMS's inspection plan of RM-2040, with SAP's characteristics (0010 VISCOSITY, 0020 PH, 0030 APPEARANCE). */
const RM_2040_PLAN = [
  { characteristic: "0010", description: "Viscosity at 25 °C", unit: "mPas", lowerLimit: 1000, upperLimit: 1400 },
  { characteristic: "0020", description: "pH value", unit: "pH", lowerLimit: 6.5, upperLimit: 7.5 },
  { characteristic: "0030", description: "Appearance (visual score)", unit: "pt", lowerLimit: 3, upperLimit: 5 },
];

export async function startLandscape(opts: { timeoutMs?: number } = {}): Promise<Landscape> {
  const apiKey = randomBytes(16).toString("hex");
  const [sap, odoo, mes, plm, qms, wms, cmms, edi, planning] = await Promise.all([
    startSapEmulator({ port: 0 }),
    startOdooEmulator({ port: 0, apiKey, onInternalError: () => undefined }),
    startMesEmulator({ port: 0 }),
    startPlmEmulator({ port: 0 }),
    startQmsEmulator({ port: 0 }),
    startWmsEmulator({ port: 0 }),
    startCmmsEmulator({ port: 0 }),
    startEdiEmulator({ port: 0 }),
    startPlanningEmulator({ port: 0 }),
  ]);
  // Odoo 19: the JSON-2 API with an API key.
  const odooClient = new OdooClient({ url: odoo.url, db: odoo.db, apiKey, version: "19", timeoutMs: opts.timeoutMs ?? 15_000 });
  const rest = (f: {
    unavailable(count?: number, retryAfterSeconds?: number): void;
    hang(ms: number, o?: { phase?: "before" | "after" }): void;
    dropConnection(o?: { phase?: "before" | "after" }): void;
    clear(): void;
  }): SystemFaults => ({
    unavailable: (count) => f.unavailable(count, 30),
    hang: (ms, phase) => f.hang(ms, { phase }),
    lostAnswer: () => f.dropConnection({ phase: "after" }),
    clear: () => f.clear(),
  });
  const faults: Record<FaultySystem, SystemFaults> = {
    SAP_ERP: {
      unavailable: (count) => sap.faults.unavailable(count, 30),
      hang: (ms, phase) => sap.faults.hang(ms, { phase }),
      lostAnswer: () => sap.faults.dropConnection({ phase: "after" }),
      clear: () => sap.faults.clear(),
    },
    ODOO: {
      unavailable: (count) => odoo.faults.unavailable({ times: count, retryAfterSeconds: 30 }),
      hang: (ms, phase) => odoo.faults.hang(ms, { times: 1, phase }),
      lostAnswer: () => odoo.faults.dropAfterApplying(1),
      clear: () => odoo.faults.clear(),
    },
    MES: rest(mes.faults),
    PLM: rest(plm.faults),
    QMS: rest(qms.faults),
    WMS: rest(wms.faults),
    CMMS: rest(cmms.faults),
    SUPPLIER_PORTAL: rest(edi.faults),
    PLANNING: rest(planning.faults),
  };

  const derived = (key: string) => [key, `${key}:confirm`, `${key}:supersede`, `${key}/ud`, `${key}:application`];
  const landscape: Landscape = {
    sap,
    odoo,
    odooClient,
    mes,
    plm,
    qms,
    wms,
    cmms,
    edi,
    planning,
    odooIds: { products: new Map(), uoms: new Map(), partners: new Map(), lots: new Map() },
    faults,
    applied(system, key) {
      switch (system) {
        case "SAP_ERP":
          return derived(key).reduce((n, k) => n + sap.applications(k), 0);
        case "ODOO":
          return (
            derived(key).reduce((n, k) => n + odoo.idempotency.applied(k), 0) +
            odoo.idempotency
              .keys()
              .filter((k) => k.startsWith(`${key}:`))
              .reduce((n, k) => n + odoo.idempotency.applied(k), 0)
          );
        case "MES":
          return mes.applications(key);
        case "WMS":
          return wms.applications(key);
        case "CMMS":
          return cmms.applications(key);
        default:
          return 0;
      }
    },
    async close() {
      await Promise.all([sap, odoo, mes, plm, qms, wms, cmms, edi, planning].map((e) => e.close().catch(() => undefined)));
    },
  };
  try {
    await alignMasterData(landscape);
  } catch (error) {
    await landscape.close();
    throw error;
  }
  return landscape;
}

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
}

/** The initial load: the same numbers in every system of a plant. */
async function alignMasterData(l: Landscape): Promise<void> {
  const odoo = l.odooClient;
  const ids = l.odooIds;
  for (const row of await odoo.searchRead("uom.uom", [], { fields: ["name"] })) ids.uoms.set(String(row.name), row.id);
  const uom = (code: string) => ids.uoms.get(ODOO_UOM_NAME[code] ?? "Units") ?? 1;

  // Odoo: products, lots and partners SAP has.
  const existing = await odoo.searchRead("product.product", [], { fields: ["default_code"] });
  for (const row of existing) if (typeof row.default_code === "string") ids.products.set(row.default_code, row.id);
  for (const [code, name, unit] of ODOO_PRODUCTS) {
    if (ids.products.has(code)) continue;
    ids.products.set(code, await odoo.create("product.product", { name, default_code: code, uom_id: uom(unit), type: "product" }));
  }
  for (const row of await odoo.searchRead("stock.lot", [], { fields: ["name", "product_id"] })) {
    const productId = Array.isArray(row.product_id) ? row.product_id[0] : row.product_id;
    const code = [...ids.products].find(([, id]) => id === productId)?.[0];
    if (code) ids.lots.set(`${code}|${row.name}`, row.id);
  }
  for (const [material, lot] of ODOO_LOTS) await ensureOdooLot(l, material, lot);
  for (const [ref, name] of ODOO_PARTNERS) ids.partners.set(ref, await odoo.create("res.partner", { name, ref, is_company: true }));
  for (const row of await odoo.searchRead("res.partner", [["ref", "!=", false]], { fields: ["ref"] })) ids.partners.set(String(row.ref), row.id);

  // Odoo: BOM revision A of the manufactured products of Charlotte and Wroclaw (PLM's FG-3100/A).
  const bom = (product: string, unit: string, lines: [string, number, string][]) =>
    odoo.create("mrp.bom", {
      product_id: ids.products.get(product)!,
      code: "A",
      version: 1,
      type: "normal",
      product_qty: 1,
      product_uom_id: uom(unit),
      x_effective_from: "2026-01-01",
      bom_line_ids: lines.map(([m, qty, u], i) => [
        0,
        0,
        { product_id: ids.products.get(m)!, product_qty: qty, product_uom_id: uom(u), sequence: (i + 1) * 10 },
      ]),
    });
  await bom("FG-3100", "PC", [["RM-1001", 0.5, "M"]]);
  await bom("CH-5500", "KG", [
    ["RM-7020", 0.4, "L"],
    ["RM-0815", 0.2, "KG"],
  ]);

  // Monterrey's purchase orders: in Odoo (its ERP), the WMS (receiving) and the supplier portal.
  for (const po of MTY_PURCHASE_ORDERS) {
    const partnerId = ids.partners.get(po.supplier);
    if (partnerId === undefined) throw new Error(`Odoo has no partner with ref ${po.supplier}`);
    await odoo.create("purchase.order", {
      name: po.po,
      partner_id: partnerId,
      state: "purchase",
      order_line: po.lines.map((line) => [
        0,
        0,
        {
          sequence: Number(line.line),
          name: line.material,
          product_id: ids.products.get(line.material)!,
          product_qty: line.quantity,
          product_uom: uom(line.unit),
          price_unit: 1,
          date_planned: "2026-12-31 08:00:00",
        },
      ]),
    });
    await postJson(`${l.wms.url}/wms/_emulator/purchase-orders`, {
      purchaseOrder: po.po,
      supplier: po.supplier,
      warehouse: "MTY",
      lines: po.lines.map((line) => ({ poLine: line.line, material: line.material, quantity: line.quantity, unit: line.unit })),
    });
    await postJson(`${l.edi.url}/portal/suppliers`, { supplier: po.supplier, name: po.supplierName, ediId: po.ediId, syntax: po.syntax });
    await postJson(`${l.edi.url}/portal/purchase-orders`, {
      poNumber: po.po,
      supplier: po.supplier,
      plant: "MTY1",
      lines: po.lines.map((line) => ({ line: line.line, material: line.material, quantity: line.quantity, unit: line.unit })),
    });
  }

  // MES: SAP's work centres of Hamburg's routings in its equipment model.
  for (const wc of ["CUT-01", "WELD-02"]) l.mes.addWorkCentre("1000", wc, "Europe/Berlin");

  // PLM: the parts of Monterrey's products.
  const plm = createPlmClient(l.plm.url);
  for (const part of PLM_PARTS) await plm.createPart(part);

  // QMS: RM-2040 (QM-managed in SAP plants 1000 and 4000) with SAP's inspection characteristics.
  // The QMS API has no endpoint for materials and plans: set in its state (reported as a gap).
  l.qms.state.materials.set("RM-2040", {
    material: "RM-2040",
    description: "Adhesive primer P-40, 10 kg can",
    baseUnit: "KG",
    plants: ["1000", "4000"],
    plan: RM_2040_PLAN,
  });
}

/** A stock.lot in Odoo for a batch (created when Odoo does not know it yet). */
export async function ensureOdooLot(l: Landscape, material: string, lot: string): Promise<number> {
  const key = `${material}|${lot}`;
  const known = l.odooIds.lots.get(key);
  if (known !== undefined) return known;
  const productId = l.odooIds.products.get(material);
  if (productId === undefined) throw new Error(`Odoo has no product ${material}`);
  const id = await l.odooClient.create("stock.lot", { name: lot, product_id: productId });
  l.odooIds.lots.set(key, id);
  return id;
}
