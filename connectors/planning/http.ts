import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";

/**
 * Small HTTP helpers of the planning emulator: RFC 9457 problem details, body reading, the
 * Idempotency-Key store. (A copy of connectors/edi/http.ts: the directories stay independent.)
 */

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function problemResponse(problem: HttpProblem, typePrefix: string, instance?: string): StoredResponse {
  const body = {
    type: `${typePrefix}${problem.code.toLowerCase().replaceAll("_", "-")}`,
    title: TITLES[problem.status] ?? "Error",
    status: problem.status,
    detail: problem.message,
    code: problem.code,
    ...(instance ? { instance } : {}),
    ...problem.extra,
  };
  return { status: problem.status, headers: { "content-type": "application/problem+json" }, body: JSON.stringify(body) };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): StoredResponse {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(body) };
}

export function textResponse(status: number, body: string, contentType: string): StoredResponse {
  return { status, headers: { "content-type": contentType }, body };
}

export function send(res: ServerResponse, response: StoredResponse, extraHeaders: Record<string, string> = {}): void {
  res.writeHead(response.status, { ...response.headers, ...extraHeaders, "content-length": String(Buffer.byteLength(response.body)) });
  res.end(response.body);
}

export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new HttpProblem(413, "PAYLOAD_TOO_LARGE", `request body exceeds ${limit} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function parseJson(text: string): unknown {
  try {
    return text.trim() ? (JSON.parse(text) as unknown) : {};
  } catch {
    throw new HttpProblem(400, "INVALID_JSON", "request body is not valid JSON");
  }
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const errors = result.error.issues.map((i) => ({ path: i.path.join(".") || "body", message: i.message }));
    throw new HttpProblem(400, "INVALID_REQUEST", errors.map((e) => `${e.path}: ${e.message}`).join("; "), { errors });
  }
  return result.data;
}

export function idempotencyKeyOf(req: IncomingMessage): string | undefined {
  const header = req.headers["idempotency-key"];
  const key = (Array.isArray(header) ? header[0] : header)?.trim();
  if (key !== undefined && (key.length === 0 || key.length > 255))
    throw new HttpProblem(400, "INVALID_IDEMPOTENCY_KEY", "Idempotency-Key must be 1 to 255 characters");
  return key;
}

export const fingerprint = (...parts: string[]): string => createHash("sha256").update(parts.join("\u0000")).digest("hex");

/**
 * Idempotency-Key store: a key is applied once; the same key and request again gets the stored answer,
 * the same key with another request 422. Check and store happen without an await in between.
 */
export class IdempotencyStore {
  readonly #answers = new Map<string, { fingerprint: string; response: StoredResponse }>();
  readonly #applications = new Map<string, number>();

  /** The stored answer for this key and request, undefined if the key is new. */
  lookup(key: string, requestFingerprint: string): StoredResponse | undefined {
    const stored = this.#answers.get(key);
    if (!stored) return undefined;
    if (stored.fingerprint !== requestFingerprint)
      throw new HttpProblem(422, "IDEMPOTENCY_KEY_REUSED", `Idempotency-Key ${key} was already used for a different request`);
    return stored.response;
  }

  store(key: string, requestFingerprint: string, response: StoredResponse): void {
    this.#answers.set(key, { fingerprint: requestFingerprint, response });
    this.#applications.set(key, (this.#applications.get(key) ?? 0) + 1);
  }

  applications(key: string): number {
    return this.#applications.get(key) ?? 0;
  }

  clear(): void {
    this.#answers.clear();
    this.#applications.clear();
  }
}
