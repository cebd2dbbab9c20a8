import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import { errorBodySchema, ingestResultSchema, type Heartbeat, type IngestEvent, type IngestResult } from "../../server/ingest/schema";
import { parseRetryAfter, type AttemptOutcome, type RetryDecision } from "./retry";

/**
 * HTTP to the ingest API: encoding a batch, one POST, and turning whatever happened into either an
 * IngestResult or an AttemptOutcome for retry.decide(). No retry logic and no state here.
 */

const gzip = promisify(gzipCallback);

export const EVENTS_PATH = "/api/ingest/v1/events";
export const HEARTBEAT_PATH = "/api/ingest/v1/heartbeat";

export type IngestClientErrorKind = "http" | "network" | "timeout" | "bad-response" | "journal" | "heartbeat" | "callback";

/** Reported through onError; never thrown at the caller of send(). */
export class IngestClientError extends Error {
  readonly kind: IngestClientErrorKind;
  readonly status: number | undefined;
  /** `error.code` of the portal's error body, when there was one. */
  readonly code: string | undefined;
  /** What the client does about it. */
  readonly decision: RetryDecision | undefined;

  constructor(
    kind: IngestClientErrorKind,
    message: string,
    details: { status?: number | undefined; code?: string | undefined; decision?: RetryDecision | undefined; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "IngestClientError";
    this.kind = kind;
    this.status = details.status;
    this.code = details.code;
    this.decision = details.decision;
  }
}

export interface TransportConfig {
  baseUrl: string;
  apiKey: string;
  userAgent: string;
  gzip: boolean;
  requestTimeoutMs: number;
  fetch: typeof fetch;
}

export type PostResult =
  | { kind: "ok"; result: IngestResult }
  | { kind: "failed"; outcome: AttemptOutcome; error: IngestClientError }
  /** Cancelled by the client (close()): nothing to decide, the events stay in the journal. */
  | { kind: "aborted" };

export async function postEvents(config: TransportConfig, events: readonly IngestEvent[], cancel: AbortSignal): Promise<PostResult> {
  const json = Buffer.from(JSON.stringify(events), "utf8");
  const body = config.gzip ? await gzip(json) : json;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (config.gzip) headers["content-encoding"] = "gzip";

  const answer = await request(config, EVENTS_PATH, headers, body, cancel);
  if (answer.kind !== "answered") return answer;
  const { status, text, retryAfter } = answer;

  if (status >= 200 && status < 300) {
    const parsed = parseJson(text);
    const result = ingestResultSchema.safeParse(parsed);
    if (result.success) return { kind: "ok", result: result.data };
    const message = `HTTP ${status} without an ingest result in the body (${snippet(text)})`;
    return { kind: "failed", outcome: { kind: "bad-response", message }, error: new IngestClientError("bad-response", message, { status }) };
  }
  const portalError = errorBodySchema.safeParse(parseJson(text));
  const code = portalError.success ? portalError.data.error.code : undefined;
  const message = `HTTP ${status}${portalError.success ? ` ${portalError.data.error.code}: ${portalError.data.error.message}` : ` (${snippet(text)})`}`;
  return {
    kind: "failed",
    outcome: { kind: "http", status, retryAfterMs: parseRetryAfter(retryAfter, Date.now()), batchSize: events.length },
    error: new IngestClientError("http", message, { status, code }),
  };
}

/** Heartbeats are best effort: the next one follows on the interval, so there is no retry. */
export async function postHeartbeat(config: TransportConfig, heartbeat: Heartbeat, cancel: AbortSignal): Promise<IngestClientError | null> {
  const body = Buffer.from(JSON.stringify(heartbeat), "utf8");
  const answer = await request(config, HEARTBEAT_PATH, { "content-type": "application/json" }, body, cancel);
  if (answer.kind === "aborted") return null;
  if (answer.kind === "failed") return new IngestClientError("heartbeat", `heartbeat failed: ${answer.error.message}`, { cause: answer.error });
  if (answer.status >= 200 && answer.status < 300) return null;
  const portalError = errorBodySchema.safeParse(parseJson(answer.text));
  return new IngestClientError("heartbeat", `heartbeat failed: HTTP ${answer.status} (${snippet(answer.text)})`, {
    status: answer.status,
    code: portalError.success ? portalError.data.error.code : undefined,
  });
}

type Answer =
  | { kind: "answered"; status: number; text: string; retryAfter: string | null }
  | { kind: "failed"; outcome: AttemptOutcome; error: IngestClientError }
  | { kind: "aborted" };

async function request(config: TransportConfig, path: string, headers: Record<string, string>, body: Buffer, cancel: AbortSignal): Promise<Answer> {
  // One controller per request, fed by the timeout and by the client's cancel signal. (Not
  // AbortSignal.any: with a long-lived source signal it accumulates dependants on some Node 20s.)
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, config.requestTimeoutMs);
  const onCancel = () => controller.abort();
  if (cancel.aborted) controller.abort();
  else cancel.addEventListener("abort", onCancel, { once: true });
  try {
    const response = await config.fetch(`${config.baseUrl.replace(/\/+$/, "")}${path}`, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${config.apiKey}`, "user-agent": config.userAgent },
      body: new Uint8Array(body),
      signal: controller.signal,
      // A redirect would turn a POST into a GET or leak the key to another origin: surface it instead.
      redirect: "manual",
    });
    // The timeout covers the whole exchange, reading the response body included.
    const text = await response.text();
    return { kind: "answered", status: response.status, text, retryAfter: response.headers.get("retry-after") };
  } catch (error) {
    if (cancel.aborted) return { kind: "aborted" };
    if (timedOut) {
      const message = `no answer within ${config.requestTimeoutMs} ms`;
      return { kind: "failed", outcome: { kind: "timeout" }, error: new IngestClientError("timeout", message, { cause: error }) };
    }
    const message = describeNetworkError(error);
    return { kind: "failed", outcome: { kind: "network", message }, error: new IngestClientError("network", message, { cause: error }) };
  } finally {
    clearTimeout(timer);
    cancel.removeEventListener("abort", onCancel);
  }
}

function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici puts the useful part (ECONNREFUSED 127.0.0.1:443...) in `cause`.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "empty body";
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
