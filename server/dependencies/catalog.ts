import { z } from "zod";
import { type DbClient, type Prisma, db } from "../db";
import { RefKind } from "../db/generated/enums";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can } from "../policy";
import type { Edge } from "./graph";

/**
 * The dependency catalog (interface_dependency): what its actions share. One action per file
 * (add-dependency, update-dependency, remove-dependency, list-dependencies, set-auto-replay); every
 * change is audited with before and after in its own transaction, under one advisory lock so two
 * concurrent additions cannot close a cycle between them.
 */
export type Admin = Principal & { email: string };
export const actorOf = (u: Admin) => ({ type: "user" as const, id: u.id, label: u.email });

const code = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^[A-Z][A-Z0-9_]{1,63}$/, `${what} must be an interface code such as GOODS_MOVEMENT`);
const description = z.string().trim().min(3, "Say in a few words why the dependent waits").max(500, "The description is limited to 500 characters");
export const addDependencySchema = z
  .object({
    prerequisite: code("prerequisite"),
    dependent: code("dependent"),
    refKind: z.enum(RefKind, "refKind must be a business object kind such as LOT or PRODUCTION_ORDER"),
    description,
    enabled: z.boolean().optional(),
  })
  .strict();
export const updateDependencySchema = z
  .object({ description, enabled: z.boolean(), refKind: z.enum(RefKind, "refKind must be a business object kind such as LOT or PRODUCTION_ORDER") })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export const setAutoReplaySchema = z.object({ autoReplayOnRelease: z.boolean() }).strict();

export type DependencyView = {
  id: string;
  prerequisite: { id: string; code: string; name: string };
  dependent: { id: string; code: string; name: string; autoReplayOnRelease: boolean; requiresApproval: boolean };
  refKind: RefKind;
  description: string;
  enabled: boolean;
  updatedAt: string;
};

export function guard(user: Principal): void {
  if (!can(user, "dependency.manage")) throw forbidden("Only administrators manage dependencies between interfaces");
}

/** Serialises the catalog's writers (held until the transaction ends). */
export async function lockCatalog(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('interface_dependency'), 0)`;
}

export async function edges(client: DbClient = db()): Promise<(Edge & { id: string; enabled: boolean })[]> {
  const rows = await client.interfaceDependency.findMany({ select: { id: true, prerequisiteInterfaceId: true, dependentInterfaceId: true, enabled: true } });
  return rows.map((r) => ({ id: r.id, prerequisite: r.prerequisiteInterfaceId, dependent: r.dependentInterfaceId, enabled: r.enabled }));
}

export async function views(client: DbClient = db(), where: Prisma.InterfaceDependencyWhereInput = {}): Promise<DependencyView[]> {
  const rows = await client.interfaceDependency.findMany({ where, orderBy: { createdAt: "asc" } });
  if (rows.length === 0) return [];
  const ifaces = await client.interface.findMany({
    where: { id: { in: [...new Set(rows.flatMap((r) => [r.prerequisiteInterfaceId, r.dependentInterfaceId]))] } },
    select: { id: true, code: true, name: true, autoReplayOnRelease: true, requiresApproval: true },
  });
  const byId = new Map(ifaces.map((i) => [i.id, i]));
  return rows
    .map((r) => {
      const p = byId.get(r.prerequisiteInterfaceId)!;
      const d = byId.get(r.dependentInterfaceId)!;
      return {
        id: r.id,
        prerequisite: { id: p.id, code: p.code, name: p.name },
        dependent: { id: d.id, code: d.code, name: d.name, autoReplayOnRelease: d.autoReplayOnRelease, requiresApproval: d.requiresApproval },
        refKind: r.refKind,
        description: r.description,
        enabled: r.enabled,
        updatedAt: r.updatedAt.toISOString(),
      };
    })
    .sort((a, b) => a.dependent.code.localeCompare(b.dependent.code) || a.prerequisite.code.localeCompare(b.prerequisite.code));
}

/** What the audit records of a dependency, before and after a change. */
export const auditable = (v: DependencyView) => ({
  prerequisite: v.prerequisite.code,
  dependent: v.dependent.code,
  refKind: v.refKind,
  description: v.description,
  enabled: v.enabled,
});

export async function findDependency(client: DbClient, id: string): Promise<DependencyView> {
  if (!z.uuid().safeParse(id).success) throw notFound("Dependency");
  const [v] = await views(client, { id });
  if (!v) throw notFound("Dependency");
  return v;
}

/** A unique violation of (prerequisite, dependent, refKind) as the answer the admin gets. */
export function duplicate(err: unknown): AppError | null {
  const e = err as { code?: string; message?: string };
  if (e?.code === "P2002" || /interface_dependency_prerequisite_interface_id_dependent_in_key|Unique constraint/i.test(e?.message ?? "")) {
    return new AppError(409, "dependency_exists", "This dependency (same prerequisite, dependent and business object) exists already");
  }
  return null;
}
