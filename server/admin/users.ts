import { z } from "zod";
import { append } from "../audit";
import { hashPassword } from "../auth/password";
import { db } from "../db";
import { Role } from "../db/generated/enums";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can } from "../policy";
import { userAccessChanged } from "../realtime/revoke";

/**
 * User administration: create, change role and plant scope, deactivate or reactivate. Users are never
 * deleted — they are the actors of the audit trail. Every change is audited with before and after
 * (never the password); an administrator cannot deactivate or demote themselves (no lock-out).
 */
const plantCodes = z.array(z.string().trim().min(1).max(40)).max(100);
export const createUserSchema = z
  .object({
    email: z
      .email()
      .max(200)
      .transform((e) => e.toLowerCase()),
    name: z.string().trim().min(2).max(120),
    role: z.enum(Role),
    plants: plantCodes.default([]),
    password: z.string().min(12, "An initial password has at least 12 characters").max(200),
  })
  .strict();
export const updateUserSchema = z
  .object({ name: z.string().trim().min(2).max(120), role: z.enum(Role), plants: plantCodes, active: z.boolean() })
  .partial()
  .strict();

export type UserView = { id: string; email: string; name: string; role: Role; plants: string[]; active: boolean; createdAt: string };

type Admin = Principal & { email: string };
const include = { plants: { include: { plant: { select: { code: true } } } } } as const;
const view = (u: {
  id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  createdAt: Date;
  plants: { plant: { code: string } }[];
}): UserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  active: u.active,
  createdAt: u.createdAt.toISOString(),
  plants: u.plants.map((p) => p.plant.code).sort(),
});
const auditable = (u: UserView) => ({ email: u.email, name: u.name, role: u.role, plants: u.plants, active: u.active });

function guard(user: Principal) {
  if (!can(user, "user.manage")) throw forbidden("Only administrators manage users");
}

async function plantIds(codes: string[]): Promise<string[]> {
  const plants = await db().plant.findMany({ where: { code: { in: codes } }, select: { id: true, code: true } });
  const unknown = codes.filter((c) => !plants.some((p) => p.code === c));
  if (unknown.length) throw new AppError(422, "unknown_plant", `No plant ${unknown.join(", ")}`);
  return plants.map((p) => p.id);
}

export async function listUsers(user: Principal): Promise<UserView[]> {
  guard(user);
  return (await db().user.findMany({ include, orderBy: [{ active: "desc" }, { email: "asc" }] })).map(view);
}

export async function createUser(admin: Admin, input: unknown): Promise<UserView> {
  guard(admin);
  const data = createUserSchema.parse(input);
  if (await db().user.findUnique({ where: { email: data.email }, select: { id: true } }))
    throw new AppError(409, "email_taken", `A user ${data.email} exists already`);
  const ids = await plantIds(data.plants);
  const passwordHash = await hashPassword(data.password);
  return db().$transaction(async (tx) => {
    const u = view(
      await tx.user.create({
        data: { email: data.email, name: data.name, role: data.role, passwordHash, plants: { create: ids.map((plantId) => ({ plantId })) } },
        include,
      }),
    );
    await append(tx, {
      type: "user.created",
      actor: { type: "user", id: admin.id, label: admin.email },
      subject: { type: "user", id: u.id },
      data: { userId: u.id, before: null, after: auditable(u) },
    });
    return u;
  });
}

export async function updateUser(admin: Admin, id: string, input: unknown): Promise<UserView> {
  guard(admin);
  if (!z.uuid().safeParse(id).success) throw notFound("User");
  const existing = await db().user.findUnique({ where: { id }, include });
  if (!existing) throw notFound("User");
  const change = updateUserSchema.parse(input);
  if (id === admin.id && (change.active === false || (change.role && change.role !== "ADMIN"))) {
    throw new AppError(409, "self_lockout", "You cannot deactivate yourself or give up your own administrator role");
  }
  const ids = change.plants ? await plantIds(change.plants) : null;
  const before = view(existing);
  const updated = await db().$transaction(async (tx) => {
    if (ids) {
      await tx.userPlant.deleteMany({ where: { userId: id } });
      if (ids.length) await tx.userPlant.createMany({ data: ids.map((plantId) => ({ userId: id, plantId })) });
    }
    const u = view(await tx.user.update({ where: { id }, data: { name: change.name, role: change.role, active: change.active }, include }));
    await append(tx, {
      type: "user.updated",
      actor: { type: "user", id: admin.id, label: admin.email },
      subject: { type: "user", id },
      data: { userId: id, before: auditable(before), after: auditable(u) },
    });
    return u;
  });
  // After commit: every instance re-applies the user's access to their open sockets (rooms left, deactivated disconnected).
  await userAccessChanged(id);
  return updated;
}
