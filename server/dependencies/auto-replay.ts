import { append } from "../audit";
import { db } from "../db";
import { AppError } from "../http/errors";
import { logger } from "../log";
import { replayNeedsApproval } from "../policy";
import { publishExceptionsById } from "../realtime/exception-live";
import { queueReplay, replayConflict, replayTarget } from "../replay/queue-replay";
import { planReplay } from "../replay/replay-plan";
import { dependencyDepths } from "./order";

const log = logger("dependencies");
const ACTOR = { type: "system" as const, label: "andon dependencies" };
/**
 * Replays Andon queues itself carry this requester id (no person asked; the audit event's actor is
 * "andon dependencies"). replay.requested_by_id has no foreign key: it is the nil UUID, never a user's.
 */
export const ANDON_REQUESTER_ID = "00000000-0000-0000-0000-000000000000";

/**
 * Why Andon sends a released exception's payload again when the target had refused it as it is: the
 * prerequisite that made the target refuse it was resolved (replay-plan.ts asks a reason for that).
 */
const RELEASED_REASON = "Released: the prerequisite of the same business object that blocked it was resolved";

export type AutoReplayResult = { exceptionId: string; outcome: "queued" | "skipped"; why?: string };

/**
 * The job after a release (release.ts): replays the released exceptions of interfaces that replay on
 * release, as Andon, through the normal replay path (queueReplay: the status move conditional on the
 * status read, one idempotency key per replay, the dependency check again under the chain lock), in
 * dependency order, then first-seen time. What a person would have to decide is left to a person:
 *  - an interface that requires approval auto-replays only an approved correction (its four-eyes
 *    approval holds); anything else (replaying as is, a second delivery) needs a replay request that a
 *    person asks and another approves — never Andon on its own;
 *  - a payload the target refused as it is goes again: the release is the reason (audited as such), the
 *    prerequisite that made the target refuse it having been resolved;
 *  - a business failure without an approved correction, an exception that moved on, or one blocked again
 *    meanwhile stays as it is (logged; it is released, a person replays it).
 * Running twice does nothing twice: a queued exception is no longer in a status that can be replayed.
 */
export async function autoReplayReleased(exceptionIds: string[]): Promise<AutoReplayResult[]> {
  const rows = await db().exception.findMany({
    where: { id: { in: exceptionIds } },
    include: { transaction: true, interface: true, plant: true },
  });
  const depth = await dependencyDepths();
  rows.sort(
    (a, b) =>
      (depth.get(a.interfaceId) ?? 0) - (depth.get(b.interfaceId) ?? 0) || a.firstSeenAt.getTime() - b.firstSeenAt.getTime() || a.id.localeCompare(b.id),
  );
  const results: AutoReplayResult[] = [];
  for (const e of rows) {
    const skip = (why: string) => {
      results.push({ exceptionId: e.id, outcome: "skipped", why });
      log.info({ exceptionId: e.id, why }, "released exception not replayed automatically");
    };
    if (!e.interface.autoReplayOnRelease) {
      skip("the interface does not replay on release");
      continue;
    }
    if (e.status === "RESOLVED" || e.status === "DISCARDED") {
      skip(`it is ${e.status.toLowerCase()}`);
      continue;
    }
    try {
      const plan = await planReplay(e, RELEASED_REASON);
      if (plan.second) {
        skip("a second delivery needs a person's reason");
        continue;
      }
      if (replayNeedsApproval(e.interface, plan)) {
        skip("the interface requires a second person's approval of the replay");
        continue;
      }
      const target = await replayTarget(e);
      await db().$transaction(async (tx) => {
        const reason = plan.refusedBefore ? RELEASED_REASON : null;
        const { replay } = await queueReplay(tx, { exceptionId: e.id, from: e.status, target, plan, requestedById: ANDON_REQUESTER_ID, reason });
        await append(tx, {
          type: "replay.requested",
          actor: ACTOR,
          plantId: e.plantId,
          subject: { type: "exception", id: e.id },
          data: {
            replayId: replay.id,
            idempotencyKey: replay.idempotencyKey,
            correctionId: plan.correctionId,
            payloadHash: plan.payloadHash,
            mode: target.mode,
            asIs: plan.correctionId === null,
            ...(plan.refusedBefore ? { refusedBefore: plan.refusedBefore, secondReplayReason: RELEASED_REASON } : {}),
            statusFrom: e.status,
            statusTo: "REPLAY_QUEUED",
          },
        });
      });
      results.push({ exceptionId: e.id, outcome: "queued" });
      await publishExceptionsById([e.id]);
    } catch (err) {
      const known = replayConflict(err) ?? err;
      if (!(known instanceof AppError)) throw err;
      skip(`${known.code}: ${known.message}`);
    }
  }
  return results;
}
