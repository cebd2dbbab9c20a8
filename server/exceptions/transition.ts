import type { PoolClient } from "pg";
import type { AppendInput, AuditEventType } from "../audit";
import type { Prisma } from "../db";
import type { ErrorCategory, ExceptionStatus, Severity } from "../db/generated/enums";
import { AppError } from "../http/errors";
import { TRANSITIONS, canTransition, isOpen } from "./lifecycle";

/**
 * The one writer of an exception's status from a user action. The write is conditional on the status
 * the caller read: if anything moved the exception meanwhile (a replay settled, a bulk action, the
 * source recovered), nothing is written and the caller gets a 409 asking to reload — a stale read
 * never writes an old status back over a newer one. `from === to` still checks that the status has not
 * moved (an assignment must not land on an exception that changed state under it); a closed exception
 * cannot "stay" closed through it (discarding a discarded one is a 409).
 *
 * Raw-SQL writers on hot paths (ingest's recovered-at-source, replay claim, lease and settle) use the
 * set-based variant below, transitionExceptionsWithPg: same table, same rule, many rows per statement.
 */
export type TransitionInput = {
  id: string;
  from: ExceptionStatus;
  to: ExceptionStatus;
  /** Other columns written with the status (assignee, resolution…). */
  data?: Omit<Prisma.ExceptionUncheckedUpdateManyInput, "status">;
};

export function assertTransition(from: ExceptionStatus, to: ExceptionStatus): void {
  // Staying in a status is a transition only for open exceptions (an assignment, a new draft); a closed one stays closed.
  if (from === to ? !isOpen(from) : !canTransition(from, to)) {
    throw new AppError(
      409,
      "invalid_transition",
      `An exception in status ${from.toLowerCase().replace(/_/g, " ")} cannot move to ${to.toLowerCase().replace(/_/g, " ")}`,
    );
  }
}

export async function transitionException(tx: Prisma.TransactionClient, { id, from, to, data = {} }: TransitionInput) {
  assertTransition(from, to);
  const res = await tx.exception.updateMany({ where: { id, status: from }, data: { ...data, status: to } });
  if (res.count !== 1) throw staleException();
  return tx.exception.findUniqueOrThrow({ where: { id } });
}

export const staleException = () =>
  new AppError(409, "conflict", "The exception changed meanwhile (another person, a replay or the source moved it); reload and try again");

/** The statuses from which `to` may be reached: the lifecycle's table read backwards. */
export function statusesInto(to: ExceptionStatus): ExceptionStatus[] {
  return (Object.keys(TRANSITIONS) as ExceptionStatus[]).filter((from) => canTransition(from, to));
}

/** Every legal move as "FROM>TO": the guard the set-based writer puts in its SQL. */
const LEGAL_MOVES = (Object.entries(TRANSITIONS) as [ExceptionStatus, readonly ExceptionStatus[]][]).flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`));

/** One exception to move (set-based writers move many in one statement). `resolution` closes it: resolved_at is set with it. */
export type ExceptionMove = { id: string; to: ExceptionStatus; resolution?: string | null };

/** A moved exception, with the status it left (read under the row lock) and what a live update needs. */
export type MovedException = {
  id: string;
  plantId: string;
  interfaceId: string;
  transactionId: string;
  statusFrom: ExceptionStatus;
  status: ExceptionStatus;
  severity: Severity;
  category: ErrorCategory;
  errorCode: string;
  errorMessage: string;
  occurrences: number;
  lastSeenAt: Date;
};

export type SetTransitionInput<T extends AuditEventType> = {
  moves: ExceptionMove[];
  /** The statuses the caller expects them in (e.g. awaiting their replay); narrowed further to the legal predecessors of each target. */
  from: readonly ExceptionStatus[];
  /** The audit event of each move: every status change is attributable, so the writer cannot move without one. */
  audit: (moved: MovedException) => AppendInput<T>;
};

/**
 * The set-based writer of exception status, for raw-SQL paths on pg (ingest's recovered-at-source, the
 * replay claim, the pull lease and the settle). One statement: the rows are locked in id order, and
 * only those whose current status is in `from` and may legally move to their target (the pairs come
 * from TRANSITIONS, so an illegal transition cannot be written) move; the others are left as they are.
 * Returns the moved rows and their audit events, which the caller appends in the same transaction
 * (last, with the rest of its events: the chain lock is held from the append until commit).
 */
export async function transitionExceptionsWithPg<T extends AuditEventType>(
  client: PoolClient,
  { moves, from, audit }: SetTransitionInput<T>,
): Promise<{ moved: MovedException[]; events: AppendInput<T>[] }> {
  if (moves.length === 0 || from.length === 0) return { moved: [], events: [] };
  const unique = [...new Map(moves.map((m) => [m.id, m])).values()]; // one move per exception (the last asked)
  const { rows } = await client.query<MovedException>(
    `WITH m AS (SELECT * FROM unnest($1::uuid[], $2::exception_status[], $3::text[]) AS m(id, status_to, resolution)),
     old AS (
       SELECT x.id, x.status AS status_from FROM exception x JOIN m ON m.id = x.id
       WHERE x.status = ANY($4::exception_status[]) AND (x.status::text || '>' || m.status_to::text) = ANY($5::text[])
       ORDER BY x.id FOR UPDATE OF x)
     UPDATE exception e SET status = m.status_to, updated_at = now(),
            resolved_at = CASE WHEN m.resolution IS NOT NULL THEN now() ELSE e.resolved_at END, resolution = COALESCE(m.resolution, e.resolution)
     FROM old JOIN m ON m.id = old.id
     WHERE e.id = old.id
     RETURNING e.id, e.plant_id AS "plantId", e.interface_id AS "interfaceId", e.transaction_id AS "transactionId", old.status_from AS "statusFrom", e.status,
               e.severity, e.category, e.error_code AS "errorCode", e.error_message AS "errorMessage", e.occurrences, e.last_seen_at AS "lastSeenAt"`,
    [unique.map((m) => m.id), unique.map((m) => m.to), unique.map((m) => m.resolution ?? null), [...from], LEGAL_MOVES],
  );
  rows.sort((a, b) => (a.id < b.id ? -1 : 1));
  return { moved: rows, events: rows.map(audit) };
}
