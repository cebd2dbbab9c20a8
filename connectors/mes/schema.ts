import { z } from "zod";

/**
 * JSON forms Andon stores (and people correct) for the interfaces around the MES:
 *
 * - PRODORD_RELEASE (ERP → MES; the MES RECEIVES it): a released production order. The replay
 *   handler turns it into a B2MML ProcessProductionSchedule (or ChangeProductionSchedule).
 * - PRODORD_CONFIRM (MES → ERP; the MES is its SOURCE): an operation confirmation, with field names
 *   of SAP's OData entity ProdnOrdConf2 (API_PROD_ORDER_CONFIRMATION_2_SRV), so that the SAP
 *   connector can send it as is. Types are JSON-friendly: quantities are decimal strings (the JSON
 *   form of Edm.Decimal in OData v2), dates ISO `YYYY-MM-DD` and times `HH:MM:SS` in plant time
 *   (the SAP side turns them into Edm.DateTime / Edm.Time).
 */

/** Units of measure the MES knows. SAP's internal code for piece is ST; the MES only knows PC. */
export const MES_UNITS = ["PC", "KG", "M", "L"] as const;
export type MesUnit = (typeof MES_UNITS)[number];

/** The MES's own status vocabulary of a production order. */
export const MES_ORDER_STATUSES = ["SCHEDULED", "RELEASED", "RUNNING", "DONE", "CLOSED"] as const;
export type MesOrderStatus = (typeof MES_ORDER_STATUSES)[number];
export const MES_OPERATION_STATUSES = ["SCHEDULED", "RELEASED", "RUNNING", "DONE"] as const;
export type MesOperationStatus = (typeof MES_OPERATION_STATUSES)[number];

/**
 * MES order status → SAP system status of the production order (and B2MML request/response state).
 * SCHEDULED: known but no operation released (SAP CRTD, B2MML Forecast); RELEASED: released, nothing
 * confirmed (REL, Released); RUNNING: partially confirmed (PCNF, Running); DONE: every operation
 * finally confirmed (CNF, Completed); CLOSED: closed in the MES (TECO, Closed).
 */
export const MES_TO_SAP_STATUS = { SCHEDULED: "CRTD", RELEASED: "REL", RUNNING: "PCNF", DONE: "CNF", CLOSED: "TECO" } as const satisfies Record<
  MesOrderStatus,
  string
>;
export const MES_TO_B2MML_STATE = {
  SCHEDULED: "Forecast",
  RELEASED: "Released",
  RUNNING: "Running",
  DONE: "Completed",
  CLOSED: "Closed",
} as const satisfies Record<MesOrderStatus, string>;

const isoDate = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, "date as YYYY-MM-DD");
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/, "time as HH:MM:SS");
const decimal = z.string().regex(/^\d{1,10}(\.\d{1,3})?$/, "decimal quantity as a string, up to 3 decimals");
const material = z.string().min(1).max(40);

// ---------------------------------------------------------------------------------------------
// PRODORD_RELEASE
// ---------------------------------------------------------------------------------------------

export const prodordReleaseOperationSchema = z
  .object({
    operation: z
      .string()
      .regex(/^\d{4}$/, "operation number of 4 digits, e.g. 0010")
      .describe("Operation number (SAP VORNR)"),
    workCentre: z.string().min(1).max(20).describe("Work centre; must exist in the MES equipment model of the plant"),
    description: z.string().max(40).optional().describe("Operation short text"),
    plannedStart: isoDate.optional(),
    plannedEnd: isoDate.optional(),
    released: z.boolean().optional().describe("false: the operation is not released yet in the ERP and cannot be confirmed (default true)"),
  })
  .strict();

export const prodordReleaseComponentSchema = z
  .object({
    material,
    quantity: z.number().positive(),
    unit: z.string().min(1).max(3).describe("Unit of measure; must be a MES unit (PC, KG, M, L)"),
    operation: z
      .string()
      .regex(/^\d{4}$/)
      .optional()
      .describe("Operation that consumes the component (default: the first operation)"),
  })
  .strict();

export const prodordReleaseSchema = z
  .object({
    orderNumber: z
      .string()
      .regex(/^\d{1,12}$/, "order number of up to 12 digits")
      .describe("Production order number; leading zeros are not significant"),
    plant: z.string().min(1).max(4).describe("Plant (the MES site)"),
    material: material.describe("Material to produce"),
    quantity: z.number().positive().describe("Order quantity"),
    unit: z.string().min(1).max(3).describe("Unit of measure of the order quantity; the MES knows PC, KG, M and L and refuses others (MES-UOM-001)"),
    bomRevision: z.string().min(1).max(10).optional().describe("BOM revision the order was exploded with (PLM revision, e.g. A, B)"),
    plannedStart: isoDate.describe("Basic start date"),
    plannedEnd: isoDate.describe("Basic finish date"),
    releaseType: z
      .enum(["initial", "change"])
      .optional()
      .describe("initial (default): B2MML ProcessProductionSchedule; change: ChangeProductionSchedule, a re-release of an order the MES knows"),
    operations: z.array(prodordReleaseOperationSchema).min(1),
    components: z.array(prodordReleaseComponentSchema).optional(),
  })
  .strict()
  .superRefine((order, ctx) => {
    const numbers = order.operations.map((op) => op.operation);
    numbers.forEach((number, index) => {
      if (numbers.indexOf(number) !== index)
        ctx.addIssue({ code: "custom", path: ["operations", index, "operation"], message: `operation ${number} is listed twice` });
    });
    for (const [index, component] of (order.components ?? []).entries()) {
      if (component.operation !== undefined && !numbers.includes(component.operation)) {
        ctx.addIssue({
          code: "custom",
          path: ["components", index, "operation"],
          message: `operation ${component.operation} is not an operation of the order`,
        });
      }
    }
    if (order.plannedEnd < order.plannedStart) ctx.addIssue({ code: "custom", path: ["plannedEnd"], message: "plannedEnd is before plannedStart" });
  });
export type ProdordRelease = z.infer<typeof prodordReleaseSchema>;
export type ProdordReleaseOperation = z.infer<typeof prodordReleaseOperationSchema>;
export type ProdordReleaseComponent = z.infer<typeof prodordReleaseComponentSchema>;

// ---------------------------------------------------------------------------------------------
// PRODORD_CONFIRM
// ---------------------------------------------------------------------------------------------

/** SAP's final confirmation type (AUERU): "" partial, "X" final, "1" automatic final confirmation. */
export const FINAL_CONFIRMATION_TYPES = ["", "X", "1"] as const;

export const prodordConfirmSchema = z
  .object({
    OrderID: z
      .string()
      .regex(/^\d{1,12}$/, "order number of up to 12 digits")
      .describe("Production order (without leading zeros)"),
    OrderOperation: z
      .string()
      .regex(/^\d{4}$/, "operation number of 4 digits")
      .describe("Operation, e.g. 0010"),
    Sequence: z.string().max(6).optional().describe("Sequence of the routing (default 0, the standard sequence)"),
    Material: material.optional().describe("Material of the order"),
    Plant: z.string().min(1).max(4).optional(),
    WorkCenter: z.string().min(1).max(20).describe("Work centre where the operation ran"),
    ConfirmationYieldQuantity: decimal.describe("Good quantity"),
    ConfirmationScrapQuantity: decimal.describe("Scrap quantity"),
    ConfirmationUnit: z.string().min(1).max(3).describe("Unit of the quantities (the order unit)"),
    PostingDate: isoDate.describe("Posting date (the day the operation ended, plant time)"),
    FinalConfirmationType: z.enum(FINAL_CONFIRMATION_TYPES).describe('"" partial confirmation, "X" final confirmation, "1" automatic final confirmation'),
    ConfirmedExecutionStartDate: isoDate.optional(),
    ConfirmedExecutionStartTime: time.optional(),
    ConfirmedExecutionEndDate: isoDate.optional(),
    ConfirmedExecutionEndTime: time.optional(),
    ConfirmationText: z.string().max(40).optional().describe("Free text; the MES puts its confirmation number here"),
    BOMRevision: z
      .string()
      .min(1)
      .max(10)
      .optional()
      .describe("BOM revision in effect for the order (an Andon field, not a ProdnOrdConf2 property): lets the ERP refuse a revision not yet effective"),
  })
  .strict();
export type ProdordConfirm = z.infer<typeof prodordConfirmSchema>;

// ---------------------------------------------------------------------------------------------
// JSON Schemas (same kind of object as server/corrections/payload-schemas.ts)
// ---------------------------------------------------------------------------------------------

function jsonSchemaOf(schema: z.ZodType, title: string, description: string): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  return { $schema: "https://json-schema.org/draft/2020-12/schema", title, description, ...generated };
}

/** JSON Schema of the PRODORD_RELEASE payload the MES accepts (target MES). */
export const PRODORD_RELEASE_PAYLOAD_SCHEMA = jsonSchemaOf(
  prodordReleaseSchema,
  "Production order release (MES, sent as B2MML ProcessProductionSchedule)",
  "A production order released by the ERP. Units: PC, KG, M, L. Leading zeros of orderNumber are not significant.",
);

/** JSON Schema of the PRODORD_CONFIRM payload (source MES, target SAP; ProdnOrdConf2 field names). */
export const PRODORD_CONFIRM_PAYLOAD_SCHEMA = jsonSchemaOf(
  prodordConfirmSchema,
  "Production order operation confirmation (SAP API_PROD_ORDER_CONFIRMATION_2_SRV, ProdnOrdConf2)",
  "An operation confirmation reported by the MES (B2MML ProductionPerformance), in the field names of SAP's ProdnOrdConf2 entity.",
);
