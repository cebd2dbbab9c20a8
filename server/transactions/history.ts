import { ANDON_REQUESTER_ID } from "../dependencies/auto-replay";
import { z } from "zod";
import { presentAuditEvents } from "../audit/list-events";
import { db, pool } from "../db";
import { TransactionStatus } from "../db/generated/enums";
import { AppError, forbidden } from "../http/errors";
import { attemptCategory, describeAttempt } from "../replay/attempt-text";
import { type Principal, can, plantScope, visiblePlantIds } from "../policy";
import { refsOf } from "../trace/refs-of";
import { correlationPlant, correlationTimeline } from "./timeline";

/**
 * Transaction history for auditors (and support): search by correlation id, message id or business
 * key (exact, or a business-key prefix), plant, interface, status and time; newest first with a
 * keyset cursor, so any page of a long history costs the same. Then one business message in full:
 * every hop, every payload version (original, each correction with its diff), approvals, replays
 * with their attempts, comments — each with who and when, from the rows and the audit chain.
 */
export const historyQuerySchema = z
  .object({
    q: z.string().trim().max(200).optional(),
    plant: z.string().max(40).optional(),
    interface: z.string().max(80).optional(),
    status: z.enum(TransactionStatus).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    cursor: z.string().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

const cursorSchema = z.object({ t: z.iso.datetime(), id: z.uuid() });
const encodeCursor = (t: Date, id: string) => Buffer.from(JSON.stringify({ t: t.toISOString(), id })).toString("base64url");
function decodeCursor(c: string) {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(c, "base64url").toString("utf8")));
  } catch {
    throw new AppError(400, "invalid_cursor", "The page cursor is not valid: start from the first page");
  }
}

export type HistoryRow = {
  id: string;
  correlationId: string;
  messageId: string;
  businessKey: string | null;
  plantCode: string;
  timezone: string;
  interfaceCode: string;
  /** As the message stands: a replay that delivered it counts (see effectiveDelivery). */
  status: string;
  firstSeenAt: string;
  lastEventAt: string;
  deliveredAt: string | null;
  attempts: number;
  openExceptions: number;
  corrections: number;
  replays: number;
};

/**
 * Where a message stands once replays are counted. A replay that delivered the message delivered it: since
 * the settle of a delivered replay writes the transaction (status, delivered_at) this is the stored row, but
 * replays settled before that (issue 15's change) left their transaction "failed" with no delivery time, and
 * no migration rewrote them. So reads take the latest delivered replay into account: it delivered the message
 * at its finish, and the message stands delivered unless the connector reported something after that.
 */
export function effectiveDelivery(
  t: { status: string; lastEventAt: Date; deliveredAt: Date | null },
  replayDeliveredAt: Date | null,
): { status: string; deliveredAt: Date | null } {
  const deliveredAt = replayDeliveredAt && (!t.deliveredAt || replayDeliveredAt > t.deliveredAt) ? replayDeliveredAt : t.deliveredAt;
  const status = t.status !== "DELIVERED" && replayDeliveredAt && replayDeliveredAt >= t.lastEventAt ? "DELIVERED" : t.status;
  return { status, deliveredAt };
}

/** The same rule in SQL, over `t` (business_transaction) and `rp.at` (its latest delivered replay's finish). */
const EFFECTIVE_STATUS = `(CASE WHEN t.status <> 'DELIVERED' AND rp.at IS NOT NULL AND rp.at >= t.last_event_at THEN 'DELIVERED' ELSE t.status::text END)`;
const REPLAY_DELIVERED = `LEFT JOIN LATERAL (
       SELECT max(r.finished_at) AS at FROM replay r JOIN exception e ON e.id = r.exception_id WHERE e.transaction_id = t.id AND r.status = 'SUCCEEDED'
     ) rp ON true`;

export async function searchTransactions(user: Principal, input: unknown): Promise<{ rows: HistoryRow[]; nextCursor: string | null }> {
  if (!can(user, "transaction.read")) throw forbidden("Your role cannot read transaction history");
  const q = historyQuerySchema.parse(input ?? {});
  const params: unknown[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  const where: string[] = [];
  const scope = visiblePlantIds(user);
  if (scope !== "all") where.push(`t.plant_id = ANY(${p([...scope])}::uuid[])`);
  if (q.q) {
    const like = `${q.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    where.push(`(t.correlation_id = ${p(q.q)} OR t.message_id = $${params.length} OR t.business_key LIKE ${p(like)})`);
  }
  if (q.plant) where.push(`pl.code = ${p(q.plant)}`);
  if (q.interface) where.push(`i.code = ${p(q.interface)}`);
  if (q.status) where.push(`${EFFECTIVE_STATUS} = ${p(q.status)}`);
  if (q.from) where.push(`t.first_seen_at >= ${p(new Date(q.from))}`);
  if (q.to) where.push(`t.first_seen_at < ${p(new Date(q.to))}`);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    where.push(`(t.first_seen_at, t.id) < (${p(new Date(c.t))}, ${p(c.id)}::uuid)`);
  }
  const { rows } = await pool().query<{
    id: string;
    correlation_id: string;
    message_id: string;
    business_key: string | null;
    plant_code: string;
    timezone: string;
    interface_code: string;
    status: string;
    first_seen_at: Date;
    last_event_at: Date;
    delivered_at: Date | null;
    attempts: number;
    open_exceptions: number;
    corrections: number;
    replays: number;
  }>(
    `SELECT t.id, t.correlation_id, t.message_id, t.business_key, pl.code AS plant_code, pl.timezone, i.code AS interface_code,
            ${EFFECTIVE_STATUS} AS status, t.first_seen_at, t.last_event_at, GREATEST(t.delivered_at, rp.at) AS delivered_at, t.attempts,
            (SELECT count(*)::int FROM exception e WHERE e.transaction_id = t.id AND e.status NOT IN ('RESOLVED', 'DISCARDED')) AS open_exceptions,
            (SELECT count(*)::int FROM correction c JOIN exception e ON e.id = c.exception_id WHERE e.transaction_id = t.id) AS corrections,
            (SELECT count(*)::int FROM replay r JOIN exception e ON e.id = r.exception_id WHERE e.transaction_id = t.id) AS replays
     FROM business_transaction t JOIN plant pl ON pl.id = t.plant_id JOIN interface i ON i.id = t.interface_id
     ${REPLAY_DELIVERED}
     ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY t.first_seen_at DESC, t.id DESC LIMIT ${p(q.limit + 1)}`,
    params,
  );
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    rows: page.map((r) => ({
      id: r.id,
      correlationId: r.correlation_id,
      messageId: r.message_id,
      businessKey: r.business_key,
      plantCode: r.plant_code,
      timezone: r.timezone,
      interfaceCode: r.interface_code,
      status: r.status,
      firstSeenAt: r.first_seen_at.toISOString(),
      lastEventAt: r.last_event_at.toISOString(),
      deliveredAt: r.delivered_at?.toISOString() ?? null,
      attempts: r.attempts,
      openExceptions: r.open_exceptions,
      corrections: r.corrections,
      replays: r.replays,
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.first_seen_at, last.id) : null,
  };
}

/**
 * One business message (the transactions sharing a correlation id in one plant), in full; null when
 * none is visible. A correlation id names a message within a plant: `plant` (a code) says which; without
 * it, the plant that saw it first (see correlationPlant). `otherPlants` lists the visible plants whose
 * connectors used the same correlation id for their own messages. People are named (name and e-mail),
 * statuses are the codes (the page labels them), a replay's delivery counts (effectiveDelivery).
 */
export async function transactionHistory(user: Principal, correlationId: string, opts: { plant?: string } = {}) {
  if (!can(user, "transaction.read")) throw forbidden("Your role cannot read transaction history");
  const plantId = await correlationPlant(user, { correlationId, plant: opts.plant });
  if (!plantId) return null;
  const person = { select: { name: true, email: true } } as const;
  const transactions = await db().transaction.findMany({
    where: { correlationId, plantId },
    orderBy: { firstSeenAt: "asc" },
    take: 100,
    include: {
      plant: { select: { code: true, name: true, timezone: true } },
      interface: { select: { code: true, name: true } },
      exceptions: {
        orderBy: { firstSeenAt: "asc" },
        include: {
          assignee: person,
          comments: { orderBy: { createdAt: "asc" }, include: { author: person } },
          corrections: { orderBy: { createdAt: "asc" }, include: { author: person, approver: person } },
          replays: {
            orderBy: { createdAt: "asc" },
            include: { attempts: { orderBy: { attempt: "asc" } }, connector: { select: { system: { select: { kind: true } } } } },
          },
        },
      },
    },
  });
  if (transactions.length === 0) return null;
  const exceptionIds = transactions.flatMap((t) => t.exceptions.map((e) => e.id));
  const requesterIds = [...new Set(transactions.flatMap((t) => t.exceptions.flatMap((e) => e.replays.map((r) => r.requestedById))))];
  const requesters = new Map(
    (await db().user.findMany({ where: { id: { in: requesterIds } }, select: { id: true, name: true, email: true } })).map((u) => [u.id, u]),
  );
  const [timeline, audit, sharing, refs] = await Promise.all([
    correlationTimeline(user, { correlationId, plantId }),
    db().auditEvent.findMany({ where: { subjectType: "exception", subjectId: { in: exceptionIds } }, orderBy: { id: "asc" }, take: 2000 }),
    db().transaction.groupBy({ by: ["plantId"], where: { AND: [plantScope(user), { correlationId }, { plantId: { not: plantId } }] } }),
    refsOf(transactions.map((t) => t.id)),
  ]);
  const otherPlants = sharing.length
    ? (await db().plant.findMany({ where: { id: { in: sharing.map((s) => s.plantId) } }, select: { code: true }, orderBy: { code: "asc" } })).map((p) => p.code)
    : [];
  return {
    correlationId,
    plantId,
    plantCode: transactions[0]!.plant.code,
    otherPlants,
    timeline,
    transactions: transactions.map((t) => {
      const replayDeliveredAt = t.exceptions
        .flatMap((e) => e.replays)
        .filter((r) => r.status === "SUCCEEDED" && r.finishedAt)
        .reduce<Date | null>((latest, r) => (!latest || r.finishedAt! > latest ? r.finishedAt! : latest), null);
      const now = effectiveDelivery(t, replayDeliveredAt);
      return {
        id: t.id,
        messageId: t.messageId,
        businessKey: t.businessKey,
        /** The business objects it named (typed references): links to their traceability pages. */
        refs: refs.get(t.id) ?? [],
        status: now.status,
        /** How it was delivered: by a replay (its delivery is the latest), or by the connector itself. */
        deliveredBy: now.deliveredAt ? (replayDeliveredAt && now.deliveredAt.getTime() === replayDeliveredAt.getTime() ? "replay" : "source") : null,
        plant: t.plant,
        interface: t.interface,
        firstSeenAt: t.firstSeenAt.toISOString(),
        lastEventAt: t.lastEventAt.toISOString(),
        deliveredAt: now.deliveredAt?.toISOString() ?? null,
        attempts: t.attempts,
        payload: t.payload,
        payloadHash: t.payloadHash,
        lastError: t.lastError,
        exceptions: t.exceptions.map((e) => ({
          id: e.id,
          status: e.status,
          severity: e.severity,
          category: e.category,
          errorCode: e.errorCode,
          errorMessage: e.errorMessage,
          firstSeenAt: e.firstSeenAt.toISOString(),
          resolvedAt: e.resolvedAt?.toISOString() ?? null,
          resolution: e.resolution,
          assignee: e.assignee,
          comments: e.comments.map((c) => ({ id: c.id, author: c.author, at: c.createdAt.toISOString(), body: c.body })),
          corrections: e.corrections.map((c) => ({
            id: c.id,
            status: c.status,
            author: c.author,
            approver: c.approver,
            createdAt: c.createdAt.toISOString(),
            submittedAt: c.submittedAt?.toISOString() ?? null,
            decidedAt: c.decidedAt?.toISOString() ?? null,
            reason: c.reason,
            decisionComment: c.decisionComment,
            patch: c.patch as { op: string; path: string; value?: unknown }[],
            payloadHash: c.payloadHash,
            basePayloadHash: c.basePayloadHash,
          })),
          replays: e.replays.map((r) => ({
            id: r.id,
            status: r.status,
            idempotencyKey: r.idempotencyKey,
            requestedBy:
              requesters.get(r.requestedById) ??
              (r.requestedById === ANDON_REQUESTER_ID
                ? { name: "Andon (released by its prerequisites)", email: "" }
                : { name: "someone no longer known", email: "" }),
            createdAt: r.createdAt.toISOString(),
            finishedAt: r.finishedAt?.toISOString() ?? null,
            correctionId: r.correctionId,
            mode: r.mode,
            attempts: r.attempts.map((a) => ({
              attempt: a.attempt,
              at: a.startedAt.toISOString(),
              durationMs: a.durationMs,
              mode: a.mode,
              outcome: a.outcome,
              httpStatus: a.httpStatus,
              errorCode: a.errorCode,
              errorMessage: a.errorMessage,
              /** The one way Andon words an attempt (server/replay/attempt-text.ts), as on the exception page. */
              text: describeAttempt({ ...a, category: attemptCategory(a.response) }, r.connector.system.kind),
            })),
          })),
        })),
      };
    }),
    /** The audit events of its exceptions, as the audit trail shows them (names, details, links). */
    audit: await presentAuditEvents(audit),
  };
}
export type TransactionHistory = NonNullable<Awaited<ReturnType<typeof transactionHistory>>>;
