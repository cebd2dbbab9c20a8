import { z } from "zod";
import { type DbClient, db, pool } from "../db";
import { forbidden } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";

export const timelineQuerySchema = z.object({ correlationId: z.string().trim().min(1, "correlationId is required").max(200) });

export type TimelineEntry = {
  transactionId: string;
  plantCode: string;
  interfaceCode: string;
  messageId: string;
  businessKey: string | null;
  hop: string;
  source: string;
  target: string;
  outcome: string;
  at: string;
  latencyMs: number | null;
  attempt: number | null;
  errorCode: string | null;
};

type HopState = { outcome: string; at: string; latencyMs?: number; attempt?: number; errorCode?: string };

/**
 * The path of one business message across systems: every hop of every transaction sharing the
 * correlationId (a quality hold fans out to SAP and Odoo; an order release is confirmed back by the
 * MES), in time order. Scoped to the plants the user may see.
 */
export async function correlationTimeline(user: Principal, input: unknown, client: DbClient = db()): Promise<TimelineEntry[]> {
  if (!can(user, "transaction.read")) throw forbidden("Your role cannot read transaction history");
  const { correlationId } = timelineQuerySchema.parse(input);
  const rows = await client.transaction.findMany({
    where: { correlationId, ...plantScope(user) },
    include: { plant: { select: { code: true } }, interface: { select: { code: true } } },
    take: 500,
  });
  if (rows.length === 0) return [];
  // Every event from telemetry, in the transactions' time window (day partitions + BRIN keep it narrow).
  const from = new Date(Math.min(...rows.map((t) => t.firstSeenAt.getTime())));
  const to = new Date(Math.max(...rows.map((t) => t.lastEventAt.getTime())));
  const byKey = new Map(rows.map((t) => [`${t.plantId}|${t.interfaceId}|${t.messageId}`, t]));
  const events = await pool().query<{ plant_id: string; interface_id: string; message_id: string; hop_source: string; hop_target: string; outcome: string;
    occurred_at: Date; latency_ms: number; attempt: number; error_code: string | null }>(
    `SELECT plant_id, interface_id, message_id, hop_source, hop_target, outcome, occurred_at, latency_ms, attempt, error_code
     FROM telemetry_event WHERE occurred_at BETWEEN $1 AND $2 AND correlation_id = $3 AND plant_id = ANY($4::uuid[])
     ORDER BY occurred_at, id LIMIT 2000`,
    [from, to, correlationId, [...new Set(rows.map((t) => t.plantId))]],
  );
  if (events.rows.length > 0) {
    return events.rows.flatMap((e) => {
      const t = byKey.get(`${e.plant_id}|${e.interface_id}|${e.message_id}`);
      if (!t) return [];
      return [{
        transactionId: t.id, plantCode: t.plant.code, interfaceCode: t.interface.code, messageId: t.messageId, businessKey: t.businessKey,
        hop: `${e.hop_source}>${e.hop_target}`, source: e.hop_source, target: e.hop_target, outcome: e.outcome.toLowerCase(), at: e.occurred_at.toISOString(),
        latencyMs: e.latency_ms, attempt: e.attempt, errorCode: e.error_code,
      }];
    });
  }
  // Telemetry past retention: the last known state of each hop.
  const entries = rows.flatMap((t) =>
    Object.entries(t.hops as Record<string, HopState>).map(([hop, h]) => {
      const [source = "", target = ""] = hop.split(">");
      return {
        transactionId: t.id, plantCode: t.plant.code, interfaceCode: t.interface.code, messageId: t.messageId, businessKey: t.businessKey,
        hop, source, target, outcome: h.outcome, at: h.at, latencyMs: h.latencyMs ?? null, attempt: h.attempt ?? null, errorCode: h.errorCode ?? null,
      };
    }),
  );
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
