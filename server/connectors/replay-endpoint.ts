import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { requireAllowedDestination } from "../net/destination";
import type { ConnectorPrincipal } from "./keys";

/**
 * A connector announces where it receives push replays and the HMAC secret for signing them
 * (authenticated by its own key, so only that connector can point its replays somewhere). Audited.
 * The URL must be https (unless the deployment allows http) and resolve to public addresses only,
 * unless an administrator allowed private destinations for this connector (replayAllowPrivate); the
 * replay worker checks again on every push.
 */
export const replayEndpointSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: "url must be an http(s) URL" }),
    secret: z.string().min(32, "the signing secret must be at least 32 characters").max(200),
  })
  .strict();

export async function registerReplayEndpoint(connector: ConnectorPrincipal, input: unknown): Promise<void> {
  const { url, secret } = replayEndpointSchema.parse(input);
  const { replayAllowPrivate } = await db().connector.findUniqueOrThrow({ where: { id: connector.connectorId }, select: { replayAllowPrivate: true } });
  await requireAllowedDestination(url, { allowPrivate: replayAllowPrivate, what: "Replay endpoint" });
  await db().$transaction(async (tx) => {
    await tx.connector.update({ where: { id: connector.connectorId }, data: { replayUrl: url, replaySecret: secret } });
    await append(tx, {
      type: "connector.replay_endpoint_registered",
      actor: { type: "connector", id: connector.connectorId, label: connector.connectorName },
      plantId: connector.plantId,
      subject: { type: "connector", id: connector.connectorId },
      data: { url },
    });
  });
}
