import { db } from "../db";
import { RefKind } from "../db/generated/enums";
import type { Principal } from "../policy";
import { type DependencyView, guard, views } from "./catalog";

/** The catalog for the admin page: every dependency, the interfaces one can choose and the business object kinds. */
export async function listDependencies(user: Principal): Promise<{
  dependencies: DependencyView[];
  interfaces: { id: string; code: string; name: string; autoReplayOnRelease: boolean; requiresApproval: boolean }[];
  refKinds: RefKind[];
}> {
  guard(user);
  const [dependencies, interfaces] = await Promise.all([
    views(db()),
    db().interface.findMany({ select: { id: true, code: true, name: true, autoReplayOnRelease: true, requiresApproval: true }, orderBy: { code: "asc" } }),
  ]);
  return { dependencies, interfaces, refKinds: Object.values(RefKind) };
}
