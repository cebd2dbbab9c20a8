import { z } from "zod";

/**
 * The JSON forms of the two interfaces the QMS/LIMS is the source of, as Andon stores and corrects
 * them and as the targets consume them:
 *
 * - QUALITY_HOLD: a batch put on hold or released. SAP: a batch stock type change (transfer posting
 *   unrestricted ↔ quality inspection ↔ blocked, e.g. 344 / 343 / 350 / 349 / 321, chosen from
 *   `fromStockType` → `targetStockType`); Odoo: `stock.lot` (+ a `quality.alert` on HOLD).
 * - INSPECTION_RESULT: the results of an inspection lot and, once made, its usage decision. SAP:
 *   results recording and usage decision of the inspection lot (QA32/QA11 equivalents); Odoo:
 *   `quality.check` per characteristic (pass/fail from `inSpec`).
 *
 * Field names are neutral (camelCase, neither SAP nor Odoo technical names) so that both helpers map
 * from one form. `plant` is the ERP plant (SAP WERKS, 4 characters); `batch` is the lot/batch number
 * (SAP CHARG, ≤ 10 characters) — the shared sample calls it `lot`, see `fromQmsHoldEvent`.
 */

export const STOCK_TYPES = ["UNRESTRICTED", "QUALITY_INSPECTION", "BLOCKED"] as const;
export const stockTypeSchema = z.enum(STOCK_TYPES);
export type StockType = z.infer<typeof stockTypeSchema>;

const material = z.string().min(1).max(40).describe("Material number (SAP MATNR / Odoo product default_code)");
const plant = z
  .string()
  .regex(/^[0-9A-Z]{4}$/)
  .describe("ERP plant (SAP WERKS), e.g. 1000 Hamburg, 4000 Wroclaw");
const batch = z.string().min(1).max(10).describe("Batch / lot number (SAP CHARG, Odoo stock.lot name)");
const storageLocation = z
  .string()
  .regex(/^[0-9A-Z]{4}$/)
  .describe("Storage location (SAP LGORT); absent: every storage location of the batch in the plant");
const inspectionLot = z
  .string()
  .regex(/^(01|04)[0-9]{10}$/)
  .describe("Inspection lot: 12 digits, beginning with its origin (01 goods receipt, 04 production)");
const usageDecisionCode = z
  .string()
  .regex(/^[AR][0-9]{2}$/)
  .describe("Usage decision code (A01 accepted, A02 accepted with concession, R01–R03 rejected)");
const timestamp = z.iso.datetime({ offset: true }).describe("ISO 8601 date-time");
const unit = z.string().min(1).max(3).describe("Unit of measure (SAP internal unit, e.g. KG, L, PC)");

const QUALITY_HOLD_TARGETS: Record<"HOLD" | "RELEASE", readonly StockType[]> = {
  HOLD: ["BLOCKED", "QUALITY_INSPECTION"],
  RELEASE: ["UNRESTRICTED", "QUALITY_INSPECTION"],
};

export const qualityHoldPayloadSchema = z
  .object({
    holdNumber: z
      .string()
      .regex(/^QH[0-9]{8}$/)
      .optional()
      .describe("The QMS's number of the hold (HOLD and its RELEASE carry the same one)"),
    action: z.enum(["HOLD", "RELEASE"]).describe("HOLD blocks the batch, RELEASE lifts the hold"),
    material,
    plant,
    batch,
    storageLocation: storageLocation.optional(),
    fromStockType: stockTypeSchema.optional().describe("Stock type of the batch before the change (for SAP's movement type)"),
    targetStockType: stockTypeSchema.describe("HOLD: BLOCKED or QUALITY_INSPECTION; RELEASE: UNRESTRICTED or QUALITY_INSPECTION"),
    quantity: z.number().positive().optional().describe("Batch quantity concerned, in `unit`"),
    unit: unit.optional(),
    reason: z.string().min(1).max(255).describe("Why the batch is held or released"),
    reasonCode: z.string().min(1).max(20).optional().describe("QMS reason code, e.g. OOS (out of specification), COMPLAINT"),
    inspectionLot: inspectionLot.optional(),
    usageDecisionCode: usageDecisionCode.optional(),
    occurredAt: timestamp,
  })
  .strict()
  .superRefine((value, ctx) => {
    if (!QUALITY_HOLD_TARGETS[value.action].includes(value.targetStockType)) {
      ctx.addIssue({
        code: "custom",
        path: ["targetStockType"],
        message: `${value.action} cannot move a batch to ${value.targetStockType} (allowed: ${QUALITY_HOLD_TARGETS[value.action].join(", ")})`,
      });
    }
    if ((value.quantity === undefined) !== (value.unit === undefined)) {
      ctx.addIssue({ code: "custom", path: [value.quantity === undefined ? "quantity" : "unit"], message: "quantity and unit come together" });
    }
  });
export type QualityHoldPayload = z.infer<typeof qualityHoldPayloadSchema>;

export const inspectionResultSchema = z
  .object({
    characteristic: z
      .string()
      .regex(/^[0-9]{4}$/)
      .describe("Characteristic number in the inspection plan, e.g. 0010"),
    description: z.string().min(1).max(80),
    unit: z.string().min(1).max(10).describe("Unit of the measured value, e.g. cP, %"),
    lowerLimit: z.number().optional(),
    upperLimit: z.number().optional(),
    measuredValue: z.number(),
    inSpec: z.boolean().describe("Within the limits (SAP valuation A / Odoo quality.check pass); false: R / fail"),
  })
  .strict()
  .superRefine((value, ctx) => {
    const within =
      (value.lowerLimit === undefined || value.measuredValue >= value.lowerLimit) &&
      (value.upperLimit === undefined || value.measuredValue <= value.upperLimit);
    if (within !== value.inSpec) {
      ctx.addIssue({
        code: "custom",
        path: ["inSpec"],
        message: `inSpec must be ${within} for ${value.measuredValue} within [${value.lowerLimit ?? "-∞"}, ${value.upperLimit ?? "∞"}]`,
      });
    }
  });
export type InspectionResult = z.infer<typeof inspectionResultSchema>;

export const inspectionResultPayloadSchema = z
  .object({
    inspectionLot,
    origin: z.enum(["01", "04"]).describe("01 goods receipt, 04 goods receipt from production"),
    material,
    plant,
    batch,
    storageLocation: storageLocation.optional(),
    lotQuantity: z.number().positive(),
    unit,
    status: z.enum(["RESULTS_COMPLETE", "DECIDED"]).describe("RESULTS_COMPLETE: every characteristic has a result; DECIDED: usage decision made"),
    results: z.array(inspectionResultSchema).min(1),
    usageDecisionCode: usageDecisionCode.optional(),
    usageDecision: z.enum(["A", "R"]).optional().describe("A accepted, R rejected"),
    usageDecisionText: z.string().max(255).optional(),
    targetStockType: z.enum(["UNRESTRICTED", "BLOCKED"]).optional().describe("Stock type the usage decision posts the lot quantity to"),
    decidedAt: timestamp.optional(),
    decidedBy: z.string().max(40).optional(),
    occurredAt: timestamp,
  })
  .strict()
  .superRefine((value, ctx) => {
    const decided = value.status === "DECIDED";
    for (const field of ["usageDecisionCode", "usageDecision", "targetStockType", "decidedAt"] as const) {
      if (decided && value[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: `required when status is DECIDED` });
      if (!decided && value[field] !== undefined) ctx.addIssue({ code: "custom", path: [field], message: `only with status DECIDED` });
    }
    if (decided && value.usageDecisionCode && value.usageDecision && value.usageDecisionCode[0] !== value.usageDecision) {
      ctx.addIssue({ code: "custom", path: ["usageDecision"], message: `usage decision code ${value.usageDecisionCode} is ${value.usageDecisionCode[0]}` });
    }
    const seen = new Set<string>();
    value.results.forEach((result, index) => {
      if (seen.has(result.characteristic)) ctx.addIssue({ code: "custom", path: ["results", index, "characteristic"], message: "characteristic twice" });
      seen.add(result.characteristic);
    });
  });
export type InspectionResultPayload = z.infer<typeof inspectionResultPayloadSchema>;

// ---------------------------------------------------------------------------------------------
// JSON Schemas (draft 2020-12), the kind of object server/corrections/payload-schemas.ts holds.
// zod's refinements do not translate; the ones JSON Schema can say are added by hand.
// ---------------------------------------------------------------------------------------------

/** `{ if, then, else }`: the JSON Schema keywords, written once here. */
function conditional(ifSchema: object, thenSchema: object, elseSchema?: object): Record<string, unknown> {
  // biome-ignore lint/suspicious/noThenProperty: `then` is the JSON Schema keyword, not a thenable
  return { if: ifSchema, then: thenSchema, ...(elseSchema ? { else: elseSchema } : {}) };
}

function jsonSchema(schema: z.ZodType, title: string, description: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { $schema: _ignored, ...generated } = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input" }) as Record<string, unknown>;
  return { $schema: "https://json-schema.org/draft/2020-12/schema", title, description, ...generated, ...extra };
}

export const QUALITY_HOLD_JSON_SCHEMA: Record<string, unknown> = jsonSchema(
  qualityHoldPayloadSchema,
  "Quality hold (QMS → SAP batch stock type / Odoo stock.lot + quality.alert)",
  "A batch put on hold (HOLD) or released (RELEASE) by the QMS. SAP maps fromStockType → targetStockType to a transfer posting; Odoo to stock.lot / quality.alert.",
  {
    allOf: [
      conditional({ properties: { action: { const: "HOLD" } } }, { properties: { targetStockType: { enum: QUALITY_HOLD_TARGETS.HOLD } } }),
      conditional({ properties: { action: { const: "RELEASE" } } }, { properties: { targetStockType: { enum: QUALITY_HOLD_TARGETS.RELEASE } } }),
      { dependentRequired: { quantity: ["unit"], unit: ["quantity"] } },
    ],
  },
);

export const INSPECTION_RESULT_JSON_SCHEMA: Record<string, unknown> = jsonSchema(
  inspectionResultPayloadSchema,
  "Inspection result (QMS → SAP inspection lot results and usage decision)",
  "Results of an inspection lot and, with status DECIDED, its usage decision (A accept / R reject).",
  {
    allOf: [
      conditional(
        { properties: { status: { const: "DECIDED" } } },
        { required: ["usageDecisionCode", "usageDecision", "targetStockType", "decidedAt"] },
        {
          not: {
            anyOf: [{ required: ["usageDecisionCode"] }, { required: ["usageDecision"] }, { required: ["targetStockType"] }, { required: ["decidedAt"] }],
          },
        },
      ),
    ],
  },
);

/** What the lead registers in server/corrections/payload-schemas.ts. */
export const QMS_PAYLOAD_SCHEMAS = { QUALITY_HOLD: QUALITY_HOLD_JSON_SCHEMA, INSPECTION_RESULT: INSPECTION_RESULT_JSON_SCHEMA } as const;

// ---------------------------------------------------------------------------------------------
// The shared sample's event shape (shared/domain/samples/qms-quality-hold.json)
// ---------------------------------------------------------------------------------------------

export const qmsHoldEventSchema = z.object({
  eventType: z.literal("quality.hold"),
  source: z.string().optional(),
  plant: z.string().min(1),
  lot: z.string().min(1),
  material: z.string().min(1),
  reason: z.string().min(1),
  inspectionLot: z.string().optional(),
  action: z.enum(["block", "release"]),
  targets: z.array(z.string()).optional(),
  occurredAt: timestamp,
  correlationId: z.string().optional(),
});
export type QmsHoldEvent = z.infer<typeof qmsHoldEventSchema>;

/** Andon plant codes → ERP plants of the QMS sites. */
export const ERP_PLANT_BY_SITE: Readonly<Record<string, string>> = { "DE-HAM": "1000", "PL-WRO": "4000" };

/**
 * The sample's event (lot, action block/release, Andon plant code) as a QUALITY_HOLD payload. A
 * `block` holds to BLOCKED, a `release` releases to UNRESTRICTED.
 */
export function fromQmsHoldEvent(event: unknown, plantBySite: Readonly<Record<string, string>> = ERP_PLANT_BY_SITE): QualityHoldPayload {
  const parsed = qmsHoldEventSchema.parse(event);
  const erpPlant = plantBySite[parsed.plant] ?? parsed.plant;
  return qualityHoldPayloadSchema.parse({
    action: parsed.action === "block" ? "HOLD" : "RELEASE",
    material: parsed.material,
    plant: erpPlant,
    batch: parsed.lot,
    targetStockType: parsed.action === "block" ? "BLOCKED" : "UNRESTRICTED",
    reason: parsed.reason,
    ...(parsed.inspectionLot ? { inspectionLot: parsed.inspectionLot } : {}),
    occurredAt: parsed.occurredAt,
  });
}
