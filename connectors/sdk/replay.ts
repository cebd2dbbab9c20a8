import type { ERROR_CATEGORIES } from "../../server/ingest/schema";

/**
 * The replay-handler interface: how a connector re-delivers a (corrected) message to its plant
 * system when the portal asks for a replay. Only the types and a timing wrapper for now; the
 * transport (push or pull) that brings jobs to the handler comes with the replay workbench.
 */

export interface ReplayJob {
  replayId: string;
  /**
   * The same for every attempt of this replay: handlers pass it to the target system (or check it
   * themselves) so that a retried delivery is not applied twice.
   */
  idempotencyKey: string;
  plantCode: string;
  interface: string;
  messageId: string;
  correlationId: string;
  /** The message to deliver, as approved (the original or a correction). */
  payload: unknown;
  /** 1 for the first delivery attempt of this replay. */
  attempt: number;
  /**
   * A dry run (issue 20): check the payload against the target without posting (SAP's TESTRUN, Odoo's
   * rolled-back call, the REST emulators' validate-only mode). Handled by `ReplayHandler.check`.
   */
  dryRun?: boolean;
}

export type ReplayErrorCategory = (typeof ERROR_CATEGORIES)[number];

export type ReplayOutcome =
  | { status: "delivered"; response?: unknown; durationMs: number }
  | {
      status: "failed";
      /** technical: the target was unreachable or broken (retry may help); business: it refused the content. */
      category: ReplayErrorCategory;
      code: string;
      message: string;
      details?: Record<string, unknown>;
      durationMs: number;
    };

export interface ReplayHandler {
  deliver(job: ReplayJob): Promise<ReplayOutcome>;
  /**
   * Optional: the target's own test mode for `job.payload` — "delivered" means the target would post it
   * (nothing was written), a business failure is the target's refusal. A handler without it cannot dry-run:
   * the push endpoint answers DRY_RUN_UNSUPPORTED (never a simulated success).
   */
  check?(job: ReplayJob): Promise<ReplayOutcome>;
}

/** The push endpoint's answer to a dry run its handler cannot do (a technical failure: nothing was checked). */
export const DRY_RUN_UNSUPPORTED = "DRY_RUN_UNSUPPORTED";

export interface RunReplayOptions {
  /** Gives up (technical failure REPLAY_TIMEOUT) after this long. The handler is not cancelled. */
  timeoutMs?: number;
  /** Monotonic clock in ms; injectable for tests. */
  now?: () => number;
}

/**
 * Calls a handler and always returns an outcome: durationMs is measured here (around the whole
 * call, so all handlers are timed the same way), a throw becomes a technical failure
 * (HANDLER_ERROR), a hang beyond `timeoutMs` becomes REPLAY_TIMEOUT, and a result that is not a
 * ReplayOutcome becomes INVALID_OUTCOME.
 */
export async function runReplayHandler(handler: ReplayHandler, job: ReplayJob, options: RunReplayOptions = {}): Promise<ReplayOutcome> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const elapsed = () => Math.max(0, Math.round(now() - started));
  let timer: NodeJS.Timeout | undefined;
  try {
    const delivery = Promise.resolve().then(() => handler.deliver(job));
    const outcome =
      options.timeoutMs === undefined
        ? await delivery
        : await Promise.race([
            delivery,
            new Promise<typeof TIMED_OUT>((resolve) => {
              timer = setTimeout(() => resolve(TIMED_OUT), options.timeoutMs);
            }),
          ]);
    if (outcome === TIMED_OUT) {
      delivery.catch(() => undefined); // a late rejection must not become an unhandled one
      return technicalFailure("REPLAY_TIMEOUT", `the handler did not finish within ${options.timeoutMs} ms`, elapsed());
    }
    if (!isReplayOutcome(outcome)) {
      return technicalFailure("INVALID_OUTCOME", "the handler returned something that is not a ReplayOutcome", elapsed());
    }
    return { ...outcome, durationMs: elapsed() };
  } catch (error) {
    const message = error instanceof Error ? error.message || error.name : String(error);
    const details = error instanceof Error ? { name: error.name } : undefined;
    return technicalFailure("HANDLER_ERROR", message || "the handler threw", elapsed(), details);
  } finally {
    clearTimeout(timer);
  }
}

const TIMED_OUT = Symbol("timed out");

function technicalFailure(code: string, message: string, durationMs: number, details?: Record<string, unknown>): ReplayOutcome {
  return { status: "failed", category: "technical", code, message, ...(details ? { details } : {}), durationMs };
}

function isReplayOutcome(value: unknown): value is ReplayOutcome {
  if (typeof value !== "object" || value === null || !("status" in value)) return false;
  if (value.status === "delivered") return true;
  return (
    value.status === "failed" &&
    "category" in value &&
    (value.category === "technical" || value.category === "business") &&
    "code" in value &&
    typeof value.code === "string" &&
    "message" in value &&
    typeof value.message === "string"
  );
}
