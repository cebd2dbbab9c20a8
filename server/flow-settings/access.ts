import { z } from "zod";
import { db } from "../db";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Action, type Principal, can, canSeePlant } from "../policy";

/**
 * Access to a plant's flow-monitoring settings (calendar, expected traffic, batch schedules, owners):
 * a plant the user may not see does not exist for them (404); a visible plant they may not configure is
 * forbidden (403). Shared by server/calendar, server/flow-settings and server/owners.
 */
export type Admin = Principal & { email: string };

export const plantCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9][A-Z0-9-]{1,19}$/, "Not a plant code");

export type AdminPlant = { id: string; code: string; name: string; timezone: string };

export async function plantFor(user: Principal, code: unknown, action: Action, why: string): Promise<AdminPlant> {
  const parsed = plantCodeSchema.safeParse(code);
  if (!parsed.success) throw notFound("Plant");
  const plant = await db().plant.findUnique({ where: { code: parsed.data }, select: { id: true, code: true, name: true, timezone: true } });
  if (!plant || !canSeePlant(user, plant.id)) throw notFound("Plant");
  if (!can(user, action, { plantId: plant.id })) throw forbidden(why);
  return plant;
}

/** The interface linked to the plant (plant_interface), by code; anything else is 404. */
export async function linkedInterface(plant: AdminPlant, code: unknown) {
  const parsed = z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z0-9_]{2,60}$/)
    .safeParse(code);
  if (!parsed.success) throw notFound("Interface");
  const link = await db().plantInterface.findFirst({
    where: { plantId: plant.id, interface: { code: parsed.data } },
    select: {
      enabled: true,
      technicalOwnerId: true,
      businessOwnerId: true,
      interface: { select: { id: true, code: true, name: true, syncMode: true, criticality: true } },
    },
  });
  if (!link) throw notFound(`Interface ${parsed.data} at ${plant.code}`);
  return link;
}

export const actorOf = (admin: Admin) => ({ type: "user" as const, id: admin.id, label: admin.email });

/** The optimistic-concurrency token a form sends back: the updatedAt it read (ISO), or null when it read none. */
export const expectedUpdatedAtSchema = z.iso.datetime({ offset: true, message: "expectedUpdatedAt is the updatedAt you read (ISO 8601), or null" }).nullable();

export const conflict = (what: string) =>
  new AppError(409, "conflict", `${what} was changed by someone else since you opened it: reload to see their change, then edit again`);

/** "HH:MM" ⇄ minutes after midnight. */
export const hhmmSchema = z
  .string()
  .trim()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "A time is HH:MM (00:00–23:59)")
  .transform((s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5)));
export const hhmm = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
