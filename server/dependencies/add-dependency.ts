import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";
import { type Admin, type DependencyView, actorOf, addDependencySchema, auditable, duplicate, edges, findDependency, guard, lockCatalog } from "./catalog";
import { cycleThrough } from "./graph";

/**
 * An administrator adds a prerequisite between two interfaces on a business object kind. Refused: an
 * unknown interface (422), the same dependency twice (409), and one that would close a cycle (400, naming
 * the path) — checked inside the transaction, under the catalog's lock, against every dependency
 * (disabled ones too). Audited (dependency.created) in the same transaction.
 */
export async function addDependency(admin: Admin, input: unknown): Promise<DependencyView> {
  guard(admin);
  const req = addDependencySchema.parse(input);
  if (req.prerequisite === req.dependent) throw new AppError(400, "dependency_cycle", "An interface cannot be its own prerequisite");
  const ifaces = await db().interface.findMany({ where: { code: { in: [req.prerequisite, req.dependent] } }, select: { id: true, code: true } });
  const idOf = new Map(ifaces.map((i) => [i.code, i.id]));
  const unknown = [req.prerequisite, req.dependent].filter((c) => !idOf.has(c));
  if (unknown.length) throw new AppError(422, "unknown_interface", `No interface ${unknown.join(", ")}`);
  const edge = { prerequisite: idOf.get(req.prerequisite)!, dependent: idOf.get(req.dependent)! };
  try {
    return await db().$transaction(async (tx) => {
      await lockCatalog(tx);
      const all = await edges(tx);
      const path = cycleThrough(all, edge);
      if (path) {
        const codes = await tx.interface.findMany({ where: { id: { in: path } }, select: { id: true, code: true } });
        const name = new Map(codes.map((c) => [c.id, c.code]));
        throw new AppError(
          400,
          "dependency_cycle",
          `${req.prerequisite} → ${req.dependent} would close a cycle: ${[...path.map((id) => name.get(id) ?? id), req.dependent].join(" → ")}. Exceptions on it would wait on each other forever`,
        );
      }
      const row = await tx.interfaceDependency.create({
        data: {
          prerequisiteInterfaceId: edge.prerequisite,
          dependentInterfaceId: edge.dependent,
          refKind: req.refKind,
          description: req.description,
          enabled: req.enabled ?? true,
        },
      });
      const view = await findDependency(tx, row.id);
      await append(tx, {
        type: "dependency.created",
        actor: actorOf(admin),
        subject: { type: "interface_dependency", id: row.id },
        data: { dependencyId: row.id, prerequisite: req.prerequisite, dependent: req.dependent, refKind: req.refKind, before: null, after: auditable(view) },
      });
      return view;
    });
  } catch (err) {
    throw duplicate(err) ?? err;
  }
}
