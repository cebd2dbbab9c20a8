import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";
import { type Admin, type DependencyView, actorOf, auditable, duplicate, findDependency, guard, lockCatalog, updateDependencySchema } from "./catalog";

/**
 * An administrator changes a dependency's description, business object kind or whether it is in force
 * (a disabled one blocks nothing). The edge itself (which interfaces) is not edited: remove it and add
 * another, so the cycle check stays where edges are made. Audited (dependency.updated) with before and
 * after, in the same transaction; nothing changed is a 409.
 */
export async function updateDependency(admin: Admin, id: string, input: unknown): Promise<DependencyView> {
  guard(admin);
  await findDependency(db(), id);
  const fields = updateDependencySchema.parse(input);
  try {
    return await db().$transaction(async (tx) => {
      await lockCatalog(tx);
      const before = await findDependency(tx, id);
      await tx.interfaceDependency.update({ where: { id }, data: fields });
      const after = await findDependency(tx, id);
      const [b, a] = [auditable(before), auditable(after)];
      if (JSON.stringify(b) === JSON.stringify(a)) throw new AppError(409, "no_change", "The dependency already has these values");
      await append(tx, {
        type: "dependency.updated",
        actor: actorOf(admin),
        subject: { type: "interface_dependency", id },
        data: { dependencyId: id, prerequisite: after.prerequisite.code, dependent: after.dependent.code, refKind: after.refKind, before: b, after: a },
      });
      return after;
    });
  } catch (err) {
    throw duplicate(err) ?? err;
  }
}
