/** Public API of the Andon connector SDK. */
export {
  createIngestClient,
  IngestClientClosedError,
  type CloseResult,
  type ConnectorState,
  type FlushResult,
  type IngestClient,
  type IngestClientOptions,
  type IngestClientStats,
  type RejectedEvent,
} from "./client";
export { InvalidEventError, newEventId, validateEvents, type EventIssue, type EventRefs } from "./events";
export {
  Journal,
  JournalClosedError,
  JournalFullError,
  type JournalEntry,
  type JournalOptions,
  type JournalRecovery,
} from "./journal";
export { JournalLockedError } from "./journal-lock";
export {
  backoffDelay,
  decide,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  type AttemptOutcome,
  type DropReason,
  type PauseReason,
  type RetryDecision,
  type RetryPolicy,
} from "./retry";
export { IngestClientError, type IngestClientErrorKind } from "./transport";
export {
  runReplayHandler,
  type ReplayErrorCategory,
  type ReplayHandler,
  type ReplayJob,
  type ReplayOutcome,
  type RunReplayOptions,
} from "./replay";
export type { Heartbeat, IngestEvent, IngestEventInput, IngestResult } from "../../server/ingest/schema";
export { REPLAY_HEADERS, REPLAY_TOLERANCE_S, signReplay, verifyReplay } from "./replay-signature";
export { startReplayPushServer } from "./replay-push";
export { startReplayPuller, type ReplayPullerOptions } from "./replay-pull";
