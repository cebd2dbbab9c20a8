import { z } from "zod";
import { append } from "../audit";
import { issueConnectorKey, revokeConnectorKey } from "../connectors/keys";
import { db } from "../db";
import { SystemKind } from "../db/generated/enums";
import { AppError, forbidden, notFound } from "../http/errors";
import { type Principal, can } from "../policy";

/**
 * Connector administration: register a connector for a plant's system (its first key is returned once),
 * rename it, change its replay limits and mode or allow its push replays to reach private addresses, rotate its
 * key (the new key is returned once, the old one is refused from the next request on; the registered
 * replay endpoint is forgotten with it) or revoke it. Every change is audited with before and after;
 * keys themselves are never stored or audited, only their sha256 and a short hint. Administrators see
 * where push replays go (the URL), never the signing secret.
 */
/** A connector's name: printable text (a NUL or control character is refused here, not by the database). */
const connectorName = z
  .string()
  .trim()
  .min(2, "Name needs at least 2 characters")
  .max(80)
  .regex(/^[^\p{Cc}]*$/u, "Name cannot contain control characters");
export const createConnectorSchema = z
  .object({
    plant: z.string().trim().min(1).max(40),
    system: z.enum(SystemKind),
    name: connectorName,
    description: z.string().trim().max(200).optional(),
  })
  .strict();
export const updateConnectorSchema = z
  .object({
    name: connectorName,
    replayRatePerSec: z.number().int().min(1).max(1000),
    replayConcurrency: z.number().int().min(1).max(64),
    /** Push replays may go to private, loopback and link-local addresses (a connector inside the plant network). */
    replayAllowPrivate: z.boolean(),
    /**
     * push: replays are sent to the endpoint the connector registered with its key (only the connector
     * can register one: it holds the signing secret); pull: the endpoint is forgotten and the connector
     * fetches its replays, until it registers an endpoint again.
     */
    replayMode: z.enum(["push", "pull"]),
  })
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export const connectorKeyActionSchema = z.object({ action: z.enum(["rotate", "revoke"]) }).strict();

export type ConnectorAdminView = {
  id: string;
  name: string;
  plant: string;
  /** The plant's time zone: the connector's instants are shown in it. */
  plantZone: string;
  system: SystemKind;
  version: string | null;
  state: string;
  lastHeartbeatAt: string | null;
  keyHint: string | null;
  keyIssuedAt: string | null;
  replayMode: "push" | "pull";
  /** Where push replays go (registered by the connector with its key); the secret is never shown. */
  replayUrl: string | null;
  replayAllowPrivate: boolean;
  replayRatePerSec: number;
  replayConcurrency: number;
  /** Set while an administrator has taken the connector out of service. */
  disabledAt: string | null;
};

export type Admin = Principal & { email: string };
export const actorOf = (a: Admin) => ({ type: "user" as const, id: a.id, label: a.email });
export const select = {
  id: true,
  name: true,
  version: true,
  state: true,
  lastHeartbeatAt: true,
  apiKeyHint: true,
  apiKeyIssuedAt: true,
  replayUrl: true,
  replaySecret: true,
  replayAllowPrivate: true,
  replayRatePerSec: true,
  replayConcurrency: true,
  plantId: true,
  disabledAt: true,
  plant: { select: { code: true, timezone: true } },
  system: { select: { kind: true } },
} as const;
type Row = {
  id: string;
  name: string;
  version: string | null;
  state: string;
  lastHeartbeatAt: Date | null;
  apiKeyHint: string | null;
  apiKeyIssuedAt: Date | null;
  replayUrl: string | null;
  replaySecret: string | null;
  replayAllowPrivate: boolean;
  replayRatePerSec: number;
  replayConcurrency: number;
  disabledAt: Date | null;
  plant: { code: string; timezone: string };
  system: { kind: SystemKind };
};
export const view = (c: Row): ConnectorAdminView => ({
  id: c.id,
  name: c.name,
  plant: c.plant.code,
  plantZone: c.plant.timezone,
  system: c.system.kind,
  version: c.version,
  state: c.state,
  lastHeartbeatAt: c.lastHeartbeatAt?.toISOString() ?? null,
  keyHint: c.apiKeyHint,
  keyIssuedAt: c.apiKeyIssuedAt?.toISOString() ?? null,
  replayMode: c.replayUrl && c.replaySecret ? "push" : "pull",
  replayUrl: c.replayUrl,
  replayAllowPrivate: c.replayAllowPrivate,
  replayRatePerSec: c.replayRatePerSec,
  replayConcurrency: c.replayConcurrency,
  disabledAt: c.disabledAt?.toISOString() ?? null,
});
const auditable = (c: ConnectorAdminView) => ({
  name: c.name,
  plant: c.plant,
  system: c.system,
  replayRatePerSec: c.replayRatePerSec,
  replayConcurrency: c.replayConcurrency,
  replayAllowPrivate: c.replayAllowPrivate,
  replayMode: c.replayMode,
  replayUrl: c.replayUrl,
});

export function guard(user: Principal) {
  if (!can(user, "connector.manage")) throw forbidden("Only administrators manage connectors");
}

export async function find(id: string) {
  if (!z.uuid().safeParse(id).success) throw notFound("Connector");
  const c = await db().connector.findUnique({ where: { id }, select });
  if (!c) throw notFound("Connector");
  return c;
}

export async function listConnectors(user: Principal): Promise<ConnectorAdminView[]> {
  guard(user);
  const rows = await db().connector.findMany({ select, orderBy: [{ plant: { code: "asc" } }, { name: "asc" }] });
  return rows.map(view);
}

/** A new connector for a plant's system (the system is registered on the way if the plant has none of that kind). */
export async function createConnector(admin: Admin, input: unknown): Promise<{ connector: ConnectorAdminView; key: string }> {
  guard(admin);
  const data = createConnectorSchema.parse(input);
  const plant = await db().plant.findUnique({ where: { code: data.plant }, select: { id: true } });
  if (!plant) throw new AppError(422, "unknown_plant", `No plant ${data.plant}`);
  return db().$transaction(async (tx) => {
    const system = (await tx.plantSystem.findUnique({
      where: { plantId_kind: { plantId: plant.id, kind: data.system } },
      include: { connector: { select: { name: true } } },
    })) ?? {
      ...(await tx.plantSystem.create({ data: { plantId: plant.id, kind: data.system, description: data.description ?? data.name } })),
      connector: null,
    };
    if (system.connector)
      throw new AppError(409, "connector_exists", `${data.plant} already has a ${data.system} connector (${system.connector.name}); rotate its key instead`);
    const created = await tx.connector.create({ data: { plantId: plant.id, systemId: system.id, name: data.name }, select });
    const after = auditable(view(created));
    await append(tx, {
      type: "connector.created",
      actor: actorOf(admin),
      plantId: plant.id,
      subject: { type: "connector", id: created.id },
      data: { connectorId: created.id, before: null, after },
    });
    const key = await issueConnectorKey({ connectorId: created.id, actor: actorOf(admin), reason: "connector_created", tx });
    return { connector: view(await tx.connector.findUniqueOrThrow({ where: { id: created.id }, select })), key };
  });
}

export async function updateConnector(admin: Admin, id: string, input: unknown): Promise<ConnectorAdminView> {
  guard(admin);
  const existing = await find(id);
  const { replayMode, ...change } = updateConnectorSchema.parse(input);
  const mode = view(existing).replayMode;
  if (replayMode === "push" && mode === "pull")
    throw new AppError(
      409,
      "push_needs_endpoint",
      "Push replays start when the connector registers its replay endpoint with its key (it holds the signing secret); until then it pulls its replays",
    );
  // Switching to pull forgets the endpoint and its secret: nothing is pushed any more.
  const data = replayMode === "pull" && mode === "push" ? { ...change, replayUrl: null, replaySecret: null } : change;
  return db().$transaction(async (tx) => {
    const updated = view(await tx.connector.update({ where: { id }, data, select }));
    await append(tx, {
      type: "connector.updated",
      actor: actorOf(admin),
      plantId: existing.plantId,
      subject: { type: "connector", id },
      data: { connectorId: id, before: auditable(view(existing)), after: auditable(updated) },
    });
    return updated;
  });
}

/** rotate: a new key, returned once (the old one is refused from now on); revoke: no key at all. */
export async function changeConnectorKey(admin: Admin, id: string, input: unknown): Promise<{ connector: ConnectorAdminView; key: string | null }> {
  guard(admin);
  await find(id);
  const { action } = connectorKeyActionSchema.parse(input);
  let key: string | null = null;
  if (action === "rotate") key = await issueConnectorKey({ connectorId: id, actor: actorOf(admin), reason: "admin_request" });
  else await revokeConnectorKey({ connectorId: id, actor: actorOf(admin) });
  return { connector: view(await find(id)), key };
}
