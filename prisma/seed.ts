/**
 * Idempotent seed (find-or-create: existing rows are left as they are, so an admin's edits survive
 * restarts; what is created is audited in the same transaction, attributed to "andon boot"). Reference data: the demo plants, their systems (one connector each) and the interface
 * catalog. Demo users: one per role plus single-plant ones — demo only, disabled with ANDON_DEMO=false
 * (as is the demo connectors' permission to push replays to the simulator's private addresses).
 * Also the test factories' source of truth: tests import DEMO_USERS / PLANTS from here.
 */
import fastJsonPatch from "fast-json-patch";
import type { BusinessProcess, Criticality, Role, SyncMode, SystemKind } from "../server/db/generated/enums";
import type { PrismaClient } from "../server/db/generated/client";
import { type AppendInput, type AuditEventType, appendMany } from "../server/audit";
import { hashPassword } from "../server/auth/password";
import { payloadHash } from "../server/corrections/rules";
import { SYSTEM_LABELS } from "../lib/labels";
import { payloadSchemaFor } from "../server/corrections/payload-schemas";
import { seedDefaultRules } from "../server/alerts/rules";
import { seedDemoOwners, seedFlow } from "./seed-flow";
import { seedDependencies } from "./seed-deps";

type PlantSeed = { code: string; name: string; timezone: string; systems: [SystemKind, string][]; interfaces: string[] };

export const PLANTS: PlantSeed[] = [
  {
    code: "DE-HAM",
    name: "Hamburg Assembly",
    timezone: "Europe/Berlin",
    systems: [
      ["SAP_ERP", "SAP ERP (finance, MM)"],
      ["ODOO", "Odoo (maintenance, warehouse)"],
      ["MES", "MES"],
      ["QMS", "QMS"],
    ],
    interfaces: ["PRODORD_RELEASE", "PRODORD_CONFIRM", "GOODS_MOVEMENT", "QUALITY_HOLD", "INSPECTION_RESULT", "MATERIAL_MASTER", "SPARE_PARTS_USAGE"],
  },
  {
    code: "US-CLT",
    name: "Charlotte Machining",
    timezone: "America/New_York",
    systems: [
      ["SAP_ERP", "SAP ERP"],
      ["ODOO", "Odoo (inventory, subcontracting)"],
      ["CMMS", "CMMS"],
    ],
    interfaces: ["PRODORD_RELEASE", "GOODS_MOVEMENT", "MATERIAL_MASTER", "MAINT_WORK_ORDER", "SPARE_PARTS_USAGE", "INVOICE_POSTING"],
  },
  {
    code: "MX-MTY",
    name: "Monterrey Components",
    timezone: "America/Monterrey",
    systems: [
      ["ODOO", "Odoo ERP (MRP, stock)"],
      ["MES", "MES"],
      ["WMS", "WMS"],
      ["SUPPLIER_PORTAL", "Supplier portal"],
      ["PLM", "PLM (engineering changes, BOM revisions)"],
      ["PLANNING", "Planning engine (demand forecast)"],
    ],
    interfaces: ["SUPPLIER_ASN", "BOM_RELEASE", "FORECAST_IMPORT"],
  },
  {
    code: "PL-WRO",
    name: "Wroclaw Process Plant",
    timezone: "Europe/Warsaw",
    systems: [
      ["SAP_ERP", "SAP ERP"],
      ["ODOO", "Odoo (quality workflows)"],
      ["LIMS", "LIMS/QMS"],
      ["PLANNING", "Planning engine"],
    ],
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
  /** The business process (the plant manager's process view); order to production when not given. */
  process?: BusinessProcess;
};

const s = 1000;
const min = 60 * s;
const h = 60 * min;

export const INTERFACES: InterfaceSeed[] = [
  {
    code: "PRODORD_RELEASE",
    name: "Production order release",
    sourceSystem: "SAP_ERP",
    targetSystems: ["ODOO", "MES"],
    businessObject: "Production order (IDoc LOIPRO01 → mrp.production; B2MML production schedule → MES)",
    syncMode: "REAL_TIME",
    latencySloMs: 60 * s,
    criticality: "CRITICAL",
    requiresApproval: false,
  },
  {
    code: "PRODORD_CONFIRM",
    name: "Operation confirmation",
    sourceSystem: "MES",
    targetSystems: ["SAP_ERP"],
    businessObject: "Operation confirmation (quantity, scrap, activity)",
    syncMode: "NEAR_REAL_TIME",
    latencySloMs: 120 * s,
    criticality: "HIGH",
    requiresApproval: false,
  },
  {
    code: "GOODS_MOVEMENT",
    name: "Goods movement",
    sourceSystem: "ODOO",
    targetSystems: ["SAP_ERP"],
    businessObject: "Goods movement (MBGMCR: 101 receipt, 261 issue, 311 transfer)",
    syncMode: "REAL_TIME",
    latencySloMs: 60 * s,
    criticality: "HIGH",
    requiresApproval: true,
  },
  {
    code: "QUALITY_HOLD",
    process: "QUALITY",
    name: "Quality hold",
    sourceSystem: "QMS",
    targetSystems: ["SAP_ERP", "ODOO"],
    businessObject: "Block / release batch",
    syncMode: "REAL_TIME",
    latencySloMs: 30 * s,
    criticality: "CRITICAL",
    requiresApproval: false,
  },
  {
    code: "INSPECTION_RESULT",
    process: "QUALITY",
    name: "Inspection result",
    sourceSystem: "QMS",
    targetSystems: ["SAP_ERP"],
    businessObject: "Inspection lot results, usage decision",
    syncMode: "NEAR_REAL_TIME",
    latencySloMs: 5 * min,
    criticality: "HIGH",
    requiresApproval: false,
  },
  {
    code: "MATERIAL_MASTER",
    name: "Material master",
    sourceSystem: "SAP_ERP",
    targetSystems: ["ODOO"],
    businessObject: "MATMAS05 → product.product",
    syncMode: "BATCH",
    latencySloMs: 1 * h,
    criticality: "MEDIUM",
    requiresApproval: false,
  },
  {
    code: "BOM_RELEASE",
    name: "BOM release",
    sourceSystem: "PLM",
    targetSystems: ["ODOO"],
    businessObject: "Approved BOM revision → mrp.bom (effectivity date)",
    syncMode: "BATCH",
    latencySloMs: 4 * h,
    criticality: "MEDIUM",
    requiresApproval: true,
  },
  {
    code: "MAINT_WORK_ORDER",
    process: "MAINTENANCE",
    name: "Maintenance work order",
    sourceSystem: "CMMS",
    targetSystems: ["ODOO"],
    businessObject: "maintenance.request, status",
    syncMode: "NEAR_REAL_TIME",
    latencySloMs: 5 * min,
    criticality: "MEDIUM",
    requiresApproval: false,
  },
  {
    code: "SPARE_PARTS_USAGE",
    process: "MAINTENANCE",
    name: "Spare parts usage",
    sourceSystem: "ODOO",
    targetSystems: ["SAP_ERP"],
    businessObject: "Spare part consumption (261 against maintenance order)",
    syncMode: "BATCH",
    latencySloMs: 1 * h,
    criticality: "MEDIUM",
    requiresApproval: true,
  },
  {
    code: "SUPPLIER_ASN",
    process: "PROCURE_TO_RECEIPT",
    name: "Supplier ASN",
    sourceSystem: "SUPPLIER_PORTAL",
    targetSystems: ["ODOO", "WMS"],
    businessObject: "ASN (X12 856 / EDIFACT DESADV) → incoming stock.picking; WMS expected receipt",
    syncMode: "NEAR_REAL_TIME",
    latencySloMs: 15 * min,
    criticality: "MEDIUM",
    requiresApproval: false,
  },
  {
    code: "FORECAST_IMPORT",
    process: "PLANNING",
    name: "Forecast import",
    sourceSystem: "PLANNING",
    targetSystems: ["ODOO"],
    businessObject: "Forecast version → replenishment",
    syncMode: "BATCH",
    latencySloMs: 24 * h,
    criticality: "LOW",
    requiresApproval: false,
  },
  {
    code: "INVOICE_POSTING",
    process: "FINANCE",
    name: "Invoice posting",
    sourceSystem: "ODOO",
    targetSystems: ["SAP_ERP"],
    businessObject: "Vendor invoice / journal entry (SAP FI)",
    syncMode: "BATCH",
    latencySloMs: 1 * h,
    criticality: "HIGH",
    requiresApproval: true,
  },
];

/** System names: one source for every page and the seeded connector names. */
export { SYSTEM_LABELS };

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

/** Seeding at boot is a system change like any other: attributed to this actor in the audit trail. */
const BOOT = { type: "system" as const, label: "andon boot" };
const SEED_LOCK_KEY = 72_616_103; // arbitrary, constant: instances booting together seed one after another
type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
type Events = AppendInput<AuditEventType>[];
const event = <T extends AuditEventType>(e: AppendInput<T>) => e as AppendInput<AuditEventType>;

/**
 * Creates what is missing, nothing else: the rows and their audit events in one transaction. A boot
 * that finds everything in place writes nothing and appends nothing.
 */
async function seedOnce(prisma: PrismaClient, seed: (tx: Tx, events: Events) => Promise<void>): Promise<void> {
  await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SEED_LOCK_KEY}::bigint)`;
      const events: Events = [];
      await seed(tx, events);
      if (events.length) await appendMany(tx, events);
    },
    { timeout: 60_000 },
  );
}

export async function seedReference(prisma: PrismaClient): Promise<void> {
  await seedOnce(prisma, async (tx, events) => {
    const interfaceIds = await seedInterfaces(tx, events);
    await seedDependencies(tx, events, interfaceIds);
    await seedPlants(tx, events, interfaceIds);
    await seedAlertRules(tx, events);
    await seedFlow(tx, events);
  });
}

/** The interface catalog and each interface's first schema version. */
async function seedInterfaces(tx: Tx, events: Events): Promise<Map<string, string>> {
  const existing = await tx.interface.findMany({ where: { code: { in: INTERFACES.map((i) => i.code) } }, select: { id: true, code: true } });
  const interfaceIds = new Map(existing.map((i) => [i.code, i.id]));
  for (const i of INTERFACES.filter((i) => !interfaceIds.has(i.code))) {
    const row = await tx.interface.create({ data: i, select: { id: true } });
    interfaceIds.set(i.code, row.id);
    const { code, ...after } = i;
    events.push(event({ type: "interface.created", actor: BOOT, subject: { type: "interface", id: row.id }, data: { interfaceId: row.id, code, after } }));
  }
  const withSchema = new Set(
    (await tx.interfaceSchema.findMany({ where: { interfaceId: { in: [...interfaceIds.values()] }, version: 1 }, select: { interfaceId: true } })).map(
      (s) => s.interfaceId,
    ),
  );
  for (const i of INTERFACES) {
    const interfaceId = interfaceIds.get(i.code)!;
    if (withSchema.has(interfaceId)) continue;
    const row = await tx.interfaceSchema.create({ data: { interfaceId, version: 1, schema: payloadSchemaFor(i.code) } });
    events.push(
      event({
        type: "interface.schema_added",
        actor: BOOT,
        subject: { type: "interface", id: interfaceId },
        data: {
          interfaceId,
          code: i.code,
          version: 1,
          previousVersion: null,
          patch: fastJsonPatch.compare({}, row.schema as object) as unknown as Record<string, unknown>[],
          schemaHash: payloadHash(row.schema),
        },
      }),
    );
  }
  return interfaceIds;
}

/** The demo plants, their systems (one connector each) and the interfaces each plant runs. */
async function seedPlants(tx: Tx, events: Events, interfaceIds: Map<string, string>): Promise<void> {
  const plants = new Map(
    (await tx.plant.findMany({ where: { code: { in: PLANTS.map((p) => p.code) } }, select: { id: true, code: true } })).map((p) => [p.code, p.id]),
  );
  for (const p of PLANTS.filter((p) => !plants.has(p.code))) {
    const plant = await tx.plant.create({ data: { code: p.code, name: p.name, timezone: p.timezone }, select: { id: true } });
    plants.set(p.code, plant.id);
    events.push(
      event({
        type: "plant.created",
        actor: BOOT,
        plantId: plant.id,
        subject: { type: "plant", id: plant.id },
        data: { after: { code: p.code, name: p.name, timezone: p.timezone } },
      }),
    );
  }
  const plantIds = [...plants.values()];
  const systems = await tx.plantSystem.findMany({
    where: { plantId: { in: plantIds } },
    select: { id: true, plantId: true, kind: true, connector: { select: { id: true } } },
  });
  const links = new Set(
    (await tx.plantInterface.findMany({ where: { plantId: { in: plantIds } }, select: { plantId: true, interfaceId: true } })).map(
      (l) => `${l.plantId}|${l.interfaceId}`,
    ),
  );
  for (const p of PLANTS) {
    const plantId = plants.get(p.code)!;
    for (const [kind, description] of p.systems) {
      const found = systems.find((s) => s.plantId === plantId && s.kind === kind);
      if (found?.connector) continue;
      const systemId = found?.id ?? (await tx.plantSystem.create({ data: { plantId, kind, description }, select: { id: true } })).id;
      const c = await tx.connector.create({ data: { plantId, systemId, name: `${p.code} ${SYSTEM_LABELS[kind]} connector` } });
      events.push(
        event({
          type: "connector.created",
          actor: BOOT,
          plantId,
          subject: { type: "connector", id: c.id },
          data: {
            connectorId: c.id,
            before: null,
            after: {
              name: c.name,
              plant: p.code,
              system: kind,
              replayRatePerSec: c.replayRatePerSec,
              replayConcurrency: c.replayConcurrency,
              replayAllowPrivate: c.replayAllowPrivate,
            },
          },
        }),
      );
    }
    for (const code of p.interfaces) {
      const interfaceId = interfaceIds.get(code);
      if (!interfaceId) throw new Error(`seed: plant ${p.code} lists unknown interface ${code}`);
      if (links.has(`${plantId}|${interfaceId}`)) continue;
      await tx.plantInterface.create({ data: { plantId, interfaceId } });
      events.push(
        event({
          type: "interface.plant_enabled",
          actor: BOOT,
          plantId,
          subject: { type: "interface", id: interfaceId },
          data: { interfaceId, code, plantCode: p.code },
        }),
      );
    }
  }
}

/** The default alert rules, per interface criticality (for each kind without any rule yet: an admin's rules stay). */
async function seedAlertRules(tx: Tx, events: Events): Promise<void> {
  const created = await seedDefaultRules(tx);
  for (const r of created.sort((a, b) => a.name.localeCompare(b.name))) {
    events.push(
      event({
        type: "alert_rule.created",
        actor: BOOT,
        subject: { type: "alert_rule", id: r.id },
        data: {
          ruleId: r.id,
          before: null,
          after: {
            name: r.name,
            kind: r.kind,
            threshold: r.threshold,
            windowMinutes: r.windowMinutes,
            plantCode: null,
            interfaceCode: null,
            criticality: r.criticality,
            severity: r.severity,
            enabled: r.enabled,
          },
        },
      }),
    );
  }
}

/**
 * Demo only (called with the demo users): the demo plants' connectors may push replays to private
 * addresses, as an administrator allows for a connector inside a plant network — the simulator's
 * connectors listen on 127.0.0.1. Set again at every demo start (audited when it changes anything);
 * production never runs this.
 */
async function allowDemoReplayEndpoints(tx: Tx, events: Events): Promise<void> {
  const off = await tx.connector.findMany({
    where: { plant: { code: { in: PLANTS.map((p) => p.code) } }, replayAllowPrivate: false },
    select: { id: true, name: true, plantId: true },
  });
  if (off.length === 0) return;
  await tx.connector.updateMany({ where: { id: { in: off.map((c) => c.id) } }, data: { replayAllowPrivate: true } });
  for (const c of off) {
    events.push(
      event({
        type: "connector.updated",
        actor: BOOT,
        plantId: c.plantId,
        subject: { type: "connector", id: c.id },
        data: { connectorId: c.id, before: { name: c.name, replayAllowPrivate: false }, after: { name: c.name, replayAllowPrivate: true } },
      }),
    );
  }
}

export async function seedDemoUsers(prisma: PrismaClient): Promise<void> {
  await seedOnce(prisma, async (tx, events) => {
    await allowDemoReplayEndpoints(tx, events);
    const existing = new Set(
      (await tx.user.findMany({ where: { email: { in: DEMO_USERS.map((u) => u.email) } }, select: { email: true } })).map((u) => u.email),
    );
    const missing = DEMO_USERS.filter((u) => !existing.has(u.email));
    if (missing.length === 0) return;
    const plantId = new Map((await tx.plant.findMany({ select: { id: true, code: true } })).map((p) => [p.code, p.id]));
    for (const u of missing) {
      const codes = u.plants === "all" ? [] : u.plants;
      const scope = codes.map((code) => {
        const id = plantId.get(code);
        if (!id) throw new Error(`seed: demo user ${u.email} lists unknown plant ${code}`);
        return { plantId: id };
      });
      const user = await tx.user.create({
        data: { email: u.email, name: u.name, role: u.role, passwordHash: await hashPassword(DEMO_PASSWORD), plants: { create: scope } },
      });
      events.push(
        event({
          type: "user.created",
          actor: BOOT,
          subject: { type: "user", id: user.id },
          data: { userId: user.id, before: null, after: { email: u.email, name: u.name, role: u.role, plants: [...codes].sort(), active: user.active } },
        }),
      );
    }
  });
  await seedOnce(prisma, (tx, events) => seedDemoOwners(tx, events, DEMO_USERS));
}
