import { z } from "zod";
import { type DbClient, db, pool } from "../db";
import { forbidden } from "../http/errors";
import { type Principal, can, plantScope } from "../policy";

export const timelineQuerySchema = z.object({
  correlationId: z.string().trim().min(1, "correlationId is required").max(200),
  /** The plant whose message this is, by code (URLs) or id (callers holding the transaction). */
  plant: z.string().trim().min(1).max(40).optional(),
  plantId: z.uuid().optional(),
});

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
 * The visible plant a correlation id names a message in: the one asked for, else the plant that saw it
 * first; null when no visible plant has it. A correlation id is the connector's word and connectors of
 * different plants can send the same one, so it names a message only within one plant: a timeline or
 * history never merges two plants' messages.
 */
export async function correlationPlant(
  user: Principal,
  q: { correlationId: string; plant?: string; plantId?: string },
  client: DbClient = db(),
): Promise<string | null> {
  const first = await client.transaction.findFirst({
    where: {
      AND: [plantScope(user), { correlationId: q.correlationId }, q.plantId ? { plantId: q.plantId } : {}, q.plant ? { plant: { code: q.plant } } : {}],
    },
    orderBy: [{ firstSeenAt: "asc" }, { id: "asc" }],
    select: { plantId: true },
  });
  return first?.plantId ?? null;
}

/** At most this many events are listed (oldest first); a message retried more often shows its first ones. */
const TIMELINE_EVENTS = 2000;

/**
 * The path of one business message across systems: every hop of every transaction of one plant sharing
 * the correlationId (a quality hold fans out to SAP and Odoo; an order release is confirmed back by the
 * MES), in time order. Scoped to the plants the user may see, and to one plant (see correlationPlant).
 * Telemetry is read by (plant_id, correlation_id, occurred_at) — one index probe per day partition —
 * so an event back-dated by a month costs a few more probes, not a scan of the month between.
 */
export async function correlationTimeline(user: Principal, input: unknown, client: DbClient = db()): Promise<TimelineEntry[]> {
  if (!can(user, "transaction.read")) throw forbidden("Your role cannot read transaction history");
  const q = timelineQuerySchema.parse(input);
  const plantId = await correlationPlant(user, q, client);
  if (!plantId) return [];
  return plantTimeline(plantId, q.correlationId, client);
}

/**
 * The timeline of one correlation id within one plant, unchecked: for callers that already decided the
 * user may see this message's path (correlationTimeline above; a late-message finding of a plant in the
 * user's scope, server/findings).
 */
export async function plantTimeline(plantId: string, correlationId: string, client: DbClient = db()): Promise<TimelineEntry[]> {
  const rows = await client.transaction.findMany({
    where: { plantId, correlationId },
    include: { plant: { select: { code: true } }, interface: { select: { code: true } } },
    orderBy: [{ firstSeenAt: "asc" }, { id: "asc" }],
    take: 500,
  });
  return transactionsTimeline(
    rows.map((t) => ({ ...t, plantCode: t.plant.code, interfaceCode: t.interface.code })),
    TIMELINE_EVENTS,
  );
}

/** A transaction as transactionsTimeline needs it. */
export type TimelineTransaction = {
  id: string;
  plantId: string;
  plantCode: string;
  interfaceId: string;
  interfaceCode: string;
  correlationId: string;
  messageId: string;
  businessKey: string | null;
  firstSeenAt: Date;
  lastEventAt: Date;
  hops: unknown;
};

/**
 * Every hop of the given transactions (already decided visible), in time order, at most `limit` events: one
 * telemetry read by (plant_id, correlation_id, occurred_at), each plant × correlation id within its own time
 * window (index probes of the day partitions of that window only), keeping the events of exactly these transactions. A transaction whose telemetry
 * is past retention shows the last known state of each hop (its hops column). Shared by a message's timeline
 * (plantTimeline) and the traceability of a business object (server/trace), which lists several messages.
 */
export async function transactionsTimeline(rows: TimelineTransaction[], limit: number = TIMELINE_EVENTS): Promise<TimelineEntry[]> {
  if (rows.length === 0) return [];
  // One window per plant × correlation id (its transactions' first to last event): each probes the index of the
  // day partitions within its own window only (run-time partition pruning of the lateral scan), however far apart
  // the windows lie — the transactions of one lot can span the whole month.
  const windows = new Map<string, { plantId: string; correlationId: string; from: number; to: number }>();
  for (const t of rows) {
    const key = `${t.plantId}|${t.correlationId}`;
    const w = windows.get(key);
    if (!w) windows.set(key, { plantId: t.plantId, correlationId: t.correlationId, from: t.firstSeenAt.getTime(), to: t.lastEventAt.getTime() });
    else {
      w.from = Math.min(w.from, t.firstSeenAt.getTime());
      w.to = Math.max(w.to, t.lastEventAt.getTime());
    }
  }
  const ws = [...windows.values()];
  const byKey = new Map(rows.map((t) => [`${t.plantId}|${t.interfaceId}|${t.messageId}`, t]));
  const cap = Math.max(1, Math.floor(limit));
  const events = await pool().query<{
    plant_id: string;
    interface_id: string;
    message_id: string;
    hop_source: string;
    hop_target: string;
    outcome: string;
    occurred_at: Date;
    latency_ms: number;
    attempt: number;
    error_code: string | null;
  }>(
    `SELECT e.plant_id, e.interface_id, e.message_id, e.hop_source, e.hop_target, e.outcome, e.occurred_at, e.latency_ms, e.attempt, e.error_code
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[]) AS w(plant_id, correlation_id, f, t)
     CROSS JOIN LATERAL (
       SELECT x.id, x.plant_id, x.interface_id, x.message_id, x.hop_source, x.hop_target, x.outcome, x.occurred_at, x.latency_ms, x.attempt, x.error_code
       FROM telemetry_event x WHERE x.plant_id = w.plant_id AND x.correlation_id = w.correlation_id AND x.occurred_at BETWEEN w.f AND w.t
       ORDER BY x.occurred_at, x.id LIMIT ${cap}
     ) e
     ORDER BY e.occurred_at, e.id LIMIT ${cap}`,
    [ws.map((w) => w.plantId), ws.map((w) => w.correlationId), ws.map((w) => new Date(w.from)), ws.map((w) => new Date(w.to))],
  );
  const seen = new Set<string>();
  const entries: TimelineEntry[] = events.rows.flatMap((e) => {
    const t = byKey.get(`${e.plant_id}|${e.interface_id}|${e.message_id}`);
    if (!t) return [];
    seen.add(t.id);
    return [
      {
        transactionId: t.id,
        plantCode: t.plantCode,
        interfaceCode: t.interfaceCode,
        messageId: t.messageId,
        businessKey: t.businessKey,
        hop: `${e.hop_source}>${e.hop_target}`,
        source: e.hop_source,
        target: e.hop_target,
        outcome: e.outcome.toLowerCase(),
        at: e.occurred_at.toISOString(),
        latencyMs: e.latency_ms,
        attempt: e.attempt,
        errorCode: e.error_code,
      },
    ];
  });
  // Telemetry past retention (none of a transaction's events left, and the read was not cut at the limit): the last known state of each hop.
  if (events.rows.length >= limit) return entries;
  const past = rows
    .filter((t) => !seen.has(t.id))
    .flatMap((t) =>
      Object.entries((t.hops ?? {}) as Record<string, HopState>).map(([hop, h]) => {
        const [source = "", target = ""] = hop.split(">");
        return {
          transactionId: t.id,
          plantCode: t.plantCode,
          interfaceCode: t.interfaceCode,
          messageId: t.messageId,
          businessKey: t.businessKey,
          hop,
          source,
          target,
          outcome: h.outcome,
          at: h.at,
          latencyMs: h.latencyMs ?? null,
          attempt: h.attempt ?? null,
          errorCode: h.errorCode ?? null,
        };
      }),
    );
  if (past.length === 0) return entries;
  return [...entries, ...past].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
