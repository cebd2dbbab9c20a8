import { type DbClient, db } from "../db";
import type { SystemKind } from "../db/generated/enums";
import { attemptCategory, describeAttempt } from "./attempt-text";

/**
 * The error that stands now for an exception: the reported one, unless a replay failed after it was
 * last reported — then that replay's (its last attempt's) error. The exception page leads with it and
 * an approver reads it beside the correction that is meant to fix it.
 */
export type LatestError = {
  source: "replay" | "reported";
  code: string;
  message: string;
  /** business: the target refused the message as it is; technical: the target or the way to it had trouble. */
  category: "business" | "technical" | null;
  at: string;
  /** One sentence for people ("SAP ERP refused the message: …"). */
  text: string;
  /** The replay that failed (source "replay"): what it sent (an approved correction, or the original payload as is). */
  replay: { id: string; correctionId: string | null } | null;
};

type Reported = { id: string; errorCode: string; errorMessage: string; category: "TECHNICAL" | "BUSINESS"; lastSeenAt: Date };

type FailedReplay = {
  id: string;
  exceptionId: string;
  correctionId: string | null;
  finishedAt: Date | null;
  system: SystemKind | null;
  last: { mode: string; outcome: string; httpStatus: number | null; errorCode: string | null; errorMessage: string | null; response: unknown } | null;
};

/** The latest failed replay of each exception, with its last attempt (one query for a page of exceptions). */
export async function latestFailedReplays(exceptionIds: string[], client: DbClient = db()): Promise<Map<string, FailedReplay>> {
  if (exceptionIds.length === 0) return new Map();
  const rows = await client.replay.findMany({
    where: { exceptionId: { in: exceptionIds }, status: "FAILED" },
    orderBy: [{ exceptionId: "asc" }, { finishedAt: "desc" }],
    distinct: ["exceptionId"],
    select: {
      id: true,
      exceptionId: true,
      correctionId: true,
      finishedAt: true,
      connector: { select: { system: { select: { kind: true } } } },
      attempts: { orderBy: { attempt: "desc" }, take: 1 },
    },
  });
  return new Map(
    rows.map((r) => {
      const a = r.attempts[0];
      return [
        r.exceptionId,
        {
          id: r.id,
          exceptionId: r.exceptionId,
          correctionId: r.correctionId,
          finishedAt: r.finishedAt,
          system: r.connector.system.kind,
          last: a
            ? { mode: a.mode, outcome: a.outcome, httpStatus: a.httpStatus, errorCode: a.errorCode, errorMessage: a.errorMessage, response: a.response }
            : null,
        },
      ];
    }),
  );
}

/** The error that stands now (see LatestError). `targetSystem`: the system the message goes to, for wording. */
export function latestError(e: Reported, failed: FailedReplay | undefined, targetSystem: SystemKind | null): LatestError {
  if (failed?.finishedAt && failed.finishedAt > e.lastSeenAt && failed.last) {
    const a = failed.last;
    const category = attemptCategory(a.response);
    return {
      source: "replay",
      code: a.errorCode ?? "REPLAY_FAILED",
      message: a.errorMessage ?? "",
      category,
      at: failed.finishedAt.toISOString(),
      text: describeAttempt({ ...a, category }, failed.system ?? targetSystem),
      replay: { id: failed.id, correctionId: failed.correctionId },
    };
  }
  const category = e.category === "BUSINESS" ? "business" : "technical";
  return {
    source: "reported",
    code: e.errorCode,
    message: e.errorMessage,
    category,
    at: e.lastSeenAt.toISOString(),
    text: e.errorMessage,
    replay: null,
  };
}

/**
 * The target refused exactly what a replay would send now: the last replay failed because the target
 * refused the message (a business refusal, the error that stands), and the payload a replay would send
 * now — the approved correction's id, else null for the original as is — is the one that replay sent.
 * Sent unchanged it fails the same way, so it goes again only with a reason (replay-plan.ts enforces it,
 * the exception page offers it so). Returns the refused replay's id, or null. Pure.
 */
export function refusedAsIs(status: string, current: Pick<LatestError, "source" | "category" | "replay">, correctionIdNow: string | null): string | null {
  if (status !== "REPLAY_FAILED" || current.source !== "replay" || current.category !== "business" || !current.replay) return null;
  return current.replay.correctionId === correctionIdNow ? current.replay.id : null;
}
