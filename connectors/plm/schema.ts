import { z } from "zod";

/**
 * The PLM system's objects (parts, BOM revisions with date effectivity, engineering change orders)
 * and the JSON form of BOM_RELEASE that Andon stores: one released BOM revision, generic enough for
 * an ERP's BOM with revisions (Odoo mrp.bom + mrp.bom.line, SAP CS01 with change number).
 */

export const isoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "date as YYYY-MM-DD");
export const revisionCode = z.string().regex(/^[A-Z]{1,2}$/, "revision letter(s): A, B, … Z, AA …");
export const partNumber = z.string().min(1).max(40);
const unit = z.string().min(1).max(3);

export const bomComponentSchema = z
  .object({
    material: partNumber.describe("Component part number"),
    quantity: z.number().positive().describe("Quantity per base quantity of the product"),
    unit: unit.describe("Unit of measure of the quantity (PC, KG, M, L …)"),
    position: z
      .string()
      .regex(/^\d{1,4}$/)
      .optional()
      .describe("BOM item number, e.g. 0010"),
  })
  .strict();
export type BomComponent = z.infer<typeof bomComponentSchema>;

/** One BOM revision as an ECO changes it (an affected item of the ECO). */
export const affectedBomSchema = z
  .object({
    material: partNumber.describe("The product (assembly) whose BOM is revised"),
    revision: revisionCode,
    effectiveFrom: isoDate,
    effectiveTo: isoDate.optional(),
    baseQuantity: z.number().positive().optional().describe("Quantity of the product the component quantities refer to (default 1)"),
    components: z.array(bomComponentSchema).min(1),
  })
  .strict()
  .superRefine((bom, ctx) => {
    if (bom.effectiveTo !== undefined && bom.effectiveTo < bom.effectiveFrom) {
      ctx.addIssue({ code: "custom", path: ["effectiveTo"], message: "effectiveTo is before effectiveFrom" });
    }
    const materials = bom.components.map((c) => c.material);
    materials.forEach((material, index) => {
      if (materials.indexOf(material) !== index)
        ctx.addIssue({ code: "custom", path: ["components", index, "material"], message: `component ${material} is listed twice` });
      if (material === bom.material)
        ctx.addIssue({ code: "custom", path: ["components", index, "material"], message: "a product cannot be its own component" });
    });
  });
export type AffectedBom = z.infer<typeof affectedBomSchema>;

export const ecoCreateSchema = z
  .object({
    number: z
      .string()
      .regex(/^ECO-\d{6}$/)
      .optional()
      .describe("Change number chosen by the requester; assigned by the PLM when absent"),
    title: z.string().min(1).max(120),
    description: z.string().max(2000).optional(),
    affectedBoms: z.array(affectedBomSchema).min(1),
  })
  .strict();
export type EcoCreate = z.infer<typeof ecoCreateSchema>;

export const ecoPatchSchema = z
  .object({
    title: z.string().min(1).max(120).optional(),
    description: z.string().max(2000).optional(),
    affectedBoms: z.array(affectedBomSchema).min(1).optional(),
  })
  .strict();

export const partCreateSchema = z
  .object({
    number: partNumber,
    description: z.string().min(1).max(80),
    unit,
    type: z.enum(["assembly", "component", "raw", "packaging"]).optional(),
  })
  .strict();
export type PartCreate = z.infer<typeof partCreateSchema>;

export const ECO_STATES = ["DRAFT", "APPROVED", "RELEASED"] as const;
export type EcoState = (typeof ECO_STATES)[number];
export const REVISION_STATES = ["IN_WORK", "RELEASED"] as const;
export type RevisionState = (typeof REVISION_STATES)[number];

// ---------------------------------------------------------------------------------------------
// BOM_RELEASE (source PLM)
// ---------------------------------------------------------------------------------------------

export const bomReleaseSchema = z
  .object({
    ecoNumber: z
      .string()
      .regex(/^ECO-\d{6}$/)
      .describe("Engineering change order that released the revision"),
    material: partNumber.describe("Product (assembly) the BOM belongs to"),
    description: z.string().max(80).optional().describe("Product description"),
    revision: revisionCode.describe("BOM revision (A, B, C …)"),
    effectiveFrom: isoDate.describe("First day the revision is valid"),
    effectiveTo: isoDate.optional().describe("Last day the revision is valid; absent: open-ended"),
    baseQuantity: z.number().positive().describe("Quantity of the product the component quantities refer to"),
    unit: unit.describe("Unit of measure of the product"),
    components: z.array(bomComponentSchema).min(1),
    supersedes: z
      .object({ revision: revisionCode, effectiveTo: isoDate })
      .strict()
      .optional()
      .describe("The open-ended revision this one ends: it stays valid up to effectiveTo"),
    releasedAt: z.string().datetime({ offset: true }).optional().describe("When the ECO was released"),
  })
  .strict()
  .superRefine((bom, ctx) => {
    if (bom.effectiveTo !== undefined && bom.effectiveTo < bom.effectiveFrom) {
      ctx.addIssue({ code: "custom", path: ["effectiveTo"], message: "effectiveTo is before effectiveFrom" });
    }
  });
export type BomRelease = z.infer<typeof bomReleaseSchema>;

/** JSON Schema of the BOM_RELEASE payload (same kind of object as server/corrections/payload-schemas.ts). */
export const BOM_RELEASE_PAYLOAD_SCHEMA: Record<string, unknown> = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "BOM revision release (PLM, engineering change order)",
  description:
    "One BOM revision released by an ECO in the PLM: product, revision, date effectivity and components (quantities per baseQuantity of the product). " +
    "Revisions of one product never overlap; supersedes names the open-ended revision this release ends.",
  ...(z.toJSONSchema(bomReleaseSchema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as Record<string, unknown>),
};
