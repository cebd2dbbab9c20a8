import { db } from "../../server/db";
import type { Replay } from "../../server/db/generated/client";
import type { RequestedReplay } from "../../server/replay/request-replay";

/**
 * For test files about delivering replays rather than approving them: GOODS_MOVEMENT requires approval
 * in the seed, so its replays wait for a second person (tests/integration/replay-approval.test.ts). These
 * files switch that off after seeding (and back on after them: files share one database) and take the
 * queued replay from requestReplay's answer.
 */
export async function setReplayApproval(requiresApproval: boolean, codes: string[] = ["GOODS_MOVEMENT"]): Promise<void> {
  await db().interface.updateMany({ where: { code: { in: codes } }, data: { requiresApproval } });
}

export async function queued(requested: Promise<RequestedReplay>): Promise<Replay> {
  const r = await requested;
  if (r.kind !== "queued") throw new Error(`expected a queued replay, got ${r.kind}`);
  return r.replay;
}
