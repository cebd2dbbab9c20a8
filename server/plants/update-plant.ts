import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can, denial } from "../policy";
import { publishToPlant } from "../realtime/publish";
import { getPlantSummary } from "./list-plants";
import type { PlantSummary } from "./types";

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const plantUpdateSchema = z
  .object({
    name: z.string().trim().min(2, "Name needs at least 2 characters").max(80, "Name is limited to 80 characters").optional(),
    timezone: z.string().refine(isTimeZone, "Unknown IANA time zone").optional(),
  })
  .strict()
  .refine((v) => v.name !== undefined || v.timezone !== undefined, "Nothing to update: give name and/or timezone");
export type PlantUpdate = z.infer<typeof plantUpdateSchema>;

export const plantCreateSchema = z
  .object({
    code: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9][A-Z0-9-]{1,19}$/, "Code is 2–20 letters, digits or dashes, e.g. PLT-OSL"),
    name: z.string().trim().min(2, "Name needs at least 2 characters").max(80, "Name is limited to 80 characters"),
    timezone: z.string().refine(isTimeZone, "Unknown IANA time zone"),
  })
  .strict();

/**
 * Admin registers a new plant (audited). It starts with no systems, connectors or interfaces: the
 * administrator then adds its connectors and enables its interfaces (both audited too).
 */
export async function createPlant(opts: { user: Principal & { email: string }; input: unknown }): Promise<PlantSummary> {
  if (!can(opts.user, "plant.create")) throw forbidden("Only administrators add plants");
  const input = plantCreateSchema.parse(opts.input);
  if (await db().plant.findUnique({ where: { code: input.code }, select: { id: true } }))
    throw new AppError(409, "plant_exists", `A plant ${input.code} exists already`);
  const id = await db().$transaction(async (tx) => {
    const plant = await tx.plant.create({ data: input });
    await append(tx, {
      type: "plant.created",
      actor: { type: "user", id: opts.user.id, label: opts.user.email },
      plantId: plant.id,
      subject: { type: "plant", id: plant.id },
      data: { after: input },
    });
    return plant.id;
  });
  const summary = await getPlantSummary(id);
  if (!summary) throw notFound("Plant");
  return summary;
}

/** Admin edits a plant's display name or time zone: audited in the same transaction, then broadcast. */
export async function updatePlant(opts: { user: Principal & { email?: string }; code: string; input: unknown }): Promise<PlantSummary> {
  // Who may, before what: a role that may not edit plants learns nothing about the expected input.
  if (!can(opts.user, "plant.update")) throw forbidden("Only administrators can edit plants");
  const input = plantUpdateSchema.parse(opts.input);
  const plant = await db().plant.findUnique({ where: { code: opts.code } });
  if (!plant) throw notFound("Plant");
  if (!can(opts.user, "plant.update", { plantId: plant.id })) {
    throw denial(opts.user, { plantId: plant.id }) === "not_found" ? notFound("Plant") : forbidden("Only administrators can edit plants");
  }
  const after = { name: input.name ?? plant.name, timezone: input.timezone ?? plant.timezone };
  if (after.name === plant.name && after.timezone === plant.timezone) {
    throw new AppError(409, "no_change", "The plant already has these values");
  }
  await db().$transaction(async (tx) => {
    await tx.plant.update({ where: { id: plant.id }, data: after });
    await append(tx, {
      type: "plant.updated",
      actor: { type: "user", id: opts.user.id, label: opts.user.email ?? opts.user.id },
      plantId: plant.id,
      subject: { type: "plant", id: plant.id },
      data: { before: { name: plant.name, timezone: plant.timezone }, after },
    });
  });
  const summary = await getPlantSummary(plant.id);
  if (!summary) throw notFound("Plant");
  publishToPlant(plant.id, "plant.updated", summary);
  return summary;
}
