import { z } from "zod";
import { CHAIN_LOCK_KEY } from "../audit";
import type { Prisma } from "../db";
import { AppError, forbidden } from "../http/errors";
import { type Principal, can } from "../policy";
import { byOther, linksOf } from "./links";

/**
 * Replay in dependency order: the one check every replay path makes (a direct replay, a replay request,
 * its approval, bulk, the API, Andon's own replay of a released exception) — inside the transaction that
 * queues the replay or the request, after the exception's row moved (so it is locked) and under the audit
 * chain's lock. Every writer that opens an exception (ingest) appends its audit event under that lock
 * before it commits, so a blocker opened concurrently is either committed before this check reads (and
 * refuses the replay) or is recorded after this replay in the audit chain: it cannot slip in between.
 *
 * Blocked: 409 blocked_by_prerequisite naming the blockers. An approver (replay.override_block) may send
 * anyway with a reason of at least 10 characters; the replay's audit event names the reason and blockers.
 */
export const blockOverrideReason = z
  .string()
  .trim()
  .min(10, "Overriding a prerequisite needs a reason of at least 10 characters")
  .max(2000, "The override reason is limited to 2000 characters");

export type BlockOverride = { reason: string; by: Principal };

/** The blockers found (empty when none), or a 409 when blocked and not overridden. */
export async function checkBlocked(tx: Prisma.TransactionClient, exceptionId: string, override?: BlockOverride | null): Promise<string[]> {
  // Most interfaces have no prerequisite: nothing to wait for, and no reason to take the chain's lock early.
  const dependent = await tx.$queryRaw<unknown[]>`
    SELECT 1 FROM exception x JOIN interface_dependency d ON d.dependent_interface_id = x.interface_id AND d.enabled WHERE x.id = ${exceptionId}::uuid LIMIT 1`;
  if (dependent.length === 0) return [];
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CHAIN_LOCK_KEY}::bigint)`;
  const blockers = byOther(await linksOf(tx, [exceptionId], "blockedBy"));
  if (blockers.length === 0) return [];
  if (!override) throw blockedError(blockers);
  return blockers.map((b) => b.id);
}

export function blockedError(blockers: ReturnType<typeof byOther>): AppError {
  const named = blockers
    .slice(0, 5)
    .map((b) => `${b.interfaceCode} ${b.messageId} (${b.refs.map((r) => `${r.kind.toLowerCase().replace(/_/g, " ")} ${r.value}`).join(", ")})`)
    .join("; ");
  const more = blockers.length > 5 ? ` and ${blockers.length - 5} more` : "";
  return new AppError(
    409,
    "blocked_by_prerequisite",
    `Waiting for its prerequisite: ${named}${more} has an open exception. Replay that first; this one is released when it is delivered`,
    { blockedBy: blockers.map((b) => ({ exceptionId: b.id, interfaceCode: b.interfaceCode, messageId: b.messageId, refs: b.refs })) },
  );
}

/** An override asked for in a request body: only approvers may, and only with a reason (403 / 400 otherwise). */
export function overrideFrom(user: Principal, plantId: string, reason: string | undefined): BlockOverride | null {
  if (reason === undefined) return null;
  if (!can(user, "replay.override_block", { plantId })) throw forbidden("Only approvers may replay although a prerequisite is open");
  return { reason, by: user };
}
