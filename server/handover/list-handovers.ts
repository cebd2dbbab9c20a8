import { z } from "zod";
import { db } from "../db";
import { type HandoverPlant, type HandoverView, handoverPlant, present } from "./handover-view";
import type { Principal } from "../policy";

export const listQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** Page on: handovers of shifts that started before this instant (the previous page's `nextBefore`). */
    before: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export type HandoverList = { plant: HandoverPlant; handovers: HandoverView[]; nextBefore: string | null };

/** A plant's handovers, newest shift first. */
export async function listHandovers(user: Principal, code: string, query: unknown): Promise<HandoverList> {
  const plant = await handoverPlant(user, code);
  const q = listQuerySchema.parse(query ?? {});
  const rows = await db().handover.findMany({
    where: { plantId: plant.id, ...(q.before ? { shiftStart: { lt: new Date(q.before) } } : {}) },
    orderBy: { shiftStart: "desc" },
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  return {
    plant,
    handovers: await present(user, plant, page),
    nextBefore: rows.length > q.limit ? (page[page.length - 1]?.shiftStart.toISOString() ?? null) : null,
  };
}
