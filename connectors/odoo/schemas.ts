import { z } from "zod";
import { MAINT_WORK_ORDER_JSON_SCHEMA, maintWorkOrderPayloadSchema } from "../cmms/schema";
import { BOM_RELEASE_PAYLOAD_SCHEMA, bomReleaseSchema } from "../plm/schema";
import { QUALITY_HOLD_JSON_SCHEMA, qmsHoldEventSchema, qualityHoldPayloadSchema } from "../qms/schema";
import { SUPPLIER_ASN_JSON_SCHEMA, supplierAsnPayloadSchema } from "../wms/schema";

/**
 * The JSON forms of the interfaces Odoo RECEIVES (replay targets), as Andon stores and corrects
 * them. Where the form belongs to the source system it is that system's schema (PLM BOM_RELEASE,
 * QMS QUALITY_HOLD, WMS SUPPLIER_ASN, CMMS MAINT_WORK_ORDER); PRODORD_RELEASE and MATERIAL_MASTER
 * keep today's form (Odoo create values, see server/corrections/payload-schemas.ts);
 * FORECAST_IMPORT is the planning system's forecast version.
 */

export { bomReleaseSchema, maintWorkOrderPayloadSchema, qmsHoldEventSchema, qualityHoldPayloadSchema, supplierAsnPayloadSchema };

const odooDatetime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/)
  .describe("Odoo datetime, UTC: YYYY-MM-DD HH:MM:SS");

/** PRODORD_RELEASE: `mrp.production` create values (today's form). */
export const productionOrderValuesSchema = z
  .object({
    product_id: z.number().int().min(1),
    product_qty: z.number().gt(0),
    product_uom_id: z.number().int().min(1),
    bom_id: z.number().int().min(1).optional(),
    origin: z.string().optional(),
    date_start: odooDatetime.optional(),
  })
  .loose();
export type ProductionOrderValues = z.infer<typeof productionOrderValuesSchema>;

/** MATERIAL_MASTER: `product.product` create values (today's form). */
export const productValuesSchema = z
  .object({
    name: z.string().min(1),
    default_code: z.string().min(1).max(40).optional(),
    barcode: z.string().min(1).optional(),
    uom_id: z.number().int().min(1).optional(),
    type: z.enum(["consu", "service", "product"]).optional(),
  })
  .loose();
export type ProductValues = z.infer<typeof productValuesSchema>;

const isoDate = z.iso.date().describe("YYYY-MM-DD");

/**
 * FORECAST_IMPORT: one released forecast version of the planning system, in buckets per material.
 * Odoo: the master production schedule (`mrp.production.schedule` per product, forecast lines
 * `mrp.product.forecast` per period start).
 */
export const forecastBucketSchema = z
  .object({
    material: z.string().min(1).max(40).describe("Material number (Odoo product default_code)"),
    periodStart: isoDate.describe("First day of the bucket"),
    quantity: z.number().min(0),
    unit: z.string().min(1).max(3).describe("Unit code (PC, KG, M, L, DZN …)"),
  })
  .strict();

export const forecastImportPayloadSchema = z
  .object({
    forecastVersion: z.string().min(1).max(40).describe("Version of the forecast, e.g. FC-2026-W48"),
    plant: z.string().min(1).max(10),
    releasedAt: z.iso.datetime({ offset: true }).describe("When the planning system released the version; a later release supersedes"),
    buckets: z.array(forecastBucketSchema).min(1),
  })
  .strict()
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.buckets.forEach((bucket, index) => {
      const key = `${bucket.material}\u0000${bucket.periodStart}`;
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["buckets", index], message: `${bucket.material} ${bucket.periodStart} appears twice` });
      seen.add(key);
    });
  });
export type ForecastImportPayload = z.infer<typeof forecastImportPayloadSchema>;

function jsonSchema(schema: z.ZodType, title: string, description: string): Record<string, unknown> {
  const { $schema: _ignored, ...generated } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" }) as Record<string, unknown>;
  return { $schema: "https://json-schema.org/draft/2020-12/schema", title, description, ...generated };
}

export const PRODORD_RELEASE_JSON_SCHEMA = jsonSchema(
  productionOrderValuesSchema,
  "mrp.production create values (Odoo)",
  "A production order released by the ERP/planning, as Odoo's mrp.production create values.",
);
export const MATERIAL_MASTER_JSON_SCHEMA = jsonSchema(
  productValuesSchema,
  "product.product create values (Odoo)",
  "A material as Odoo's product.product create values.",
);
export const FORECAST_IMPORT_JSON_SCHEMA = jsonSchema(
  forecastImportPayloadSchema,
  "Forecast version (planning → Odoo master production schedule)",
  "A released forecast version in buckets per material; Odoo replaces each product's forecast in mrp.production.schedule, refusing a version older than the one it has.",
);

/** What the lead registers in server/corrections/payload-schemas.ts for the Odoo hops. */
export const ODOO_PAYLOAD_SCHEMAS = {
  PRODORD_RELEASE: PRODORD_RELEASE_JSON_SCHEMA,
  MATERIAL_MASTER: MATERIAL_MASTER_JSON_SCHEMA,
  MAINT_WORK_ORDER: MAINT_WORK_ORDER_JSON_SCHEMA,
  BOM_RELEASE: BOM_RELEASE_PAYLOAD_SCHEMA,
  QUALITY_HOLD: QUALITY_HOLD_JSON_SCHEMA,
  SUPPLIER_ASN: SUPPLIER_ASN_JSON_SCHEMA,
  FORECAST_IMPORT: FORECAST_IMPORT_JSON_SCHEMA,
} as const;

/** Samples the emulator's seed data accepts (one per interface). */
export const ODOO_SAMPLE_PAYLOADS = {
  PRODORD_RELEASE: { product_id: 4211, product_qty: 250, product_uom_id: 1, bom_id: 88, origin: "SAP 1004711", date_start: "2026-11-24 06:00:00" },
  MATERIAL_MASTER: { name: "Hex bolt M8x30 8.8", default_code: "RM-5530", uom_id: 1, type: "product" },
  FORECAST_IMPORT: {
    forecastVersion: "FC-2026-W48",
    plant: "MX01",
    releasedAt: "2026-11-23T06:00:00Z",
    buckets: [
      { material: "FG-2200-A", periodStart: "2026-11-30", quantity: 240, unit: "PC" },
      { material: "FG-2200-A", periodStart: "2026-12-07", quantity: 20, unit: "DZN" },
      { material: "RM-0815", periodStart: "2026-11-30", quantity: 180, unit: "KG" },
    ],
  } satisfies ForecastImportPayload,
} as const;
