import { append } from "../audit";
import { db } from "../db";
import { type Admin, actorOf, auditable, findDependency, guard, lockCatalog } from "./catalog";

/** An administrator removes a dependency: audited (dependency.deleted, with what it was) in the same transaction. */
export async function removeDependency(admin: Admin, id: string): Promise<{ id: string }> {
  guard(admin);
  await findDependency(db(), id);
  return db().$transaction(async (tx) => {
    await lockCatalog(tx);
    const before = await findDependency(tx, id); // 404 when another admin removed it meanwhile
    await tx.interfaceDependency.delete({ where: { id } });
    await append(tx, {
      type: "dependency.deleted",
      actor: actorOf(admin),
      subject: { type: "interface_dependency", id },
      data: {
        dependencyId: id,
        prerequisite: before.prerequisite.code,
        dependent: before.dependent.code,
        refKind: before.refKind,
        before: auditable(before),
        after: null,
      },
    });
    return { id };
  });
}
