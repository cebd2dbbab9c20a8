import { createHash, randomBytes } from "node:crypto";
import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";

/**
 * Connector API keys: shown once when issued, stored only as sha256 (a key is 192 random bits, so a
 * fast hash is enough; argon2 is for human passwords). Each key is bound to one connector, hence one plant.
 */
export type ConnectorPrincipal = { connectorId: string; connectorName: string; plantId: string; plantCode: string };

export function hashConnectorKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function generateConnectorKey(): string {
  return `andon_ck_${randomBytes(24).toString("base64url")}`;
}

/** What may be shown of a key after it was issued: the prefix and its first six random characters. */
export function connectorKeyHint(key: string): string {
  return `${key.slice(0, "andon_ck_".length + 6)}…`;
}

type Tx = Parameters<Parameters<ReturnType<typeof db>["$transaction"]>[0]>[0];
type KeyActor = { type: "user"; id: string; label: string } | { type: "system"; label: string };

/**
 * A new or revoked key also forgets the push-replay endpoint and its signing secret: they were registered
 * with the old key, so whoever held it chose them. The connector registers again with its new key (until
 * then new replays are offered for pull). The cleared URL is audited in the same transaction.
 */
const NO_ENDPOINT = { replayUrl: null, replaySecret: null } as const;
async function auditEndpointCleared(tx: Tx, connector: { id: string; plantId: string }, replayUrl: string | null, actor: KeyActor) {
  if (!replayUrl) return;
  await append(tx, {
    type: "connector.updated",
    actor,
    plantId: connector.plantId,
    subject: { type: "connector", id: connector.id },
    data: { connectorId: connector.id, before: { replayUrl }, after: { replayUrl: null } },
  });
}

/**
 * Issues a new key for a connector and returns it (the only time it exists in clear). The previous key's
 * hash is replaced in the same statement, so the old key is refused from the next request on: keys are
 * looked up on every request, never cached, so revocation holds on every instance at once.
 */
export async function issueConnectorKey(opts: {
  connectorId: string;
  actor: KeyActor;
  reason: "demo_setup" | "admin_request" | "connector_created";
  tx?: Tx;
}): Promise<string> {
  const key = generateConnectorKey();
  const run = async (tx: Tx) => {
    const before = await tx.connector.findUniqueOrThrow({ where: { id: opts.connectorId }, select: { apiKeyHint: true, replayUrl: true } });
    const connector = await tx.connector.update({
      where: { id: opts.connectorId },
      data: { apiKeyHash: hashConnectorKey(key), apiKeyHint: connectorKeyHint(key), apiKeyIssuedAt: new Date(), ...NO_ENDPOINT },
    });
    await append(tx, {
      type: "connector.key_issued",
      actor: opts.actor,
      plantId: connector.plantId,
      subject: { type: "connector", id: connector.id },
      data: { connectorName: connector.name, reason: opts.reason, keyHint: connector.apiKeyHint!, revokedKeyHint: before.apiKeyHint },
    });
    await auditEndpointCleared(tx, connector, before.replayUrl, opts.actor);
  };
  if (opts.tx) await run(opts.tx);
  else await db().$transaction(run);
  return key;
}

/** Removes a connector's key: its requests are refused from now on, until an administrator issues a new one. */
export async function revokeConnectorKey(opts: { connectorId: string; actor: { type: "user"; id: string; label: string } }): Promise<void> {
  await db().$transaction(async (tx) => {
    const before = await tx.connector.findUniqueOrThrow({ where: { id: opts.connectorId }, select: { apiKeyHint: true, replayUrl: true } });
    const connector = await tx.connector.update({
      where: { id: opts.connectorId },
      data: { apiKeyHash: null, apiKeyHint: null, apiKeyIssuedAt: null, ...NO_ENDPOINT },
    });
    await append(tx, {
      type: "connector.key_revoked",
      actor: opts.actor,
      plantId: connector.plantId,
      subject: { type: "connector", id: connector.id },
      data: { connectorName: connector.name, revokedKeyHint: before.apiKeyHint },
    });
    await auditEndpointCleared(tx, connector, before.replayUrl, opts.actor);
  });
}

/**
 * Authenticates a connector request by its bearer key: one lookup of the key's sha256 by a unique index
 * on every request (a batch carries thousands of events, so this is cheap), no cache — a rotated or
 * revoked key (401) or a disabled connector (403) is refused at once on every instance.
 */
export async function authenticateConnector(authorization: string | null): Promise<ConnectorPrincipal> {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match) throw new AppError(401, "unauthorized", "Send the connector key as 'Authorization: Bearer <key>'");
  const connector = await db().connector.findUnique({
    where: { apiKeyHash: hashConnectorKey(match[1]!) },
    select: { id: true, name: true, plantId: true, disabledAt: true, plant: { select: { code: true } } },
  });
  if (!connector) throw new AppError(401, "unauthorized", "Unknown or revoked connector key");
  // The key is right but the connector is out of service: 403 (not 401), so its operators know a new key will not help.
  if (connector.disabledAt)
    throw new AppError(
      403,
      "connector_disabled",
      `Connector ${connector.name} (${connector.plant.code}) was disabled by an administrator on ${connector.disabledAt.toISOString()}: nothing is accepted from it until it is enabled again`,
    );
  return { connectorId: connector.id, connectorName: connector.name, plantId: connector.plantId, plantCode: connector.plant.code };
}
