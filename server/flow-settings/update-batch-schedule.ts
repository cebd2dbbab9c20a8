import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";
import { type Admin, actorOf, conflict, expectedUpdatedAtSchema, linkedInterface, plantFor } from "./access";
import { CronError, nextRuns } from "./cron";

/**
 * A batch interface's schedule at a plant: a run starts at each occurrence of `cron` (5 fields, the
 * plant's zone) and must have delivered at least minMessages within completeWithinMinutes, else a
 * MISSED_RUN finding (server/monitor). Saved as read (updatedAt; changed meanwhile ⇒ 409); audited
 * batch_schedule.updated with before/after.
 */
export const batchScheduleInputSchema = z
  .object({
    cron: z.string().trim().min(1, "A schedule has 5 fields, e.g. 0 5 * * *").max(120, "A schedule is at most 120 characters"),
    completeWithinMinutes: z.number().int().min(1, "Complete within at least 1 minute").max(10_080, "Complete within at most a week"),
    minMessages: z.number().int().min(1, "A run delivers at least 1 message").max(10_000_000),
    enabled: z.boolean(),
    expectedUpdatedAt: expectedUpdatedAtSchema,
  })
  .strict();

export type BatchScheduleView = {
  cron: string;
  completeWithinMinutes: number;
  minMessages: number;
  enabled: boolean;
  updatedAt: string;
  /** The next 3 runs (instants; shown in the plant's zone). */
  nextRuns: string[];
};

type Row = { cron: string; completeWithinMinutes: number; minMessages: number; enabled: boolean; updatedAt: Date };
export function batchScheduleView(r: Row, zone: string, now = new Date()): BatchScheduleView {
  let runs: string[] = [];
  try {
    runs = nextRuns(r.cron, zone, now, 3).map((d) => d.toISOString());
  } catch {
    // a stored schedule that no longer parses (e.g. the plant's zone changed): shown without runs
  }
  return {
    cron: r.cron,
    completeWithinMinutes: r.completeWithinMinutes,
    minMessages: r.minMessages,
    enabled: r.enabled,
    updatedAt: r.updatedAt.toISOString(),
    nextRuns: runs,
  };
}
const auditable = (r: Omit<Row, "updatedAt">) => ({
  cron: r.cron,
  completeWithinMinutes: r.completeWithinMinutes,
  minMessages: r.minMessages,
  enabled: r.enabled,
});

export async function updateBatchSchedule(admin: Admin, plantCode: unknown, interfaceCode: unknown, input: unknown): Promise<BatchScheduleView> {
  const plant = await plantFor(admin, plantCode, "expectation.manage", "Only administrators set batch schedules");
  const link = await linkedInterface(plant, interfaceCode);
  const { expectedUpdatedAt, ...parsed } = batchScheduleInputSchema.parse(input);
  const next = { ...parsed, cron: parsed.cron.split(/\s+/).join(" ") };
  try {
    nextRuns(next.cron, plant.timezone, new Date(), 1);
  } catch (err) {
    if (err instanceof CronError) throw new AppError(400, "invalid_cron", err.message);
    throw err;
  }
  const interfaceId = link.interface.id;
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('flow_settings'), hashtext(${`${plant.id}:${interfaceId}`}))`;
    const existing = await tx.batchSchedule.findUnique({ where: { plantId_interfaceId: { plantId: plant.id, interfaceId } } });
    const read = expectedUpdatedAt === null ? null : new Date(expectedUpdatedAt).getTime();
    if ((existing?.updatedAt.getTime() ?? null) !== read) throw conflict(`The batch schedule of ${link.interface.code} at ${plant.code}`);
    const before = existing ? auditable(existing) : null;
    if (before && JSON.stringify(before) === JSON.stringify(auditable(next))) throw new AppError(409, "no_change", "The schedule already has these values");
    const row = await tx.batchSchedule.upsert({
      where: { plantId_interfaceId: { plantId: plant.id, interfaceId } },
      create: { plantId: plant.id, interfaceId, ...next, updatedById: admin.id },
      update: { ...next, updatedById: admin.id },
    });
    await append(tx, {
      type: "batch_schedule.updated",
      actor: actorOf(admin),
      plantId: plant.id,
      subject: { type: "interface", id: interfaceId },
      data: { plantCode: plant.code, interfaceCode: link.interface.code, before, after: auditable(row) },
    });
    return batchScheduleView(row, plant.timezone);
  });
}
