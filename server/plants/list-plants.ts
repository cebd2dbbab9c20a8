import { type DbClient, db } from "../db";
import { type Principal, plantWhere } from "../policy";
import type { PlantSummary } from "./types";

const include = {
  systems: { orderBy: { kind: "asc" }, include: { connector: true } },
  interfaces: { include: { interface: true }, orderBy: { interface: { code: "asc" } } },
} as const;

type PlantRow = NonNullable<Awaited<ReturnType<typeof loadOne>>>;

function loadOne(client: DbClient, where: { id: string } | { code: string }) {
  return client.plant.findFirst({ where, include });
}

export function toSummary(p: PlantRow): PlantSummary {
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    timezone: p.timezone,
    updatedAt: p.updatedAt.toISOString(),
    systems: p.systems.map((s) => ({
      kind: s.kind,
      description: s.description,
      connector: s.connector && {
        id: s.connector.id,
        name: s.connector.name,
        state: s.connector.state,
        version: s.connector.version,
        lastHeartbeatAt: s.connector.lastHeartbeatAt?.toISOString() ?? null,
      },
    })),
    interfaces: p.interfaces.map(({ interface: i, enabled }) => ({
      code: i.code,
      name: i.name,
      sourceSystem: i.sourceSystem,
      targetSystems: i.targetSystems,
      syncMode: i.syncMode,
      latencySloMs: i.latencySloMs,
      criticality: i.criticality,
      requiresApproval: i.requiresApproval,
      enabled,
    })),
  };
}

/** The plants a user may see, with systems, connectors and interfaces. */
export async function listPlants(user: Principal, client: DbClient = db()): Promise<PlantSummary[]> {
  const rows = await client.plant.findMany({ where: plantWhere(user), orderBy: { code: "asc" }, include });
  return rows.map(toSummary);
}

export async function getPlantSummary(id: string, client: DbClient = db()): Promise<PlantSummary | null> {
  const row = await loadOne(client, { id });
  return row && toSummary(row);
}
