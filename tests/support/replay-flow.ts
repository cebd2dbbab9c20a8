import { randomBytes } from "node:crypto";
import { startReplayPushServer, type ReplayHandler } from "../../connectors/sdk";
import { loadPrincipal } from "../../server/auth/principal";
import { approveCorrection } from "../../server/corrections/decide-correction";
import { saveCorrection } from "../../server/corrections/save-correction";
import { submitCorrection } from "../../server/corrections/submit-correction";
import { db } from "../../server/db";
import type { Replay } from "../../server/db/generated/client";
import type { SystemKind } from "../../server/db/generated/enums";
import { approveReplayRequest } from "../../server/replay/approve-replay-request";
import { requestReplay } from "../../server/replay/request-replay";

/**
 * The steps of an exception's way back, as people take them in Andon: a correction saved and
 * submitted by one person and approved by another, the replay requested (and approved by a second
 * person when the policy asks for it), and waiting for the workers' outcome. Shared by the
 * end-to-end replay tests of issue 18.
 */
export type Actor = NonNullable<Awaited<ReturnType<typeof loadPrincipal>>>;

export async function actor(email: string): Promise<Actor> {
  const user = await db().user.findUniqueOrThrow({ where: { email } });
  const principal = await loadPrincipal(user.id);
  if (!principal) throw new Error(`${email} cannot act`);
  return principal;
}

/** The exception Andon opened for a message (plant and interface are part of the message's identity). */
export async function exceptionOf(messageId: string, plantCode: string) {
  return db().exception.findFirstOrThrow({
    where: { transaction: { messageId, plant: { code: plantCode } } },
    include: { transaction: true, interface: true },
    orderBy: { createdAt: "desc" },
  });
}

/** Saves, submits and has another person approve a correction; returns it with the schema issues of the save. */
export async function approvedCorrection(
  author: Actor,
  approver: Actor,
  exceptionId: string,
  payload: unknown,
  reason: string,
): Promise<{ correctionId: string; payloadHash: string; issues: unknown[] }> {
  const { correction, issues } = await saveCorrection(author, exceptionId, { payload });
  if (issues.length) return { correctionId: correction.id, payloadHash: correction.payloadHash, issues };
  await submitCorrection(author, correction.id, { reason });
  await approveCorrection(approver, correction.id, { payloadHash: correction.payloadHash, comment: "Checked against the target's refusal." });
  return { correctionId: correction.id, payloadHash: correction.payloadHash, issues };
}

/**
 * Requests the replay; where the interface wants a second person for it (a replay request), the
 * approver approves the payload the request names. Returns the queued replay and how it was approved.
 */
export async function replayApproved(
  requester: Actor,
  approver: Actor,
  exceptionId: string,
  input: { reason?: string } = {},
): Promise<{ replay: Replay; via: "queued" | "replay_request"; requestId: string | null }> {
  const requested = await requestReplay(requester, exceptionId, input);
  if (requested.kind === "queued") return { replay: requested.replay, via: "queued", requestId: null };
  const approved = await approveReplayRequest(approver, requested.request.id, {
    payloadHash: requested.request.payloadHash,
    comment: "Reviewed the payload: send it.",
  });
  if (!approved.replayId) throw new Error(`replay request ${requested.request.id} was approved without a replay`);
  return { replay: await db().replay.findUniqueOrThrow({ where: { id: approved.replayId } }), via: "replay_request", requestId: requested.request.id };
}

/** Polls the exception until the replay settled it (RESOLVED or REPLAY_FAILED) or the time is up. */
export async function settled(exceptionId: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const e = await db().exception.findUniqueOrThrow({ where: { id: exceptionId } });
    if (["RESOLVED", "REPLAY_FAILED"].includes(e.status) || Date.now() > until) return e;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function attemptsOf(replayId: string) {
  return db().replayAttempt.findMany({ where: { replayId }, orderBy: { attempt: "asc" } });
}

type ConnectorSettings = { id: string; replayUrl: string | null; replaySecret: string | null; replayAllowPrivate: boolean };

/**
 * A connector's push endpoint for a system's replay handler, registered on the connectors of
 * `plants` for `system` (as a connector registers it with its key); `restore()` puts back what those
 * connectors had before (files share one database).
 */
export async function pushEndpoint(system: SystemKind, plants: string[], handler: ReplayHandler) {
  const secret = randomBytes(24).toString("hex");
  const server = await startReplayPushServer({ secret, handler });
  const where = { plant: { code: { in: plants } }, system: { kind: system } };
  const before: ConnectorSettings[] = await db().connector.findMany({
    where,
    select: { id: true, replayUrl: true, replaySecret: true, replayAllowPrivate: true },
  });
  if (before.length !== plants.length) throw new Error(`expected a ${system} connector in each of ${plants.join(", ")}`);
  await db().connector.updateMany({
    where,
    data: { replayUrl: server.url, replaySecret: secret, replayAllowPrivate: true, replayFailures: 0, replayPausedUntil: null },
  });
  return {
    url: server.url,
    async restore() {
      await server.close();
      for (const c of before) {
        await db().connector.update({
          where: { id: c.id },
          data: { replayUrl: c.replayUrl, replaySecret: c.replaySecret, replayAllowPrivate: c.replayAllowPrivate, replayFailures: 0, replayPausedUntil: null },
        });
      }
    },
  };
}
