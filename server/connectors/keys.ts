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

export async function issueConnectorKey(opts: {
  connectorId: string;
  actor: { type: "user"; id: string; label: string } | { type: "system"; label: string };
  reason: "demo_setup" | "admin_request";
}): Promise<string> {
  const key = generateConnectorKey();
  await db().$transaction(async (tx) => {
    const connector = await tx.connector.update({ where: { id: opts.connectorId }, data: { apiKeyHash: hashConnectorKey(key) } });
    await append(tx, {
      type: "connector.key_issued",
      actor: opts.actor,
      plantId: connector.plantId,
      subject: { type: "connector", id: connector.id },
      data: { connectorName: connector.name, reason: opts.reason },
    });
  });
  cache.clear();
  return key;
}

// Authentication runs on every ingest request: cache lookups briefly. A revoked or rotated key stops
// working within CACHE_MS.
const CACHE_MS = 30_000;
const cache = new Map<string, { principal: ConnectorPrincipal | null; until: number }>();

export async function authenticateConnector(authorization: string | null): Promise<ConnectorPrincipal> {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match) throw new AppError(401, "unauthorized", "Send the connector key as 'Authorization: Bearer <key>'");
  const hash = hashConnectorKey(match[1]!);
  const now = Date.now();
  let hit = cache.get(hash);
  if (!hit || hit.until < now) {
    const connector = await db().connector.findUnique({ where: { apiKeyHash: hash }, include: { plant: { select: { code: true } } } });
    hit = {
      principal: connector ? { connectorId: connector.id, connectorName: connector.name, plantId: connector.plantId, plantCode: connector.plant.code } : null,
      until: now + CACHE_MS,
    };
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, hit);
  }
  if (!hit.principal) throw new AppError(401, "unauthorized", "Unknown or revoked connector key");
  return hit.principal;
}
