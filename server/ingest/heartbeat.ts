import type { ConnectorPrincipal } from "../connectors/keys";
import { db } from "../db";
import type { ConnectorState } from "../db/generated/enums";
import { getPlantSummary } from "../plants/list-plants";
import { publishToPlant } from "../realtime/publish";
import { heartbeatSchema } from "./schema";

const STATE: Record<"online" | "degraded" | "offline", ConnectorState> = { online: "ONLINE", degraded: "DEGRADED", offline: "OFFLINE" };

/** Records a connector's heartbeat; a state change is pushed live to the plant's watchers. */
export async function recordHeartbeat(connector: ConnectorPrincipal, body: unknown): Promise<void> {
  const hb = heartbeatSchema.parse(body);
  const before = await db().connector.findUniqueOrThrow({ where: { id: connector.connectorId }, select: { state: true, version: true } });
  await db().connector.update({
    where: { id: connector.connectorId },
    data: { version: hb.version, state: STATE[hb.state], lastHeartbeatAt: new Date(), reportedBacklog: hb.backlog, oldestPendingAgeS: hb.oldestPendingAgeS },
  });
  if (before.state !== STATE[hb.state] || before.version !== hb.version) {
    const summary = await getPlantSummary(connector.plantId);
    if (summary) publishToPlant(connector.plantId, "plant.updated", summary);
  }
}
