import type { PoolClient } from "pg";
import type { AppendInput } from "../audit";
import { CLOSED_STATUSES } from "../exceptions/lifecycle";
import { enqueueWithPg } from "../workers/boss";
import { linksWithPg } from "./links";

/**
 * Release on delivery: when prerequisites are resolved (a replay delivered them, or the source delivered
 * them: "recovered at source"), their waiting dependents that no longer wait on anything are released —
 * in the same transaction as the resolution, with one "exception.released" audit event each (the caller
 * appends them with its own). The dependents' rows are locked before their remaining blockers are read,
 * so two prerequisites resolved at once cannot both miss the release: the second one to lock reads the
 * first one's resolution. A released exception keeps its status (it was open and stays open: "waiting"
 * is derived, never stored); what changes is that it may be replayed now.
 *
 * Where the dependent's interface replays on release (interface.auto_replay_on_release), a job
 * (dependencies.auto_replay, enqueued in the same transaction: it exists if and only if the release
 * commits) replays them as Andon through the normal replay path, in dependency order then first-seen
 * time (auto-replay.ts). Four-eyes still holds there.
 *
 * A discarded prerequisite releases nothing: it was not delivered, so its dependents would most likely
 * fail the same way; they are no longer "blocked by" it, and a person decides.
 */
export const AUTO_REPLAY_QUEUE = "dependencies.auto_replay";
const ACTOR = { type: "system" as const, label: "andon dependencies" };
const CLOSED = CLOSED_STATUSES.map((s) => `'${s}'`).join(", ");

export type Released = { events: AppendInput<"exception.released">[]; released: string[] };

export async function releaseDependentsWithPg(client: PoolClient, resolvedIds: readonly string[]): Promise<Released> {
  if (resolvedIds.length === 0) return { events: [], released: [] };
  const waited = await linksWithPg(client, resolvedIds, "blocks", true);
  if (waited.length === 0) return { events: [], released: [] };
  const { rows: locked } = await client.query<{ id: string; plant_id: string; interface_code: string; auto: boolean; depth_key: Date }>(
    `SELECT e.id, e.plant_id, i.code AS interface_code, i.auto_replay_on_release AS auto, e.first_seen_at AS depth_key
     FROM exception e JOIN interface i ON i.id = e.interface_id
     WHERE e.id = ANY($1::uuid[]) AND e.status NOT IN (${CLOSED}) ORDER BY e.id FOR UPDATE OF e`,
    [[...new Set(waited.map((l) => l.otherId))]],
  );
  if (locked.length === 0) return { events: [], released: [] };
  const stillBlocked = new Set(
    (
      await linksWithPg(
        client,
        locked.map((r) => r.id),
        "blockedBy",
      )
    ).map((l) => l.exceptionId),
  );
  const free = locked.filter((r) => !stillBlocked.has(r.id));
  const events = free.map((r): AppendInput<"exception.released"> => {
    const by = waited.filter((l) => l.otherId === r.id);
    return {
      type: "exception.released",
      actor: ACTOR,
      plantId: r.plant_id,
      subject: { type: "exception", id: r.id },
      data: {
        exceptionId: r.id,
        interfaceCode: r.interface_code,
        releasedBy: [...new Set(by.map((l) => l.exceptionId))].sort(),
        refs: [...new Map(by.map((l) => [`${l.refKind}|${l.value}`, { kind: l.refKind, value: l.value }])).values()],
        autoReplay: r.auto,
      },
    };
  });
  const auto = free.filter((r) => r.auto).map((r) => r.id);
  if (auto.length) await enqueueWithPg(client, AUTO_REPLAY_QUEUE, { exceptionIds: auto }, { retryLimit: 3, retryDelay: 5, retryBackoff: true });
  return { events, released: free.map((r) => r.id) };
}
