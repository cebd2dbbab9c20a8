import { z } from "zod";
import { append } from "../audit";
import { db } from "../db";
import { type Admin, type ConnectorAdminView, actorOf, find, guard, select, view } from "./connectors";

/**
 * Takes a connector out of service or puts it back (administrators). While disabled its key is refused
 * with 403 on ingest, heartbeats and replay pulls (server/connectors/keys.ts), the "connector silent" rule
 * ignores it (server/alerts/evaluate.ts) and the dashboards leave it out of connector health. Nothing is
 * deleted: enabling it again restores it with the same key. The change and its audit event are one
 * transaction, conditional on the state read (a second click changes nothing and audits nothing).
 */
export const connectorServiceSchema = z.object({ enabled: z.boolean() }).strict();

export async function setConnectorService(admin: Admin, id: string, input: unknown): Promise<ConnectorAdminView> {
  guard(admin);
  const { enabled } = connectorServiceSchema.parse(input);
  const existing = await find(id);
  return db().$transaction(async (tx) => {
    const disabledAt = enabled ? null : new Date();
    const moved = await tx.connector.updateMany({ where: { id, disabledAt: enabled ? { not: null } : null }, data: { disabledAt } });
    const row = await tx.connector.findUniqueOrThrow({ where: { id }, select });
    if (moved.count === 1)
      await append(tx, {
        type: enabled ? "connector.enabled" : "connector.disabled",
        actor: actorOf(admin),
        plantId: existing.plantId,
        subject: { type: "connector", id },
        data: { connectorId: id, connectorName: row.name, disabledAt: disabledAt?.toISOString() ?? null },
      });
    return view(row);
  });
}
