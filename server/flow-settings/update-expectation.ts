import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";
import { type Admin, actorOf, conflict, expectedUpdatedAtSchema, linkedInterface, plantFor } from "./access";

/**
 * Expected traffic of a flow (plant × interface linked in plant_interface): messages per window during
 * production time (or always), below min ⇒ STOPPED, above max ⇒ FLOOD (server/monitor). Saved as read:
 * the form sends the updatedAt it read (null: it read none), a change meanwhile ⇒ 409. Audited
 * expectation.updated with before/after (and suggested: true when the admin accepted the suggestion).
 */
export const expectationInputSchema = z
  .object({
    windowMinutes: z.number().int().min(5, "A window is at least 5 minutes").max(1440, "A window is at most a day (1440 minutes)"),
    minCount: z.number().int().min(0, "The minimum is 0 or more").max(10_000_000),
    maxCount: z.number().int().min(1, "The maximum is at least 1 (or none)").max(10_000_000).nullable(),
    productionOnly: z.boolean(),
    enabled: z.boolean(),
    expectedUpdatedAt: expectedUpdatedAtSchema,
    suggested: z.boolean().optional(),
  })
  .strict()
  .refine((v) => v.maxCount === null || v.maxCount >= v.minCount, { message: "The maximum is at least the minimum", path: ["maxCount"] });

export type ExpectationView = {
  windowMinutes: number;
  minCount: number;
  maxCount: number | null;
  productionOnly: boolean;
  enabled: boolean;
  updatedAt: string;
};

type Row = { windowMinutes: number; minCount: number; maxCount: number | null; productionOnly: boolean; enabled: boolean; updatedAt: Date };
export const expectationView = (r: Row): ExpectationView => ({
  windowMinutes: r.windowMinutes,
  minCount: r.minCount,
  maxCount: r.maxCount,
  productionOnly: r.productionOnly,
  enabled: r.enabled,
  updatedAt: r.updatedAt.toISOString(),
});
const auditable = (r: Omit<ExpectationView, "updatedAt">) => ({
  windowMinutes: r.windowMinutes,
  minCount: r.minCount,
  maxCount: r.maxCount,
  productionOnly: r.productionOnly,
  enabled: r.enabled,
});

export async function updateExpectation(admin: Admin, plantCode: unknown, interfaceCode: unknown, input: unknown): Promise<ExpectationView> {
  const plant = await plantFor(admin, plantCode, "expectation.manage", "Only administrators set expected traffic");
  const link = await linkedInterface(plant, interfaceCode);
  const { expectedUpdatedAt, suggested, ...next } = expectationInputSchema.parse(input);
  const interfaceId = link.interface.id;
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('flow_settings'), hashtext(${`${plant.id}:${interfaceId}`}))`;
    const existing = await tx.flowExpectation.findUnique({ where: { plantId_interfaceId: { plantId: plant.id, interfaceId } } });
    const read = expectedUpdatedAt === null ? null : new Date(expectedUpdatedAt).getTime();
    if ((existing?.updatedAt.getTime() ?? null) !== read) throw conflict(`The expected traffic of ${link.interface.code} at ${plant.code}`);
    const before = existing ? auditable(existing) : null;
    if (before && JSON.stringify(before) === JSON.stringify(auditable(next))) throw new AppError(409, "no_change", "The expectation already has these values");
    const row = await tx.flowExpectation.upsert({
      where: { plantId_interfaceId: { plantId: plant.id, interfaceId } },
      create: { plantId: plant.id, interfaceId, ...next, updatedById: admin.id },
      update: { ...next, updatedById: admin.id },
    });
    await append(tx, {
      type: "expectation.updated",
      actor: actorOf(admin),
      plantId: plant.id,
      subject: { type: "interface", id: interfaceId },
      data: { plantCode: plant.code, interfaceCode: link.interface.code, before, after: auditable(row), ...(suggested ? { suggested: true } : {}) },
    });
    return expectationView(row);
  });
}
