/**
 * JSON Schemas of interface payloads (version 1, seeded). They describe what the target accepts, so a
 * correction is checked before anyone approves it. Interfaces without a specific schema accept any
 * JSON object (the target's own validation still applies on replay).
 */
const qty = { type: "string", pattern: "^[0-9]+(\\.[0-9]{1,3})?$", description: "SAP quantity as a decimal string" };

const mbgmcr03 = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "MBGMCR03 goods movement (JSON form of the IDoc)",
  type: "object",
  required: ["idocType", "control", "E1BP2017_GM_HEAD_01", "E1BP2017_GM_CODE", "E1BP2017_GM_ITEM_CREATE"],
  properties: {
    idocType: { const: "MBGMCR03" },
    control: { type: "object", required: ["DOCNUM"], properties: { DOCNUM: { type: "string", pattern: "^[0-9]{1,16}$" } } },
    E1BP2017_GM_HEAD_01: {
      type: "object",
      required: ["PSTNG_DATE"],
      properties: { PSTNG_DATE: { type: "string", pattern: "^[0-9]{8}$" }, DOC_DATE: { type: "string", pattern: "^[0-9]{8}$" } },
    },
    E1BP2017_GM_CODE: { type: "object", properties: { GM_CODE: { enum: ["01", "02", "03", "04", "05", "06", "07"] } } },
    E1BP2017_GM_ITEM_CREATE: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["MATERIAL", "PLANT", "STGE_LOC", "MOVE_TYPE", "ENTRY_QNT"],
        properties: {
          MATERIAL: { type: "string", minLength: 1, maxLength: 40 },
          PLANT: { type: "string", pattern: "^[0-9A-Z]{4}$" },
          STGE_LOC: { type: "string", pattern: "^[0-9A-Z]{4}$" },
          MOVE_TYPE: { type: "string", pattern: "^[0-9]{3}$" },
          ENTRY_QNT: qty,
          ENTRY_UOM: { type: "string", maxLength: 3 },
          BATCH: { type: "string", maxLength: 10 },
          ORDERID: { type: "string", pattern: "^[0-9]{12}$" },
        },
      },
    },
  },
};

const mrpProduction = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "mrp.production create values (Odoo)",
  type: "object",
  required: ["product_id", "product_qty", "product_uom_id"],
  properties: {
    product_id: { type: "integer", minimum: 1 },
    product_qty: { type: "number", exclusiveMinimum: 0 },
    product_uom_id: { type: "integer", minimum: 1 },
    bom_id: { type: "integer", minimum: 1 },
    origin: { type: "string" },
    date_start: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$" },
  },
};

const qualityHold = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "Quality hold (QMS event)",
  type: "object",
  required: ["lot", "action"],
  properties: { lot: { type: "string", minLength: 1 }, material: { type: "string" }, action: { enum: ["block", "release"] }, plant: { type: "string" } },
};

const anyObject = { $schema: "https://json-schema.org/draft/2020-12/schema", title: "Any JSON object", type: "object" };

export const PAYLOAD_SCHEMAS: Record<string, object> = {
  GOODS_MOVEMENT: mbgmcr03,
  SPARE_PARTS_USAGE: mbgmcr03,
  PRODORD_RELEASE: mrpProduction,
  QUALITY_HOLD: qualityHold,
};

export function payloadSchemaFor(interfaceCode: string): object {
  return PAYLOAD_SCHEMAS[interfaceCode] ?? anyObject;
}
