/**
 * Idempotent seed (find-or-create: existing rows are left as they are, so an admin's edits survive
 * restarts). Reference data: the demo plants, their systems (one connector each) and the interface
 * catalog. Demo users: one per role plus single-plant ones — demo only, disabled with ANDON_DEMO=false
 * (as is the demo connectors' permission to push replays to the simulator's private addresses).
 * Also the test factories' source of truth: tests import DEMO_USERS / PLANTS from here.
 */
import type { Criticality, Role, SyncMode, SystemKind } from "../server/db/generated/enums";
import type { PrismaClient } from "../server/db/generated/client";
import { hashPassword } from "../server/auth/password";
import { payloadSchemaFor } from "../server/corrections/payload-schemas";
import { seedDefaultRules } from "../server/alerts/rules";

type PlantSeed = { code: string; name: string; timezone: string; systems: [SystemKind, string][]; interfaces: string[] };

export const PLANTS: PlantSeed[] = [
  {
    code: "DE-HAM",
    name: "Hamburg Assembly",
    timezone: "Europe/Berlin",
    systems: [["SAP_ERP", "SAP ERP (finance, MM)"], ["ODOO", "Odoo (maintenance, warehouse)"], ["MES", "MES"], ["QMS", "QMS"]],
    interfaces: ["PRODORD_RELEASE", "PRODORD_CONFIRM", "GOODS_MOVEMENT", "QUALITY_HOLD", "INSPECTION_RESULT", "MATERIAL_MASTER", "SPARE_PARTS_USAGE"],
  },
  {
    code: "US-CLT",
    name: "Charlotte Machining",
    timezone: "America/New_York",
    systems: [["SAP_ERP", "SAP ERP"], ["ODOO", "Odoo (inventory, subcontracting)"], ["CMMS", "CMMS"]],
    interfaces: ["PRODORD_RELEASE", "GOODS_MOVEMENT", "MATERIAL_MASTER", "MAINT_WORK_ORDER", "SPARE_PARTS_USAGE", "INVOICE_POSTING"],
  },
  {
    code: "MX-MTY",
    name: "Monterrey Components",
    timezone: "America/Monterrey",
    systems: [["ODOO", "Odoo ERP (MRP, stock)"], ["MES", "MES"], ["WMS", "WMS"], ["SUPPLIER_PORTAL", "Supplier portal"]],
    interfaces: ["SUPPLIER_ASN", "BOM_RELEASE", "FORECAST_IMPORT"],
  },
  {
    code: "PL-WRO",
    name: "Wroclaw Process Plant",
    timezone: "Europe/Warsaw",
    systems: [["SAP_ERP", "SAP ERP"], ["ODOO", "Odoo (quality workflows)"], ["LIMS", "LIMS/QMS"], ["PLANNING", "Planning engine"]],
    interfaces: ["PRODORD_RELEASE", "GOODS_MOVEMENT", "QUALITY_HOLD", "INSPECTION_RESULT", "FORECAST_IMPORT", "INVOICE_POSTING"],
  },
];

type InterfaceSeed = {
  code: string;
  name: string;
  sourceSystem: SystemKind;
  targetSystems: SystemKind[];
  businessObject: string;
  syncMode: SyncMode;
  latencySloMs: number;
  criticality: Criticality;
  requiresApproval: boolean;
};

const s = 1000;
const min = 60 * s;
const h = 60 * min;

export const INTERFACES: InterfaceSeed[] = [
  { code: "PRODORD_RELEASE", name: "Production order release", sourceSystem: "SAP_ERP", targetSystems: ["ODOO"], businessObject: "Production order (IDoc LOIPRO01 → mrp.production)", syncMode: "REAL_TIME", latencySloMs: 60 * s, criticality: "CRITICAL", requiresApproval: false },
  { code: "PRODORD_CONFIRM", name: "Operation confirmation", sourceSystem: "MES", targetSystems: ["SAP_ERP"], businessObject: "Operation confirmation (quantity, scrap, activity)", syncMode: "NEAR_REAL_TIME", latencySloMs: 120 * s, criticality: "HIGH", requiresApproval: false },
  { code: "GOODS_MOVEMENT", name: "Goods movement", sourceSystem: "ODOO", targetSystems: ["SAP_ERP"], businessObject: "Goods movement (MBGMCR: 101 receipt, 261 issue, 311 transfer)", syncMode: "REAL_TIME", latencySloMs: 60 * s, criticality: "HIGH", requiresApproval: true },
  { code: "QUALITY_HOLD", name: "Quality hold", sourceSystem: "QMS", targetSystems: ["SAP_ERP", "ODOO"], businessObject: "Block / release batch", syncMode: "REAL_TIME", latencySloMs: 30 * s, criticality: "CRITICAL", requiresApproval: false },
  { code: "INSPECTION_RESULT", name: "Inspection result", sourceSystem: "QMS", targetSystems: ["SAP_ERP"], businessObject: "Inspection lot results, usage decision", syncMode: "NEAR_REAL_TIME", latencySloMs: 5 * min, criticality: "HIGH", requiresApproval: false },
  { code: "MATERIAL_MASTER", name: "Material master", sourceSystem: "SAP_ERP", targetSystems: ["ODOO"], businessObject: "MATMAS05 → product.product", syncMode: "BATCH", latencySloMs: 1 * h, criticality: "MEDIUM", requiresApproval: false },
  { code: "BOM_RELEASE", name: "BOM release", sourceSystem: "PLM", targetSystems: ["ODOO"], businessObject: "Approved BOM revision → mrp.bom (effectivity date)", syncMode: "BATCH", latencySloMs: 4 * h, criticality: "MEDIUM", requiresApproval: true },
  { code: "MAINT_WORK_ORDER", name: "Maintenance work order", sourceSystem: "CMMS", targetSystems: ["ODOO"], businessObject: "maintenance.request, status", syncMode: "NEAR_REAL_TIME", latencySloMs: 5 * min, criticality: "MEDIUM", requiresApproval: false },
  { code: "SPARE_PARTS_USAGE", name: "Spare parts usage", sourceSystem: "ODOO", targetSystems: ["SAP_ERP"], businessObject: "Spare part consumption (261 against maintenance order)", syncMode: "BATCH", latencySloMs: 1 * h, criticality: "MEDIUM", requiresApproval: true },
  { code: "SUPPLIER_ASN", name: "Supplier ASN", sourceSystem: "SUPPLIER_PORTAL", targetSystems: ["ODOO"], businessObject: "ASN → incoming stock.picking", syncMode: "NEAR_REAL_TIME", latencySloMs: 15 * min, criticality: "MEDIUM", requiresApproval: false },
  { code: "FORECAST_IMPORT", name: "Forecast import", sourceSystem: "PLANNING", targetSystems: ["ODOO"], businessObject: "Forecast version → replenishment", syncMode: "BATCH", latencySloMs: 24 * h, criticality: "LOW", requiresApproval: false },
  { code: "INVOICE_POSTING", name: "Invoice posting", sourceSystem: "ODOO", targetSystems: ["SAP_ERP"], businessObject: "Vendor invoice / journal entry (SAP FI)", syncMode: "BATCH", latencySloMs: 1 * h, criticality: "HIGH", requiresApproval: true },
];

export const SYSTEM_LABELS: Record<SystemKind, string> = {
  SAP_ERP: "SAP ERP", ODOO: "Odoo", MES: "MES", QMS: "QMS", WMS: "WMS", CMMS: "CMMS", PLM: "PLM",
  SUPPLIER_PORTAL: "Supplier portal", PLANNING: "Planning", LIMS: "LIMS",
};

/** Demo only: printed by `npm start` and listed in the README. */
export const DEMO_PASSWORD = "andon-demo";
export type DemoUser = { email: string; name: string; role: Role; plants: string[] | "all" };
export const DEMO_USERS: DemoUser[] = [
  { email: "admin@andon.local", name: "Ada Admin", role: "ADMIN", plants: "all" },
  { email: "auditor@andon.local", name: "Otto Auditor", role: "AUDITOR", plants: "all" },
  { email: "manager@andon.local", name: "Maren Manager", role: "VIEWER", plants: ["DE-HAM", "PL-WRO"] },
  { email: "manager.mty@andon.local", name: "Mateo Manager", role: "VIEWER", plants: ["MX-MTY"] },
  { email: "operator@andon.local", name: "Oskar Operator", role: "OPERATOR", plants: ["DE-HAM", "US-CLT", "MX-MTY", "PL-WRO"] },
  { email: "operator.wro@andon.local", name: "Olga Operator", role: "OPERATOR", plants: ["PL-WRO"] },
  { email: "approver@andon.local", name: "Anna Approver", role: "APPROVER", plants: ["DE-HAM", "US-CLT", "MX-MTY", "PL-WRO"] },
];

export async function seedReference(prisma: PrismaClient): Promise<void> {
  const interfaceIds = new Map<string, string>();
  for (const i of INTERFACES) {
    const row = await prisma.interface.upsert({ where: { code: i.code }, create: i, update: {}, select: { id: true } });
    interfaceIds.set(i.code, row.id);
    await prisma.interfaceSchema.upsert({
      where: { interfaceId_version: { interfaceId: row.id, version: 1 } },
      create: { interfaceId: row.id, version: 1, schema: payloadSchemaFor(i.code) },
      update: {},
    });
  }
  for (const p of PLANTS) {
    const plant = await prisma.plant.upsert({
      where: { code: p.code },
      create: { code: p.code, name: p.name, timezone: p.timezone },
      update: {},
      select: { id: true },
    });
    for (const [kind, description] of p.systems) {
      const system = await prisma.plantSystem.upsert({
        where: { plantId_kind: { plantId: plant.id, kind } },
        create: { plantId: plant.id, kind, description },
        update: {},
        select: { id: true },
      });
      await prisma.connector.upsert({
        where: { systemId: system.id },
        create: { plantId: plant.id, systemId: system.id, name: `${p.code} ${SYSTEM_LABELS[kind]} connector` },
        update: {},
      });
    }
    for (const code of p.interfaces) {
      const interfaceId = interfaceIds.get(code);
      if (!interfaceId) throw new Error(`seed: plant ${p.code} lists unknown interface ${code}`);
      await prisma.plantInterface.upsert({
        where: { plantId_interfaceId: { plantId: plant.id, interfaceId } },
        create: { plantId: plant.id, interfaceId },
        update: {},
      });
    }
  }
  // The default alert rules, per interface criticality (only while no rule exists: an admin's rules stay).
  await seedDefaultRules(prisma);
}

/**
 * Demo only (called with the demo users): the demo plants' connectors may push replays to private
 * addresses, as an administrator allows for a connector inside a plant network — the simulator's
 * connectors listen on 127.0.0.1. Set again at every demo start; production never runs this.
 */
async function allowDemoReplayEndpoints(prisma: PrismaClient): Promise<void> {
  await prisma.connector.updateMany({ where: { plant: { code: { in: PLANTS.map((p) => p.code) } }, replayAllowPrivate: false }, data: { replayAllowPrivate: true } });
}

export async function seedDemoUsers(prisma: PrismaClient): Promise<void> {
  await allowDemoReplayEndpoints(prisma);
  const plants = await prisma.plant.findMany({ select: { id: true, code: true } });
  const plantId = new Map(plants.map((p) => [p.code, p.id]));
  for (const u of DEMO_USERS) {
    const existing = await prisma.user.findUnique({ where: { email: u.email }, select: { id: true } });
    if (existing) continue;
    const scope = u.plants === "all" ? [] : u.plants.map((code) => {
      const id = plantId.get(code);
      if (!id) throw new Error(`seed: demo user ${u.email} lists unknown plant ${code}`);
      return { plantId: id };
    });
    await prisma.user.create({
      data: {
        email: u.email,
        name: u.name,
        role: u.role,
        passwordHash: await hashPassword(DEMO_PASSWORD),
        plants: { create: scope },
      },
    });
  }
}
