import { ODOO_PAYLOAD_SCHEMAS } from "../../connectors/odoo/schemas";
import { PRODORD_RELEASE_PAYLOAD_SCHEMA as MES_PRODORD_RELEASE } from "../../connectors/mes/schema";
import { SAP_PAYLOAD_JSON_SCHEMAS } from "../../connectors/sap/schemas";
import { WMS_PAYLOAD_SCHEMAS } from "../../connectors/wms/schema";

/**
 * JSON Schemas of interface payloads (version 1, seeded): the contract of the system each hop delivers
 * to, taken from that system's connector (connectors/<system>/schema*.ts), which its emulator enforces
 * too — so a correction is checked against what the target will accept before anyone approves it.
 * Where an interface's targets take different forms (PRODORD_RELEASE: Odoo's mrp.production values,
 * the MES's production schedule), the schema has one alternative per target (`anyOf` +
 * `x-andon-targets`; server/corrections/validate.ts picks the failed hop's).
 */
type TargetSchemas = Partial<Record<"SAP_ERP" | "ODOO" | "MES" | "WMS", object>>;

const DRAFT = "https://json-schema.org/draft/2020-12/schema";

function byTarget(title: string, targets: TargetSchemas): object {
  const entries = Object.entries(targets) as [string, object][];
  if (entries.length === 1) return { $schema: DRAFT, ...withoutDraft(entries[0]![1]) };
  return {
    $schema: DRAFT,
    title,
    description: `One contract per target system: ${entries.map(([t]) => t).join(", ")} (x-andon-targets says which alternative is whose).`,
    anyOf: entries.map(([, s]) => withoutDraft(s)),
    "x-andon-targets": Object.fromEntries(entries.map(([t], i) => [t, i])),
  };
}

function withoutDraft(schema: object): object {
  const { $schema: _draft, ...rest } = schema as { $schema?: string };
  return rest;
}

export const PAYLOAD_SCHEMAS: Record<string, object> = {
  GOODS_MOVEMENT: byTarget("Goods movement", { SAP_ERP: SAP_PAYLOAD_JSON_SCHEMAS.GOODS_MOVEMENT }),
  SPARE_PARTS_USAGE: byTarget("Spare parts usage", { SAP_ERP: SAP_PAYLOAD_JSON_SCHEMAS.SPARE_PARTS_USAGE }),
  PRODORD_CONFIRM: byTarget("Operation confirmation", { SAP_ERP: SAP_PAYLOAD_JSON_SCHEMAS.PRODORD_CONFIRM }),
  INSPECTION_RESULT: byTarget("Inspection result", { SAP_ERP: SAP_PAYLOAD_JSON_SCHEMAS.INSPECTION_RESULT }),
  INVOICE_POSTING: byTarget("Invoice posting", { SAP_ERP: SAP_PAYLOAD_JSON_SCHEMAS.INVOICE_POSTING }),
  QUALITY_HOLD: byTarget("Quality hold", { SAP_ERP: SAP_PAYLOAD_JSON_SCHEMAS.QUALITY_HOLD, ODOO: ODOO_PAYLOAD_SCHEMAS.QUALITY_HOLD }),
  PRODORD_RELEASE: byTarget("Production order release", { ODOO: ODOO_PAYLOAD_SCHEMAS.PRODORD_RELEASE, MES: MES_PRODORD_RELEASE }),
  MATERIAL_MASTER: byTarget("Material master", { ODOO: ODOO_PAYLOAD_SCHEMAS.MATERIAL_MASTER }),
  BOM_RELEASE: byTarget("BOM release", { ODOO: ODOO_PAYLOAD_SCHEMAS.BOM_RELEASE }),
  MAINT_WORK_ORDER: byTarget("Maintenance work order", { ODOO: ODOO_PAYLOAD_SCHEMAS.MAINT_WORK_ORDER }),
  SUPPLIER_ASN: byTarget("Supplier ASN", { ODOO: ODOO_PAYLOAD_SCHEMAS.SUPPLIER_ASN, WMS: WMS_PAYLOAD_SCHEMAS.SUPPLIER_ASN }),
  FORECAST_IMPORT: byTarget("Forecast import", { ODOO: ODOO_PAYLOAD_SCHEMAS.FORECAST_IMPORT }),
};

const anyObject = { $schema: DRAFT, title: "Any JSON object", type: "object" };

/** The seeded schema of an interface; an interface added by an administrator starts with any JSON object. */
export function payloadSchemaFor(interfaceCode: string): object {
  return PAYLOAD_SCHEMAS[interfaceCode] ?? anyObject;
}
