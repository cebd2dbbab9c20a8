import { visiblePlants } from "../plants/visible-plants";
import { type Principal, can } from "../policy";
import { pendingReplayApprovals } from "../replay/pending-replay-approvals";
import { pendingApprovals } from "./pending-approvals";

/**
 * The approvals page: corrections and replay requests waiting for a second person, and the plants whose
 * rooms the page joins to follow them live (submitted, decided or withdrawn elsewhere). Null when the
 * user decides on neither.
 */
export async function approvalsPage(user: Principal) {
  const corrections = can(user, "correction.approve");
  const replays = can(user, "replay.approve");
  if (!corrections && !replays) return null;
  const [items, replayItems, plants] = await Promise.all([
    corrections ? pendingApprovals(user) : [],
    replays ? pendingReplayApprovals(user) : [],
    visiblePlants(user),
  ]);
  return { items, replays: replayItems, plantIds: plants.map((p) => p.id) };
}
