import type { PrismaClient } from "../server/db/generated/client";
import type { RefKind } from "../server/db/generated/enums";
import type { AppendInput, AuditEventType } from "../server/audit";

/**
 * The dependency catalog as SYSTEMS.md draws the business chain (an arrow: "must have succeeded first,
 * for the same object"). Seeded only when the catalog is empty, so an administrator's edits (and
 * removals) survive restarts; each row audited (dependency.created) in the seed's transaction.
 * The object each pair shares is the one both messages carry: a BOM release names the material it
 * builds; a production order names its BOM (material + revision) — a revision must agree when both carry
 * one —, its confirmations and goods movements name the order; a goods receipt names its ASN and PO, an
 * invoice its PO; a quality hold and a goods issue name the lot; spare-part usage names its work order.
 */
export const DEPENDENCIES: { prerequisite: string; dependent: string; refKind: RefKind; description: string }[] = [
  { prerequisite: "MATERIAL_MASTER", dependent: "BOM_RELEASE", refKind: "MATERIAL", description: "A BOM needs its material in the material master" },
  { prerequisite: "BOM_RELEASE", dependent: "PRODORD_RELEASE", refKind: "BOM", description: "An order needs its BOM revision released (effective)" },
  { prerequisite: "PRODORD_RELEASE", dependent: "PRODORD_CONFIRM", refKind: "PRODUCTION_ORDER", description: "A confirmation needs its order released" },
  {
    prerequisite: "PRODORD_CONFIRM",
    dependent: "GOODS_MOVEMENT",
    refKind: "PRODUCTION_ORDER",
    description: "Goods issues and receipts of an order follow its confirmation (261/101)",
  },
  { prerequisite: "SUPPLIER_ASN", dependent: "GOODS_MOVEMENT", refKind: "ASN", description: "A goods receipt (101) against an ASN needs the ASN" },
  {
    prerequisite: "GOODS_MOVEMENT",
    dependent: "INVOICE_POSTING",
    refKind: "PURCHASE_ORDER",
    description: "An invoice is matched against the PO's goods receipt",
  },
  {
    prerequisite: "QUALITY_HOLD",
    dependent: "GOODS_MOVEMENT",
    refKind: "LOT",
    description: "A quality hold (or its release) of a lot decides whether goods issues of that lot may post",
  },
  {
    prerequisite: "INSPECTION_RESULT",
    dependent: "GOODS_MOVEMENT",
    refKind: "LOT",
    description: "The usage decision releases the lot from quality-inspection stock before it is issued",
  },
  {
    prerequisite: "MAINT_WORK_ORDER",
    dependent: "SPARE_PARTS_USAGE",
    refKind: "WORK_ORDER",
    description: "Spare parts are consumed against their work order (261)",
  },
];

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];
const BOOT = { type: "system" as const, label: "andon boot" };

/** Adds the catalog when there is none (the caller's seed transaction appends the events). */
export async function seedDependencies(tx: Tx, events: AppendInput<AuditEventType>[], interfaceIds: Map<string, string>): Promise<void> {
  if ((await tx.interfaceDependency.count()) > 0) return;
  for (const d of DEPENDENCIES) {
    const [p, x] = [interfaceIds.get(d.prerequisite), interfaceIds.get(d.dependent)];
    if (!p || !x) continue;
    const row = await tx.interfaceDependency.create({
      data: { prerequisiteInterfaceId: p, dependentInterfaceId: x, refKind: d.refKind, description: d.description },
    });
    const after = { prerequisite: d.prerequisite, dependent: d.dependent, refKind: d.refKind, description: d.description, enabled: true };
    events.push({
      type: "dependency.created",
      actor: BOOT,
      subject: { type: "interface_dependency", id: row.id },
      data: { dependencyId: row.id, prerequisite: d.prerequisite, dependent: d.dependent, refKind: d.refKind, before: null, after },
    } as AppendInput<AuditEventType>);
  }
}
