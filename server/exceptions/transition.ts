import type { Prisma } from "../db";
import type { ExceptionStatus } from "../db/generated/enums";
import { AppError } from "../http/errors";
import { canTransition, isOpen } from "./lifecycle";

/**
 * The one writer of an exception's status from a user action. The write is conditional on the status
 * the caller read: if anything moved the exception meanwhile (a replay settled, a bulk action, the
 * source recovered), nothing is written and the caller gets a 409 asking to reload — a stale read
 * never writes an old status back over a newer one. `from === to` still checks that the status has not
 * moved (an assignment must not land on an exception that changed state under it); a closed exception
 * cannot "stay" closed through it (discarding a discarded one is a 409).
 *
 * Raw-SQL writers on hot paths (ingest's recovered-at-source, replay claim and settle) follow the same
 * rule in their own statements: `WHERE status = <what was read>` / `status IN (...)`, with RETURNING.
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
    throw new AppError(409, "invalid_transition", `An exception in status ${from.toLowerCase().replace(/_/g, " ")} cannot move to ${to.toLowerCase().replace(/_/g, " ")}`);
  }
}

export async function transitionException(tx: Prisma.TransactionClient, { id, from, to, data = {} }: TransitionInput) {
  assertTransition(from, to);
  const res = await tx.exception.updateMany({ where: { id, status: from }, data: { ...data, status: to } });
  if (res.count !== 1) throw staleException();
  return tx.exception.findUniqueOrThrow({ where: { id } });
}

export const staleException = () => new AppError(409, "conflict", "The exception changed meanwhile (another person, a replay or the source moved it); reload and try again");
