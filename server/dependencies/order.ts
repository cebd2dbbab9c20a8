import { type DbClient, db } from "../db";
import { depths } from "./graph";

/** Each interface's depth in the enabled dependency catalog (0: no prerequisite): sort by it for "dependency order". */
export async function dependencyDepths(client: DbClient = db()): Promise<Map<string, number>> {
  const rows = await client.interfaceDependency.findMany({ where: { enabled: true }, select: { prerequisiteInterfaceId: true, dependentInterfaceId: true } });
  return depths(rows.map((r) => ({ prerequisite: r.prerequisiteInterfaceId, dependent: r.dependentInterfaceId })));
}
