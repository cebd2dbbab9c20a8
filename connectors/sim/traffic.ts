import { INTERFACES } from "../../prisma/seed";

/**
 * What a plant's integration traffic looks like: relative volumes per interface and latency as a
 * share of the interface's SLO. Which systems an interface connects comes from the catalog
 * (prisma/seed.ts INTERFACES), so the simulator follows catalog changes; what a message contains
 * and whether it is accepted is decided by the emulated systems themselves (flows.ts).
 */
export type System = "SAP_ERP" | "ODOO" | "MES" | "QMS" | "WMS" | "CMMS" | "PLM" | "SUPPLIER_PORTAL" | "PLANNING" | "LIMS";

export type InterfaceTraffic = {
  code: string;
  source: System;
  targets: System[];
  weight: number; // relative message volume
  sloMs: number;
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

/** Relative message volumes (messages, not events) per interface. */
const WEIGHTS: Readonly<Record<string, number>> = {
  GOODS_MOVEMENT: 30,
  PRODORD_CONFIRM: 25,
  PRODORD_RELEASE: 8,
  INSPECTION_RESULT: 8,
  SUPPLIER_ASN: 6,
  MATERIAL_MASTER: 5,
  INVOICE_POSTING: 5,
  SPARE_PARTS_USAGE: 4,
  MAINT_WORK_ORDER: 4,
  QUALITY_HOLD: 2,
  BOM_RELEASE: 2,
  FORECAST_IMPORT: 1,
};

/** The catalog's interfaces with their volumes; source and targets as the catalog says. */
export const TRAFFIC: InterfaceTraffic[] = INTERFACES.map((i) => ({
  code: i.code,
  source: i.sourceSystem as System,
  targets: i.targetSystems as System[],
  weight: WEIGHTS[i.code] ?? 2,
  sloMs: i.latencySloMs,
}));

/** SAP plant numbers of the demo plants (Monterrey runs Odoo as its ERP). */
export const SAP_PLANT: Record<string, string> = { "DE-HAM": "1000", "US-CLT": "2000", "PL-WRO": "4000" };

/** Shift changes (plant local time): traffic triples for the first ten minutes. */
export function shiftFactor(timeZone: string, at = new Date()): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === "hour")?.value);
  const minute = Number(parts.find((p) => p.type === "minute")?.value);
  return [6, 14, 22].includes(hour) && minute < 10 ? 3 : 1;
}
