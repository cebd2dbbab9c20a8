import type { Principal } from "../policy";
import { can, replayNeedsApproval } from "../policy";
import { canRequestReplay } from "../replay/eligibility";
import { latestReplayRequest } from "../replay/exception-replay-request";
import { exceptionDetail } from "./detail";
import { isOpen } from "./lifecycle";

/**
 * The exception page's data and what this user may do there, decided here (policy, lifecycle, replay
 * eligibility and segregation of duties) so the page and its components only render.
 */
export async function exceptionPage(user: Principal, id: string) {
  const detail = await exceptionDetail(user, id);
  if (!detail) return null;
  const on = { plantId: detail.plantId };
  const open = isOpen(detail.status);
  const replayRequest = await latestReplayRequest(user, detail.id);
  const waiting = replayRequest?.waiting === true;
  const approvedCorrection = detail.correction?.status === "APPROVED";
  const eligible = canRequestReplay({ status: detail.status, category: detail.category, correctionStatus: detail.correction?.status ?? null });
  const mayReplay = can(user, "exception.replay_technical", on) && !waiting;
  return {
    detail,
    allowed: {
      triage: open && can(user, "exception.triage", on),
      comment: can(user, "exception.comment", on),
      discard: open && can(user, "exception.discard", on),
      correct: can(user, "exception.correct", on),
      // A message an earlier replay delivered is sent again only with a reason (a second delivery).
      replay: mayReplay && !detail.deliveredBefore && eligible,
      replayAgain: mayReplay && (detail.status === "RESOLVED" || (detail.deliveredBefore !== null && eligible)),
    },
    replayApproval: {
      // Segregation of duties (policy): whether the replay this page offers waits for a second person.
      first: replayNeedsApproval(detail.interface, { approvedCorrection, second: false }),
      again: replayNeedsApproval(detail.interface, { approvedCorrection, second: true }),
      request: replayRequest,
    },
  };
}
