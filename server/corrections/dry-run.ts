import { randomUUID } from "node:crypto";
import { REPLAY_HEADERS, signReplay } from "../../connectors/sdk/replay-signature";
import { append } from "../audit";
import { type Prisma, db } from "../db";
import type { DryRunOutcome } from "../db/generated/enums";
import { AppError, forbidden } from "../http/errors";
import { OutboundRefused, outboundRequest } from "../net/outbound";
import { can } from "../policy";
import { publishExceptionsById } from "../realtime/exception-live";
import { type Outcome, parsePushAnswer, technical } from "../replay/outcome";
import { loadCorrection } from "./load-correction";
import { type Actor, actorOf } from "./rules";

/**
 * Dry run of a correction (issue 20): the corrected payload goes to the target system's connector
 * along the replay path — the same signed POST to its replay endpoint, with `dryRun: true` — and the
 * connector runs the target's own test mode (SAP TESTRUN = 'X', Odoo's uncommitted dry-run database, …).
 * The answer is recorded on the correction, bound to the hash of exactly the payload checked:
 *   WOULD_POST — the target accepted it and posted nothing;
 *   REFUSED    — the target's business refusal (its code and message);
 *   ERROR      — nothing was decided: the connector cannot dry-run, has no push endpoint, is unreachable, …
 * Recorded only while the correction still holds that payload (a concurrent edit makes the result
 * irrelevant: 409), audited "correction.dry_run" in the same transaction.
 */
const MAX_ANSWER_BYTES = 64 * 1024;
const TIMEOUT_MS = 30_000;

export type DryRunResult = { code: string | null; message: string; answer: unknown; httpStatus: number | null; durationMs: number };

/** How a connector's answer to a dry run reads as an outcome (pure). */
export function dryRunOutcomeOf(o: Outcome): DryRunOutcome {
  if (o.status === "delivered") return "WOULD_POST";
  return o.category === "business" ? "REFUSED" : "ERROR";
}

/** What the approver reads of the target's answer: its code and message, and an excerpt of the rest (pure). */
export function dryRunResultOf(o: Outcome, httpStatus: number | null, durationMs: number): DryRunResult {
  if (o.status === "delivered") {
    return {
      code: null,
      message: "The target checked the payload and would post it (nothing was posted).",
      answer: excerpt(o.response),
      httpStatus,
      durationMs,
    };
  }
  return { code: o.code, message: o.message.slice(0, 2000), answer: excerpt(o.details ?? null), httpStatus, durationMs };
}

function excerpt(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value);
  return text.length <= 4000 ? value : { excerpt: `${text.slice(0, 4000)}…` };
}

export async function dryRunCorrection(user: Actor, correctionId: string) {
  const c = await loadCorrection(user, correctionId);
  const plantId = c.exception.plantId;
  if (!can(user, "correction.dry_run", { plantId })) throw forbidden("Your role cannot run a dry run against the target");
  if (!["DRAFT", "SUBMITTED", "APPROVED"].includes(c.status))
    throw new AppError(409, "invalid_transition", `A ${c.status.toLowerCase()} correction is no longer checked against the target`);
  const e = await db().exception.findUniqueOrThrow({
    where: { id: c.exceptionId },
    include: { plant: true, interface: true, transaction: true },
  });
  const target = e.hopTarget ?? e.interface.targetSystems[0] ?? null;
  const connector = target ? await db().connector.findFirst({ where: { plantId, system: { kind: target } } }) : null;
  const checkedHash = c.payloadHash;

  let outcome: Outcome;
  let httpStatus: number | null = null;
  const started = Date.now();
  if (!connector) outcome = technical("NO_CONNECTOR", `${e.plant.code} has no connector for ${target ?? "the target system"}: nothing was checked`);
  else if (connector.disabledAt) outcome = technical("CONNECTOR_DISABLED", `The ${target} connector of ${e.plant.code} is disabled: nothing was checked`);
  else if (!connector.replayUrl || !connector.replaySecret)
    outcome = technical(
      "NO_PUSH_ENDPOINT",
      `The ${target} connector of ${e.plant.code} collects its replays (pull mode): a dry run needs its push endpoint, nothing was checked`,
    );
  else {
    // Its own key per check: a dry run never shares a key with a delivery (targets remember keys).
    const idempotencyKey = `andon-dry-run-${randomUUID()}`;
    const body = JSON.stringify({
      replayId: `dry-run-${c.id}`,
      idempotencyKey,
      plantCode: e.plant.code,
      interface: e.interface.code,
      messageId: e.transaction.messageId,
      correlationId: e.transaction.correlationId,
      payload: c.payload,
      attempt: 1,
      dryRun: true,
    });
    const ts = Math.floor(Date.now() / 1000);
    try {
      const res = await outboundRequest(connector.replayUrl, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [REPLAY_HEADERS.idempotencyKey]: idempotencyKey,
          [REPLAY_HEADERS.timestamp]: String(ts),
          [REPLAY_HEADERS.signature]: signReplay(connector.replaySecret, ts, body),
        },
        body,
        allowPrivate: connector.replayAllowPrivate,
        timeoutMs: TIMEOUT_MS,
        maxResponseBytes: MAX_ANSWER_BYTES,
      });
      httpStatus = res.status;
      if (res.status >= 200 && res.status < 300 && !res.truncated) outcome = parsePushAnswer(res.bodyText);
      else if (res.status >= 200 && res.status < 300)
        outcome = technical("INVALID_RESPONSE", `The connector's answer is larger than ${MAX_ANSWER_BYTES / 1024} KB`);
      else outcome = technical(`HTTP-${res.status}`, `Connector answered ${res.status}: ${res.bodyText.slice(0, 300)}`);
    } catch (err) {
      outcome = err instanceof OutboundRefused ? technical("DESTINATION_REFUSED", err.message) : technical("CONNECTOR_UNREACHABLE", (err as Error).message);
    }
  }
  const durationMs = Date.now() - started;
  const dryRunOutcome = dryRunOutcomeOf(outcome);
  const result = dryRunResultOf(outcome, httpStatus, durationMs);

  const saved = await db().$transaction(async (tx) => {
    // Only for the payload that was checked: an edit meanwhile makes this answer about another payload.
    const res = await tx.correction.updateMany({
      where: { id: c.id, payloadHash: checkedHash, status: { in: ["DRAFT", "SUBMITTED", "APPROVED"] } },
      data: {
        dryRunOutcome,
        dryRunAt: new Date(),
        dryRunPayloadHash: checkedHash,
        dryRunResult: result as unknown as Prisma.InputJsonValue,
        dryRunById: user.id,
      },
    });
    if (res.count !== 1)
      throw new AppError(
        409,
        "payload_changed",
        "The correction was changed while the target checked it: the answer is about an older payload. Run the dry run again",
      );
    await append(tx, {
      type: "correction.dry_run",
      actor: actorOf(user),
      plantId,
      subject: { type: "exception", id: c.exceptionId },
      data: { correctionId: c.id, payloadHash: checkedHash, target: target ?? "UNKNOWN", outcome: dryRunOutcome, code: result.code, message: result.message },
    });
    return tx.correction.findUniqueOrThrow({ where: { id: c.id } });
  });
  await publishExceptionsById([c.exceptionId]);
  return { correctionId: saved.id, outcome: dryRunOutcome, payloadHash: checkedHash, at: saved.dryRunAt, result };
}

/** The dry run that counts for a correction's current payload, or null (none, or one of an older payload). Pure. */
export function currentDryRun(c: { payloadHash: string; dryRunOutcome: DryRunOutcome | null; dryRunPayloadHash: string | null }): DryRunOutcome | null {
  return c.dryRunOutcome && c.dryRunPayloadHash === c.payloadHash ? c.dryRunOutcome : null;
}
