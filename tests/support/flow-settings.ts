import { randomUUID } from "node:crypto";
import { seedDemoUsers, seedReference } from "../../prisma/seed";
import { loadPrincipal } from "../../server/auth/principal";
import { db } from "../../server/db";
import { errorResponse } from "../../server/http/handler";
import { createPlant } from "../../server/plants/update-plant";

/** Shared by tests/integration/flow-settings*.test.ts: demo actors, a fresh plant, and the HTTP answer an action's error becomes. */
export type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;

export async function actors() {
  await seedReference(db());
  await seedDemoUsers(db());
  const actor = async (email: string) => (await loadPrincipal((await db().user.findUniqueOrThrow({ where: { email } })).id))!;
  return {
    admin: await actor("admin@andon.local"),
    auditor: await actor("auditor@andon.local"),
    operator: await actor("operator@andon.local"),
    manager: await actor("manager@andon.local"),
    managerMty: await actor("manager.mty@andon.local"),
  };
}

/**
 * A new plant (code T-xxxxxx) in `timezone`, linked to the given catalog interfaces, with its own operator
 * (OPERATOR) and manager (VIEWER) who see only it (the demo users' scopes stay as seeded: other files count on them).
 */
export async function testPlant(admin: Actor, timezone: string, interfaces: string[] = []) {
  const code = `T-${randomUUID().slice(0, 6).toUpperCase()}`;
  const plant = await createPlant({ user: admin, input: { code, name: "Flow settings test plant", timezone } });
  const ifaces = await db().interface.findMany({ where: { code: { in: interfaces } }, select: { id: true, code: true } });
  for (const i of ifaces) await db().plantInterface.create({ data: { plantId: plant.id, interfaceId: i.id } });
  const user = async (role: "OPERATOR" | "VIEWER") => {
    const u = await db().user.create({
      data: {
        email: `${role.toLowerCase()}.${code.toLowerCase()}@test.local`,
        name: `${role} of ${code}`,
        role,
        passwordHash: "x",
        plants: { create: [{ plantId: plant.id }] },
      },
    });
    return (await loadPrincipal(u.id))!;
  };
  return { id: plant.id, code, interfaces: new Map(ifaces.map((i) => [i.code, i.id])), operator: await user("OPERATOR"), manager: await user("VIEWER") };
}

/** The actor's current scope (after testPlant added a plant to it). */
export const reload = async (actor: Actor): Promise<Actor> => (await loadPrincipal(actor.id))!;

/** What a route handler would answer for this action: its status and message (never a 5xx for client input). */
export async function answer(p: Promise<unknown>): Promise<{ status: number; message: string; code: string }> {
  try {
    await p;
    return { status: 200, message: "", code: "" };
  } catch (err) {
    const res = errorResponse(err);
    const body = (await res.json()) as { error: { code: string; message: string } };
    return { status: res.status, message: body.error.message, code: body.error.code };
  }
}

export const events = (type: string, plantId: string | null = null) =>
  db().auditEvent.findMany({ where: { type, ...(plantId ? { plantId } : {}) }, orderBy: { id: "asc" } });

/** Bodies an attacker may send: wrong types, prototype keys, deep nesting, huge strings, NUL characters. */
export const HOSTILE: unknown[] = [
  null,
  42,
  "text",
  [],
  { __proto__: { admin: true } },
  JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}'),
  { name: "\u0000", weekdays: [1], start: "06:00", end: "07:00" },
  { name: "x".repeat(100_000), weekdays: [1], start: "06:00", end: "07:00" },
  { windowMinutes: "60", minCount: -1, maxCount: Number.POSITIVE_INFINITY, productionOnly: "yes", enabled: 1, expectedUpdatedAt: "yesterday" },
  JSON.parse(`${"[".repeat(500)}${"]".repeat(500)}`),
];
