import { type DbClient, db } from "../db";
import { type Principal, plantWhere } from "../policy";

/**
 * The plants a user may see, for pickers and filters (pages read them here, not from the database
 * themselves): code order, with the interfaces each plant runs.
 */
export async function visiblePlants(user: Principal, client: DbClient = db()) {
  const rows = await client.plant.findMany({
    where: plantWhere(user),
    orderBy: { code: "asc" },
    select: { id: true, code: true, name: true, timezone: true, interfaces: { select: { interface: { select: { code: true } } } } },
  });
  return rows.map((p) => ({ id: p.id, code: p.code, name: p.name, timezone: p.timezone, interfaceCodes: p.interfaces.map((i) => i.interface.code).sort() }));
}
export type VisiblePlant = Awaited<ReturnType<typeof visiblePlants>>[number];

/** Every interface code of the catalog, in order (a filter's choices). */
export async function interfaceCodes(client: DbClient = db()): Promise<string[]> {
  return (await client.interface.findMany({ select: { code: true }, orderBy: { code: "asc" } })).map((i) => i.code);
}
