import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { pathToFileURL } from "node:url";

/** Small node:http helpers of the emulator (kept per connector directory on purpose). */

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

/** An answer, computed synchronously, sent later (possibly after a fault's wait). */
export interface Answer {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

export async function readBody(req: IncomingMessage, limit = DEFAULT_MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) throw new BodyTooLarge(limit);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}, contentType = "application/json; charset=utf-8"): Answer {
  return { status, contentType, body: JSON.stringify(body), headers };
}

export function send(res: ServerResponse, answer: Answer, extraHeaders: Record<string, string> = {}): void {
  res.writeHead(answer.status, {
    "content-type": answer.contentType,
    "content-length": Buffer.byteLength(answer.body),
    ...answer.headers,
    ...extraHeaders,
  });
  res.end(answer.body);
}

/** JSON with sorted keys, so that the same content always has the same fingerprint. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function fingerprint(value: unknown): string {
  return createHash("sha256").update(stableStringify(value)).digest("hex");
}

/** The Idempotency-Key header: undefined when absent, null when present but unusable. */
export function idempotencyKeyOf(req: IncomingMessage): string | undefined | null {
  const header = req.headers["idempotency-key"];
  const key = (Array.isArray(header) ? header[0] : header)?.trim();
  if (key === undefined) return undefined;
  return key.length === 0 || key.length > 255 ? null : key;
}

export function argument(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? undefined : process.argv[index + 1];
}

export function isMainModule(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return moduleUrl === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

/** Stored answers per idempotency key, with the fingerprint of the request they answered. */
export class AnswerStore {
  private readonly answers = new Map<string, { fingerprint: string; answer: Answer }>();
  /** Counted independently of `answers`, so a broken key check would show up as 2. */
  private readonly applications = new Map<string, number>();

  get(key: string): { fingerprint: string; answer: Answer } | undefined {
    return this.answers.get(key);
  }

  set(key: string, fingerprintValue: string, answer: Answer): void {
    this.answers.set(key, { fingerprint: fingerprintValue, answer });
    this.applications.set(key, (this.applications.get(key) ?? 0) + 1);
  }

  applied(key: string): number {
    return this.applications.get(key) ?? 0;
  }

  clear(): void {
    this.answers.clear();
    this.applications.clear();
  }
}
