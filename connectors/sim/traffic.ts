/**
 * What a plant's integration traffic looks like: relative volumes per interface, latency as a share
 * of the interface's SLO, and the failure mix of the domain catalog (shared/domain/README.md) for
 * interfaces whose target we do not emulate object by object.
 */
export type System = "SAP_ERP" | "ODOO" | "MES" | "QMS" | "WMS" | "CMMS" | "PLM" | "SUPPLIER_PORTAL" | "PLANNING" | "LIMS";

export type Delivery = "sap-goods-movement" | "sap-spare-parts" | "odoo-production-order" | "odoo-product" | "odoo-maintenance" | "catalog";

export type CatalogFailure = { category: "technical" | "business"; code: string; message: (r: Rng) => string; weight: number };

export type InterfaceTraffic = {
  code: string;
  source: System;
  targets: System[];
  weight: number; // relative message volume
  sloMs: number;
  delivery: Delivery;
  failureRate: number; // for "catalog" deliveries: share of messages that fail
  failures: CatalogFailure[];
};

export type Rng = () => number;

/** Deterministic PRNG (mulberry32), so a seeded run is reproducible. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

export function weighted<T extends { weight: number }>(r: Rng, xs: readonly T[]): T {
  const total = xs.reduce((n, x) => n + x.weight, 0);
  let x = r() * total;
  for (const item of xs) {
    x -= item.weight;
    if (x < 0) return item;
  }
  return xs[xs.length - 1]!;
}

/** Log-normal latency around a share of the SLO; about 3 % of messages breach it. */
export function latencyMs(r: Rng, sloMs: number): number {
  const z = Math.sqrt(-2 * Math.log(r() || 1e-9)) * Math.cos(2 * Math.PI * r());
  return Math.max(5, Math.round(sloMs * 0.15 * Math.exp(0.9 * z)));
}

const s = 1000;
const min = 60 * s;
const h = 60 * min;
const lot = (r: Rng) => `B2026-${int(r, 100, 399)}`;

const TECHNICAL: CatalogFailure[] = [
  { category: "technical", code: "HTTP-503", message: () => "503 Service Unavailable from target", weight: 3 },
  { category: "technical", code: "TIMEOUT", message: (r) => `No answer from target within ${pick(r, [30, 60, 120])} s`, weight: 2 },
  { category: "technical", code: "HTTP-429", message: () => "429 Too Many Requests: rate limited by target", weight: 1 },
];

export const TRAFFIC: InterfaceTraffic[] = [
  { code: "GOODS_MOVEMENT", source: "ODOO", targets: ["SAP_ERP"], weight: 30, sloMs: 60 * s, delivery: "sap-goods-movement", failureRate: 0, failures: [] },
  { code: "SPARE_PARTS_USAGE", source: "ODOO", targets: ["SAP_ERP"], weight: 4, sloMs: 1 * h, delivery: "sap-spare-parts", failureRate: 0, failures: [] },
  { code: "PRODORD_RELEASE", source: "SAP_ERP", targets: ["ODOO"], weight: 8, sloMs: 60 * s, delivery: "odoo-production-order", failureRate: 0, failures: [] },
  { code: "MATERIAL_MASTER", source: "SAP_ERP", targets: ["ODOO"], weight: 5, sloMs: 1 * h, delivery: "odoo-product", failureRate: 0, failures: [] },
  { code: "MAINT_WORK_ORDER", source: "CMMS", targets: ["ODOO"], weight: 4, sloMs: 5 * min, delivery: "odoo-maintenance", failureRate: 0, failures: [] },
  {
    code: "PRODORD_CONFIRM",
    source: "MES",
    targets: ["SAP_ERP"],
    weight: 25,
    sloMs: 120 * s,
    delivery: "catalog",
    failureRate: 0.04,
    failures: [
      {
        category: "business",
        code: "STATUS-UNMAPPED",
        message: (r) => `MES status "${pick(r, ["DONE", "FINISHED", "PARTIAL"])}" is not mapped to an SAP confirmation status (CNF/PCNF)`,
        weight: 3,
      },
      {
        category: "business",
        code: "RU-111",
        message: (r) => `Confirmation quantity ${int(r, 2, 40)} exceeds the open order quantity of operation 00${pick(r, [10, 20, 30])}`,
        weight: 2,
      },
      ...TECHNICAL,
    ],
  },
  {
    code: "QUALITY_HOLD",
    source: "QMS",
    targets: ["SAP_ERP", "ODOO"],
    weight: 2,
    sloMs: 30 * s,
    delivery: "catalog",
    failureRate: 0.06,
    failures: [
      { category: "business", code: "QM-LOT-UNKNOWN", message: (r) => `Lot ${lot(r)} unknown to ERP`, weight: 3 },
      { category: "business", code: "M7-BATCH-BLOCKED", message: (r) => `Batch ${lot(r)} is already blocked`, weight: 1 },
      ...TECHNICAL,
    ],
  },
  {
    code: "INSPECTION_RESULT",
    source: "QMS",
    targets: ["SAP_ERP"],
    weight: 8,
    sloMs: 5 * min,
    delivery: "catalog",
    failureRate: 0.05,
    failures: [
      {
        category: "business",
        code: "QA-UD-MISSING",
        message: (r) => `Inspection characteristic 00${pick(r, [10, 20, 30])} out of specification without usage decision (lot 0100000${int(r, 4000, 4999)})`,
        weight: 3,
      },
      { category: "business", code: "QA-LOT-UNKNOWN", message: (r) => `Inspection lot 0100000${int(r, 4000, 4999)} does not exist`, weight: 1 },
      ...TECHNICAL,
    ],
  },
  {
    code: "BOM_RELEASE",
    source: "PLM",
    targets: ["ODOO"],
    weight: 2,
    sloMs: 4 * h,
    delivery: "catalog",
    failureRate: 0.08,
    failures: [
      { category: "business", code: "odoo.exceptions.ValidationError", message: () => "The quantity of a BoM line must be positive!", weight: 2 },
      {
        category: "business",
        code: "odoo.exceptions.UserError",
        message: (r) => `Component [RM-${int(r, 1000, 9999)}] has no unit of measure mapping for "EA"`,
        weight: 2,
      },
      ...TECHNICAL,
    ],
  },
  {
    code: "SUPPLIER_ASN",
    source: "SUPPLIER_PORTAL",
    targets: ["ODOO"],
    weight: 6,
    sloMs: 15 * min,
    delivery: "catalog",
    failureRate: 0.05,
    failures: [
      {
        category: "business",
        code: "odoo.exceptions.MissingError",
        message: () => "Record does not exist or has been deleted. (Record: purchase.order.line, User: 2)",
        weight: 2,
      },
      { category: "business", code: "ASN-UOM-UNMAPPED", message: (r) => `Unit of measure "${pick(r, ["KGM", "PCE", "MTR"])}" not mapped`, weight: 2 },
      ...TECHNICAL,
    ],
  },
  {
    code: "FORECAST_IMPORT",
    source: "PLANNING",
    targets: ["ODOO"],
    weight: 1,
    sloMs: 24 * h,
    delivery: "catalog",
    failureRate: 0.05,
    failures: [
      { category: "business", code: "FC-UOM-UNMAPPED", message: () => `Unit of measure "KGM" not mapped for forecast version`, weight: 1 },
      ...TECHNICAL,
    ],
  },
  {
    code: "INVOICE_POSTING",
    source: "ODOO",
    targets: ["SAP_ERP"],
    weight: 5,
    sloMs: 1 * h,
    delivery: "catalog",
    failureRate: 0.04,
    failures: [
      {
        category: "business",
        code: "F5-201",
        message: (r) => `Posting period ${pick(r, ["2026/09", "2026/10"])} is not open for company code 1000`,
        weight: 2,
      },
      { category: "business", code: "F5-702", message: (r) => `Balance in transaction currency: ${int(r, 1, 99)}.00 EUR (tax code V1)`, weight: 1 },
      ...TECHNICAL,
    ],
  },
];

/** SAP plant numbers of the demo plants (Monterrey runs Odoo as its ERP). */
export const SAP_PLANT: Record<string, string> = { "DE-HAM": "1000", "US-CLT": "2000", "PL-WRO": "4000" };

/** Shift changes (plant local time): traffic triples for the first ten minutes. */
export function shiftFactor(timeZone: string, at = new Date()): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === "hour")?.value);
  const minute = Number(parts.find((p) => p.type === "minute")?.value);
  return [6, 14, 22].includes(hour) && minute < 10 ? 3 : 1;
}
