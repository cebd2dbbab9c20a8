import { z } from "zod";
import { INGEST_LIMITS, type Heartbeat, type IngestEvent, type IngestEventInput, type IngestResult } from "../../server/ingest/schema";
import { validateEvents, type EventIssue } from "./events";
import { Journal, type JournalEntry, type JournalOptions } from "./journal";
import { decide, DEFAULT_RETRY_POLICY, type AttemptOutcome, type DropReason, type PauseReason, type RetryPolicy } from "./retry";
import { IngestClientError, postEvents, postHeartbeat, type TransportConfig } from "./transport";

/**
 * The ingest client: events go to the on-disk journal first (send() resolves once they are durable),
 * then a single background pump sends them, oldest first, in batches.
 *
 * Delivery is at-least-once with stable identities: an event leaves the journal only after the
 * portal has answered 200 for it (accepted, duplicate or rejected). Anything that leaves the outcome
 * unknown (timeout, reset connection, crash before the ack was written) re-sends the same eventId;
 * the portal deduplicates per connector + eventId. Exactly-once over an unreliable network would need
 * the portal's cooperation anyway, and this is that cooperation.
 *
 * Ordering: one events request in flight per client, taken from the head of the journal, so events
 * reach the portal in the order they were sent (retries re-send the head before anything newer).
 */

export type ConnectorState = Heartbeat["state"];

export interface RejectedEvent {
  eventId: string;
  event: IngestEvent;
  /** "rejected": the portal's validation refused it; the others: the SDK gave up on it (see retry.ts). */
  reason: "rejected" | DropReason;
  errors: readonly EventIssue[];
}

export interface IngestClientOptions {
  baseUrl: string;
  /** The connector key, sent as `Authorization: Bearer <key>`. */
  apiKey: string;
  /** Directory of the on-disk journal; one client (process) per directory. */
  journalDir: string;
  /** Reported in heartbeats and the User-Agent. */
  connectorVersion: string;
  /** Events per request, 1–1000. Default 500. A full batch is sent at once. */
  batchSize?: number;
  /** A partial batch waits at most about this long. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Gzip request bodies. Default true. */
  gzip?: boolean;
  /** Per request, body included. Default 30 s. */
  requestTimeoutMs?: number;
  /** 0 disables heartbeats. Default 30 s. */
  heartbeatIntervalMs?: number;
  /** Default deadline of the final flush in close(). Default 10 s. */
  closeTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  journal?: Omit<JournalOptions, "now">;
  /** An event the portal will never accept as it is; it has been removed from the journal. */
  onRejected?: (rejection: RejectedEvent) => void;
  /** Failed requests, pauses, protocol surprises. The client keeps going on its own. */
  onError?: (error: IngestClientError) => void;
  fetch?: typeof fetch;
}

export type FlushResult =
  | { status: "flushed" }
  /** Stopped on a configuration error (401/403...): the events are kept, nothing is sent until `until`. */
  | { status: "paused"; reason: PauseReason; until: Date; error: IngestClientError }
  | { status: "closed"; pending: number };

export interface CloseResult {
  /** Events left in the journal, sent by the next client opened on the same directory. */
  pending: number;
}

export interface IngestClientStats {
  state: ConnectorState;
  pending: number;
  pendingBytes: number;
  oldestPendingAgeS: number | null;
  /** Totals since this client was created. */
  requests: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  dropped: number;
  failedRequests: number;
  /** Current batch size limit (lower than batchSize after a 413 split, growing back on success). */
  batchLimit: number;
  nextAttemptAt: Date | null;
  pausedReason: PauseReason | null;
  lastError: IngestClientError | null;
}

export interface IngestClient {
  /**
   * Validates and durably journals one event or several (all or nothing); resolves once they are on
   * disk, not when they are delivered. Throws InvalidEventError for input the portal would refuse.
   */
  send(events: IngestEventInput | readonly IngestEventInput[]): Promise<void>;
  /** Sends everything pending now; resolves when it is all acknowledged or sending is paused. */
  flush(): Promise<FlushResult>;
  stats(): IngestClientStats;
  /** Stops timers, tries a final flush until the deadline, releases the journal. Idempotent. */
  close(options?: { timeoutMs?: number }): Promise<CloseResult>;
}

export class IngestClientClosedError extends Error {
  constructor() {
    super("the ingest client is closed");
    this.name = "IngestClientClosedError";
  }
}

const settingsSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/, error: "baseUrl must be an http(s) URL" }),
  apiKey: z.string().min(1, "apiKey is required"),
  journalDir: z.string().min(1, "journalDir is required"),
  connectorVersion: z.string().min(1).max(50),
  batchSize: z.number().int().min(1).max(INGEST_LIMITS.maxEventsPerRequest).default(500),
  flushIntervalMs: z.number().int().min(1).default(1000),
  gzip: z.boolean().default(true),
  requestTimeoutMs: z.number().int().min(1).default(30_000),
  heartbeatIntervalMs: z.number().int().min(0).default(30_000),
  closeTimeoutMs: z.number().int().min(0).default(10_000),
});
type Settings = z.infer<typeof settingsSchema>;

/** Leaves room for the array brackets and commas; record lines overstate event sizes anyway. */
const MAX_BATCH_BYTES = INGEST_LIMITS.maxRequestBytes - 64 * 1024;

/** Opens the journal (taking its lock) and starts the background sender. */
export async function createIngestClient(options: IngestClientOptions): Promise<IngestClient> {
  const parsed = settingsSchema.safeParse(options);
  if (!parsed.success) throw new TypeError(`invalid ingest client options: ${z.prettifyError(parsed.error)}`);
  const journal = await Journal.open<IngestEvent>(options.journalDir, options.journal);
  return new Client(parsed.data, options, journal);
}

interface FlushWaiter {
  /** Resolved once every seq up to this one is acknowledged. */
  mark: number;
  resolve: (result: FlushResult) => void;
}

class Client implements IngestClient {
  private readonly transport: TransportConfig;
  private readonly policy: RetryPolicy;
  private readonly cancel = new AbortController();
  private readonly waiters: FlushWaiter[] = [];
  private readonly tickTimer: NodeJS.Timeout;
  private readonly heartbeatTimer: NodeJS.Timeout | null;
  private wakeTimer: NodeJS.Timeout | null = null;

  private pumping: Promise<void> | null = null;
  private rerun = false;
  /** Events with seq <= drainMark are due even in a partial batch (the flush interval elapsed). */
  private drainMark = 0;
  /** Consecutive retryable failures of the head batch. */
  private attempt = 0;
  /** No request before this time (backoff or pause). */
  private notBefore = 0;
  private paused: { reason: PauseReason; error: IngestClientError } | null = null;
  private batchLimit: number;
  private closing = false;
  private stopped = false;
  private closeResult: Promise<CloseResult> | null = null;
  private heartbeatInFlight: Promise<void> | null = null;
  private readonly totals = { requests: 0, accepted: 0, duplicates: 0, rejected: 0, dropped: 0, failedRequests: 0 };
  private lastError: IngestClientError | null = null;

  constructor(
    private readonly settings: Settings,
    private readonly options: IngestClientOptions,
    private readonly journal: Journal<IngestEvent>,
  ) {
    this.transport = {
      baseUrl: settings.baseUrl,
      apiKey: settings.apiKey,
      userAgent: `andon-connector-sdk (connector ${settings.connectorVersion})`,
      gzip: settings.gzip,
      requestTimeoutMs: settings.requestTimeoutMs,
      fetch: options.fetch ?? globalThis.fetch,
    };
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.batchLimit = settings.batchSize;

    // Timers are unref'd: a connector process may exit whenever its own work is done; what is not
    // delivered yet is on disk and goes out with the next client on this directory.
    this.tickTimer = setInterval(() => {
      this.drainMark = this.journal.lastSeq;
      this.kick();
    }, settings.flushIntervalMs);
    this.tickTimer.unref();
    this.heartbeatTimer = settings.heartbeatIntervalMs > 0 ? setInterval(() => this.heartbeat(), settings.heartbeatIntervalMs) : null;
    this.heartbeatTimer?.unref();

    // A backlog recovered from a previous run is due at once.
    this.drainMark = this.journal.lastSeq;
    this.kick();
    if (this.heartbeatTimer) this.heartbeat();
  }

  async send(input: IngestEventInput | readonly IngestEventInput[]): Promise<void> {
    if (this.closing) throw new IngestClientClosedError();
    const events = validateEvents(isList(input) ? input : [input]);
    await this.journal.append(events);
    if (this.journal.pending >= this.settings.batchSize) this.kick();
  }

  flush(): Promise<FlushResult> {
    if (this.stopped) return Promise.resolve({ status: "closed", pending: this.journal.pending });
    if (this.paused && Date.now() < this.notBefore) return Promise.resolve(this.pausedResult(this.paused));
    const mark = this.journal.lastSeq;
    if (this.isAcknowledgedUpTo(mark)) return Promise.resolve({ status: "flushed" });
    return new Promise<FlushResult>((resolve) => {
      this.waiters.push({ mark, resolve });
      this.kick();
    });
  }

  stats(): IngestClientStats {
    const age = this.journal.oldestPendingAgeMs();
    return {
      state: this.state(),
      pending: this.journal.pending,
      pendingBytes: this.journal.pendingBytes,
      oldestPendingAgeS: age === null ? null : age / 1000,
      ...this.totals,
      batchLimit: this.batchLimit,
      nextAttemptAt: this.notBefore > Date.now() ? new Date(this.notBefore) : null,
      pausedReason: this.paused?.reason ?? null,
      lastError: this.lastError,
    };
  }

  close(options: { timeoutMs?: number } = {}): Promise<CloseResult> {
    this.closeResult ??= this.shutdown(options.timeoutMs ?? this.settings.closeTimeoutMs);
    return this.closeResult;
  }

  // -------------------------------------------------------------------------------------------

  private async shutdown(timeoutMs: number): Promise<CloseResult> {
    this.closing = true;
    clearInterval(this.tickTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);

    if (this.journal.pending > 0 && timeoutMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([this.flush(), deadline]);
      clearTimeout(timer);
    }

    this.stopped = true;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.cancel.abort(); // an unanswered request's events simply stay in the journal
    await this.pumping;
    await this.heartbeatInFlight;
    const pending = this.journal.pending;
    for (const waiter of this.waiters.splice(0)) waiter.resolve({ status: "closed", pending });
    await this.journal.close();
    return { pending };
  }

  private state(): ConnectorState {
    if (this.paused) return "offline";
    if (this.attempt > 0) return "degraded";
    return "online";
  }

  /** Starts the pump, or asks the running one to look again once it is done. */
  private kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.rerun = true;
      return;
    }
    this.pumping = (async () => {
      do {
        this.rerun = false;
        await this.pump();
      } while (this.rerun && !this.stopped);
    })().finally(() => {
      this.pumping = null;
    });
  }

  /** Sends due batches one at a time until nothing is due. Never throws. */
  private async pump(): Promise<void> {
    while (!this.stopped) {
      const wait = this.notBefore - Date.now();
      if (wait > 0) {
        this.scheduleWake(wait);
        return;
      }
      const oldest = this.journal.oldestPending();
      if (oldest === null) {
        this.settleWaiters();
        return;
      }
      const due = this.journal.pending >= this.settings.batchSize || oldest.seq <= this.drainMark || this.waiters.length > 0;
      if (!due) return;

      let entries: JournalEntry<IngestEvent>[];
      try {
        entries = await this.journal.peek(this.batchLimit, MAX_BATCH_BYTES);
      } catch (error) {
        if (this.stopped) return;
        await this.onFailure(
          [],
          { kind: "journal", message: errorMessage(error) },
          new IngestClientError("journal", `reading the journal failed: ${errorMessage(error)}`, { cause: error }),
        );
        continue;
      }
      if (entries.length === 0) return;

      this.totals.requests += 1;
      const answer = await postEvents(
        this.transport,
        entries.map((entry) => entry.value),
        this.cancel.signal,
      );
      if (answer.kind === "aborted") return;
      if (answer.kind === "ok") await this.onAnswer(entries, answer.result);
      else await this.onFailure(entries, answer.outcome, answer.error);
      this.settleWaiters();
    }
  }

  private async onAnswer(entries: JournalEntry<IngestEvent>[], result: IngestResult): Promise<void> {
    try {
      await this.journal.ack(entries.map((entry) => entry.seq));
    } catch (error) {
      // Not acknowledged locally: the batch goes again and the portal absorbs it as duplicates.
      const message = `recording the acknowledgement failed: ${errorMessage(error)}`;
      await this.onFailure(entries, { kind: "journal", message }, new IngestClientError("journal", message, { cause: error }));
      return;
    }
    this.attempt = 0;
    this.paused = null;
    this.batchLimit = Math.min(this.settings.batchSize, this.batchLimit * 2);
    this.totals.accepted += result.accepted;
    this.totals.duplicates += result.duplicates;

    for (const item of result.rejected) {
      const entry = entries[item.index];
      if (!entry) {
        this.report(new IngestClientError("bad-response", `the portal rejected index ${item.index} of a ${entries.length}-event batch`));
        continue;
      }
      this.totals.rejected += 1;
      this.reject({ eventId: entry.value.eventId, event: entry.value, reason: "rejected", errors: item.errors });
    }
    const counted = result.accepted + result.duplicates + result.rejected.length;
    if (counted !== entries.length) {
      // The 200 says the request is done, so the events are not kept; but it is worth knowing.
      this.report(new IngestClientError("bad-response", `the portal accounted for ${counted} of ${entries.length} events in a 200 answer`));
    }
  }

  private async onFailure(entries: JournalEntry<IngestEvent>[], outcome: AttemptOutcome, error: IngestClientError): Promise<void> {
    this.totals.failedRequests += 1;
    const decision = decide(this.attempt + 1, outcome, this.policy);
    const detailed = new IngestClientError(error.kind, `${error.message} → ${describe(decision)}`, {
      status: error.status,
      code: error.code,
      decision,
      cause: error.cause,
    });
    // Whatever happens now, an earlier pause is over: this attempt was made after it elapsed.
    this.paused = null;
    this.report(detailed);
    switch (decision.kind) {
      case "retry":
        this.attempt += 1;
        this.notBefore = Date.now() + decision.delayMs;
        break;
      case "split":
        this.batchLimit = Math.max(1, Math.floor(entries.length / 2));
        break;
      case "drop":
        this.attempt = 0;
        await this.drop(entries, decision.reason, error);
        break;
      case "pause":
        this.attempt = 0;
        this.notBefore = Date.now() + decision.delayMs;
        this.paused = { reason: decision.reason, error: detailed };
        for (const waiter of this.waiters.splice(0)) waiter.resolve(this.pausedResult(this.paused));
        break;
    }
  }

  private async drop(entries: JournalEntry<IngestEvent>[], reason: DropReason, error: IngestClientError): Promise<void> {
    await this.journal.ack(entries.map((entry) => entry.seq)).then(
      () => {
        this.totals.dropped += entries.length;
        for (const entry of entries) {
          this.reject({ eventId: entry.value.eventId, event: entry.value, reason, errors: [{ path: "", message: error.message }] });
        }
      },
      (ackError: unknown) => this.report(new IngestClientError("journal", `dropping events failed: ${errorMessage(ackError)}`, { cause: ackError })),
    );
  }

  private settleWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i];
      if (waiter && this.isAcknowledgedUpTo(waiter.mark)) {
        this.waiters.splice(i, 1);
        waiter.resolve({ status: "flushed" });
      }
    }
  }

  private isAcknowledgedUpTo(mark: number): boolean {
    const oldest = this.journal.oldestPending();
    return oldest === null || oldest.seq > mark;
  }

  private scheduleWake(delayMs: number): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      this.kick();
    }, delayMs);
    // Someone awaiting flush()/close() must not see the process exit under them.
    if (this.waiters.length === 0 && !this.closing) this.wakeTimer.unref();
  }

  private heartbeat(): void {
    if (this.heartbeatInFlight || this.stopped) return;
    const age = this.journal.oldestPendingAgeMs();
    const body: Heartbeat = {
      version: this.settings.connectorVersion,
      state: this.state(),
      backlog: this.journal.pending,
      oldestPendingAgeS: age === null ? null : age / 1000,
    };
    this.heartbeatInFlight = postHeartbeat(this.transport, body, this.cancel.signal)
      .then((error) => {
        if (error) this.report(error);
      })
      .finally(() => {
        this.heartbeatInFlight = null;
      });
  }

  private pausedResult(paused: { reason: PauseReason; error: IngestClientError }): FlushResult {
    return { status: "paused", reason: paused.reason, until: new Date(this.notBefore), error: paused.error };
  }

  private reject(rejection: RejectedEvent): void {
    const callback = this.options.onRejected;
    if (!callback) return;
    try {
      callback(rejection);
    } catch (error) {
      this.report(new IngestClientError("callback", `onRejected threw: ${errorMessage(error)}`, { cause: error }));
    }
  }

  private report(error: IngestClientError): void {
    this.lastError = error;
    const callback = this.options.onError;
    if (!callback) return;
    try {
      callback(error);
    } catch {
      // A throwing error handler must not stop the sender; there is nobody left to tell.
    }
  }
}

function isList(input: IngestEventInput | readonly IngestEventInput[]): input is readonly IngestEventInput[] {
  return Array.isArray(input);
}

function describe(decision: ReturnType<typeof decide>): string {
  switch (decision.kind) {
    case "retry":
      return `retrying in ${decision.delayMs} ms`;
    case "split":
      return "splitting the batch";
    case "drop":
      return `dropping (${decision.reason})`;
    case "pause":
      return `paused for ${decision.delayMs} ms (${decision.reason}); events are kept`;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
