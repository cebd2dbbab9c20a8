import type { Principal } from "../policy";
import { can, replayNeedsApproval } from "../policy";
import { systemInSentence } from "../../lib/labels";
import { canRequestReplay } from "../replay/eligibility";
import { type ExceptionReplayRequest, latestReplayRequest } from "../replay/exception-replay-request";
import { refusedAsIs } from "../replay/latest-error";
import { type ExceptionDetail, exceptionDetail } from "./detail";
import { isOpen } from "./lifecycle";

/**
 * What the page leads with: the next step in words, and the action that takes it (the page's primary
 * button; "none" when nobody here has to act now).
 * - replay: send it (as is, or the approved correction); correct: change the payload (and submit it);
 *   submit: finish the author's draft; none: wait (approval, a replay on its way) or nothing left to do.
 */
export type NextStep = { text: string; action: "replay" | "correct" | "submit" | "none" };

/** Why "replay again" (with a reason) is offered: a resolved message, one delivered before, or a payload the target refused as is. */
export type ReplayAgainKind = "resolved" | "delivered_before" | "refused";

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
  const refused = refusedNow(detail);
  const replayAgain: ReplayAgainKind | null =
    detail.status === "RESOLVED" ? "resolved" : detail.deliveredBefore !== null && eligible ? "delivered_before" : refused && eligible ? "refused" : null;
  const allowed = {
    triage: open && can(user, "exception.triage", on),
    comment: can(user, "exception.comment", on),
    discard: open && can(user, "exception.discard", on),
    correct: can(user, "exception.correct", on),
    // Four-eyes: the author of the correction is never offered its approval (the page says who must decide).
    approveCorrection: detail.correction?.status === "SUBMITTED" && can(user, "correction.approve", { ...on, authorId: detail.correction.author.id }),
    // A message an earlier replay delivered, or a payload the target refused as it is, goes again only with a reason.
    replay: mayReplay && !detail.deliveredBefore && eligible && !refused,
    replayAgain: mayReplay && replayAgain !== null,
  };
  return {
    detail,
    allowed,
    /** Why "replay again" is offered (its dialog says so), or null. */
    replayAgain,
    nextStep: nextStep(detail, user, replayRequest, allowed, refused),
    replayApproval: {
      // Segregation of duties (policy): whether the replay this page offers waits for a second person.
      first: replayNeedsApproval(detail.interface, { approvedCorrection, second: false }),
      again: replayNeedsApproval(detail.interface, { approvedCorrection, second: replayAgain !== "refused" }),
      request: replayRequest,
    },
  };
}
export type ExceptionPage = NonNullable<Awaited<ReturnType<typeof exceptionPage>>>;

/** What a replay would send now is exactly what the target refused (replay/latest-error.ts). */
function refusedNow(d: ExceptionDetail): boolean {
  // What a replay would send now: the approved correction, else the original payload.
  return refusedAsIs(d.status, d.currentError, d.correction?.status === "APPROVED" ? d.correction.id : null) !== null;
}

function nextStep(
  d: ExceptionDetail,
  user: Principal,
  request: ExceptionReplayRequest | null,
  allowed: { replay: boolean; correct: boolean; replayAgain: boolean },
  refused: boolean,
): NextStep {
  const targetKind = d.hopTarget ?? d.interface.targetSystems[0];
  const target = targetKind ? systemInSentence(targetKind) : "the target system";
  const c = d.correction;
  const mayCorrect = allowed.correct ? "correct" : "none";
  const mayReplay = allowed.replay ? "replay" : "none";
  switch (d.status) {
    case "DISCARDED":
      return { text: "Discarded: nothing left to do.", action: "none" };
    case "RESOLVED":
      return { text: `Delivered to ${target}: nothing left to do.`, action: "none" };
    case "REPLAY_QUEUED":
    case "REPLAYING":
      return { text: `The replay is on its way to ${target}. This page shows its outcome as soon as ${target} answers.`, action: "none" };
    case "AWAITING_APPROVAL":
      if (request?.waiting) return { text: `Waiting for a second person to approve the replay ${request.requestedBy} asked for.`, action: "none" };
      if (c?.status === "SUBMITTED")
        return c.author.id === user.id
          ? { text: "Waiting for an approver to decide on your correction. You will see their decision here as soon as it is made.", action: "none" }
          : { text: `Waiting for an approver to decide on the correction ${c.author.name} wrote.`, action: "none" };
      return { text: "Waiting for a second person's approval.", action: "none" };
    case "APPROVED":
      return {
        text: `The correction was approved${c?.approver ? ` by ${c.approver}` : ""}: replay it to deliver the corrected message to ${target}.`,
        action: mayReplay,
      };
    case "REJECTED":
      return {
        text: `The correction was rejected${c?.approver ? ` by ${c.approver}` : ""}${c?.decisionComment ? ` (“${c.decisionComment}”)` : ""}: revise it and submit it again, or discard the exception.`,
        action: mayCorrect,
      };
    case "REPLAY_FAILED":
      if (refused)
        return {
          text: `${capital(target)} refused the ${c?.status === "APPROVED" ? "corrected" : "original"} message: sending it unchanged would fail the same way. Correct the payload (a new correction is approved again), or discard the exception if it needs no replay.`,
          action: mayCorrect,
        };
      if (d.currentError.category === "technical")
        return { text: `The replay met a technical problem on the way to ${target}: replay it again once ${target} is reachable.`, action: mayReplay };
      return { text: "The replay failed: correct the payload, or replay it again.", action: allowed.replay ? "replay" : mayCorrect };
    case "CORRECTING":
      return c && c.author.id !== user.id
        ? { text: `${c.author.name} is correcting the payload.`, action: "none" }
        : { text: "Finish the correction and submit it for approval.", action: allowed.correct ? "submit" : "none" };
    default:
      // NEW, TRIAGED
      return d.category === "BUSINESS"
        ? { text: `${capital(target)} refused this message: correct the payload and submit it for approval.`, action: mayCorrect }
        : { text: `A technical failure: replay the message as is once ${target} is reachable, or correct it.`, action: mayReplay };
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
