import { randomUUID } from "node:crypto";
import { Prisma, db } from "../db";
import type { ExceptionStatus, SystemKind } from "../db/generated/enums";
import { transitionException } from "../exceptions/transition";
import { type BlockOverride, checkBlocked } from "../dependencies/check-blocked";
import { AppError } from "../http/errors";
import { enqueueReplayJob } from "./queue";
import type { ReplayPlan } from "./replay-plan";

/**
 * Queueing a replay, shared by a direct request and the approval of a replay request: the connector
 * that receives it, then — in the caller's transaction — the exception to REPLAY_QUEUED (conditional on
 * the status read), the replay row with its one idempotency key, and its pg-boss job (push mode): the
 * job exists if and only if the replay commits. The caller appends its audit event in the same transaction.
 * Every replay passes here, so here is where dependency order is kept (server/dependencies/check-blocked.ts):
 * an exception whose prerequisite has an open exception is not replayed (409 blocked_by_prerequisite)
 * unless an approver overrides with a reason; `blockedBy` names what was overridden, for the audit event.
 */
export type ReplayTarget = { connectorId: string; mode: "push" | "pull" };

/**
 * The connector a replay goes to: the one of the system whose hop failed (the exception's latest failure),
 * else — an exception stored before hops were recorded — the interface's first target. A connector an
 * administrator disabled receives nothing.
 */
export async function replayTarget(e: {
  plantId: string;
  plant: { code: string };
  hopTarget?: SystemKind | null;
  interface: { targetSystems: SystemKind[] };
}): Promise<ReplayTarget> {
  const target = e.hopTarget ?? e.interface.targetSystems[0];
  const connector = await db().connector.findFirst({ where: { plantId: e.plantId, system: { kind: target } } });
  if (!connector) throw new AppError(409, "no_connector", `${e.plant.code} has no connector for ${target ?? "the target system"}`);
  if (connector.disabledAt)
    throw new AppError(409, "connector_disabled", `The ${target} connector of ${e.plant.code} is disabled; an administrator must enable it first`);
  // Push when the connector registered an endpoint; otherwise the job waits for it to pull.
  return { connectorId: connector.id, mode: connector.replayUrl && connector.replaySecret ? "push" : "pull" };
}

export async function queueReplay(
  tx: Prisma.TransactionClient,
  input: {
    exceptionId: string;
    from: ExceptionStatus;
    target: ReplayTarget;
    plan: ReplayPlan;
    requestedById: string;
    reason: string | null;
    override?: BlockOverride | null;
  },
) {
  const { exceptionId, from, target, plan } = input;
  const replayId = randomUUID();
  // The exception first, conditional on the status read: a replay never starts from a stale read.
  await transitionException(tx, { id: exceptionId, from, to: "REPLAY_QUEUED" });
  // Then its prerequisites, read with the exception locked and under the audit chain's lock.
  const blockedBy = await checkBlocked(tx, exceptionId, input.override);
  const replay = await tx.replay.create({
    data: {
      id: replayId,
      exceptionId,
      connectorId: target.connectorId,
      correctionId: plan.correctionId,
      idempotencyKey: `andon-replay-${replayId}`,
      payload: plan.payload as Prisma.InputJsonValue,
      requestedById: input.requestedById,
      mode: target.mode,
      ...(plan.second && input.reason ? { reason: input.reason } : {}),
    },
  });
  if (target.mode === "push") await enqueueReplayJob(tx, replayId);
  return { replay, blockedBy };
}

/** Which one-per-exception rule a unique violation broke, as the answer the user gets. */
export function replayConflict(err: unknown): AppError | null {
  if (!(err instanceof Prisma.PrismaClientKnownRequestError) || err.code !== "P2002") return null;
  if (JSON.stringify(err.meta ?? {}).includes("replay_request") || err.message.includes("replay_request")) {
    return new AppError(409, "replay_approval_pending", "A replay of this exception is already waiting for a second person's approval");
  }
  return new AppError(409, "replay_in_flight", "A replay of this exception is already under way (or the transaction has a newer open exception)");
}
