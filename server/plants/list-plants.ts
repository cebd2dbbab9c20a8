import { type DbClient, db } from "../db";
import type { Severity } from "../db/generated/enums";
import { OPEN_STATUSES } from "../exceptions/lifecycle";
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

type OpenExceptions = PlantSummary["openExceptions"];
const LATEST = 5;

/** Open exceptions per plant: counts by severity and the most recent few. */
async function openExceptionsOf(client: DbClient, plantIds: string[]): Promise<Map<string, OpenExceptions>> {
  const out = new Map<string, OpenExceptions>(plantIds.map((id) => [id, { total: 0, bySeverity: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 }, latest: [] }]));
  if (plantIds.length === 0) return out;
  const open = { plantId: { in: plantIds }, status: { in: [...OPEN_STATUSES] } };
  const counts = await client.exception.groupBy({ by: ["plantId", "severity"], where: open, _count: { _all: true } });
  for (const c of counts) {
    const o = out.get(c.plantId)!;
    o.bySeverity[c.severity as Severity] = c._count._all;
    o.total += c._count._all;
  }
  const latest = await Promise.all(
    plantIds.map((plantId) =>
      client.exception.findMany({
        where: { ...open, plantId },
        orderBy: { lastSeenAt: "desc" },
        take: LATEST,
        select: {
          id: true,
          plantId: true,
          severity: true,
          errorCode: true,
          errorMessage: true,
          lastSeenAt: true,
          interface: { select: { code: true } },
          transaction: { select: { businessKey: true } },
        },
      }),
    ),
  );
  for (const e of latest.flat()) {
    out.get(e.plantId)!.latest.push({
      id: e.id,
      interfaceCode: e.interface.code,
      severity: e.severity,
      errorCode: e.errorCode,
      errorMessage: e.errorMessage.slice(0, 300),
      lastSeenAt: e.lastSeenAt.toISOString(),
      businessKey: e.transaction.businessKey,
    });
  }
  return out;
}

export function toSummary(p: PlantRow, openExceptions: OpenExceptions): PlantSummary {
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
        backlog: s.connector.reportedBacklog,
        replaysPausedUntil: s.connector.replayPausedUntil && s.connector.replayPausedUntil > new Date() ? s.connector.replayPausedUntil.toISOString() : null,
        disabled: s.connector.disabledAt !== null,
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
    openExceptions,
  };
}

/** The plants a user may see, with systems, connectors and interfaces. */
export async function listPlants(user: Principal, client: DbClient = db()): Promise<PlantSummary[]> {
  const rows = await client.plant.findMany({ where: plantWhere(user), orderBy: { code: "asc" }, include });
  const open = await openExceptionsOf(
    client,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toSummary(r, open.get(r.id)!));
}

export async function getPlantSummary(id: string, client: DbClient = db()): Promise<PlantSummary | null> {
  const row = await loadOne(client, { id });
  return row && toSummary(row, (await openExceptionsOf(client, [row.id])).get(row.id)!);
}
