import { z } from "zod";

/**
 * MAINT_WORK_ORDER: a maintenance work order and its status as the CMMS publishes it (the JSON form
 * Andon stores and corrects). The Odoo helper maps it to `maintenance.request`:
 *
 * | field             | maintenance.request                                                    |
 * | ----------------- | ---------------------------------------------------------------------- |
 * | description       | name                                                                   |
 * | equipment (+ serial) | equipment_id (by serial_no / name)                                  |
 * | maintenanceType   | maintenance_type (corrective / preventive)                              |
 * | priority 1–4      | priority "3" (1 very high), "2", "1", "0" (4 low)                       |
 * | plannedStart      | schedule_date                                                          |
 * | status            | stage_id: CREATED/RELEASED → New Request, IN_PROGRESS → In Progress, COMPLETED/CLOSED → Repaired |
 *
 * Spare-part consumption against the work order is not in this form: it goes to SAP as
 * SPARE_PARTS_USAGE (MBGMCR03, movement type 261 against the order), see state.ts.
 */

export const WORK_ORDER_STATUSES = ["CREATED", "RELEASED", "IN_PROGRESS", "COMPLETED", "CLOSED"] as const;
export const workOrderStatusSchema = z.enum(WORK_ORDER_STATUSES);
export type WorkOrderStatus = z.infer<typeof workOrderStatusSchema>;

const timestamp = z.iso.datetime({ offset: true });

export const reservationSchema = z
  .object({
    reservation: z
      .string()
      .regex(/^[0-9]{10}$/)
      .describe("Reservation number (SAP RSNUM)"),
    item: z
      .string()
      .regex(/^[0-9]{4}$/)
      .describe("Reservation item (RSPOS)"),
    material: z.string().min(1).max(40),
    quantity: z.number().positive(),
    unit: z.string().min(1).max(3),
    storageLocation: z
      .string()
      .regex(/^[0-9A-Z]{4}$/)
      .optional(),
    withdrawnQuantity: z.number().min(0).describe("Already consumed against the reservation"),
  })
  .strict();

export const maintWorkOrderPayloadSchema = z
  .object({
    workOrder: z
      .string()
      .regex(/^[0-9]{7,12}$/)
      .describe("Work order number (the same number is the SAP maintenance order, zero-padded to 12)"),
    erpOrder: z
      .string()
      .regex(/^[0-9]{12}$/)
      .optional()
      .describe("The ERP's order number (SAP AUFNR) when it differs in form"),
    plant: z
      .string()
      .regex(/^[0-9A-Z]{4}$/)
      .describe("Maintenance plant (SAP WERKS)"),
    equipment: z.string().min(1).max(18).describe("Equipment number in the CMMS"),
    equipmentDescription: z.string().max(80).optional(),
    equipmentSerialNumber: z.string().max(30).optional(),
    functionalLocation: z.string().max(40).optional(),
    description: z.string().min(1).max(120),
    maintenanceType: z.enum(["CORRECTIVE", "PREVENTIVE"]),
    priority: z.enum(["1", "2", "3", "4"]).describe("1 very high, 2 high, 3 medium, 4 low"),
    status: workOrderStatusSchema,
    plannedStart: timestamp,
    plannedEnd: timestamp.optional(),
    reservations: z.array(reservationSchema),
    changedAt: timestamp,
  })
  .strict()
  .superRefine((wo, ctx) => {
    if (wo.plannedEnd && wo.plannedEnd < wo.plannedStart) ctx.addIssue({ code: "custom", path: ["plannedEnd"], message: "before plannedStart" });
  });
export type MaintWorkOrderPayload = z.infer<typeof maintWorkOrderPayloadSchema>;
export type Reservation = z.infer<typeof reservationSchema>;

export const MAINT_WORK_ORDER_JSON_SCHEMA: Record<string, unknown> = (() => {
  const { $schema: _ignored, ...generated } = z.toJSONSchema(maintWorkOrderPayloadSchema, { target: "draft-2020-12", io: "input" }) as Record<string, unknown>;
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    title: "Maintenance work order (CMMS → Odoo maintenance.request)",
    description: "A CMMS work order with status (CREATED → RELEASED → IN_PROGRESS → COMPLETED → CLOSED) and spare-part reservations.",
    ...generated,
  };
})();

/** What the lead registers in server/corrections/payload-schemas.ts. */
export const CMMS_PAYLOAD_SCHEMAS = { MAINT_WORK_ORDER: MAINT_WORK_ORDER_JSON_SCHEMA } as const;
