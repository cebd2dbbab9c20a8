import { gunzipSync } from "node:zlib";
import { AppError } from "../http/errors";
import { INGEST_LIMITS } from "./schema";

/** One raw item of a request: parsed JSON, or the reason its NDJSON line could not be parsed. */
export type RawItem = { ok: true; value: unknown } | { ok: false; error: string };

const tooLarge = () =>
  new AppError(
    413,
    "payload_too_large",
    `Request too large: at most ${INGEST_LIMITS.maxRequestBytes} bytes (${INGEST_LIMITS.maxRequestBytes / 1024 / 1024} MB) and ${INGEST_LIMITS.maxEventsPerRequest} events per request`,
  );

async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads an ingest body: a JSON array (application/json) or NDJSON (application/x-ndjson), optionally
 * gzip-compressed. Whole-body problems are 4xx; a bad NDJSON line only rejects that item.
 */
export async function readIngestBody(req: Request): Promise<RawItem[]> {
  const type = (req.headers.get("content-type") ?? "application/json").split(";")[0]!.trim().toLowerCase();
  const ndjson = type === "application/x-ndjson" || type === "application/ndjson";
  if (!ndjson && type !== "application/json") {
    throw new AppError(415, "unsupported_media_type", `Content-Type must be application/json (an array of events) or application/x-ndjson, not ${type}`);
  }
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > INGEST_LIMITS.maxRequestBytes) throw tooLarge();
  let raw = await readLimited(req.body, INGEST_LIMITS.maxRequestBytes);
  const encoding = (req.headers.get("content-encoding") ?? "identity").toLowerCase();
  if (encoding === "gzip") {
    try {
      raw = gunzipSync(raw, { maxOutputLength: INGEST_LIMITS.maxRequestBytes });
    } catch (err) {
      if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge();
      throw new AppError(400, "invalid_gzip", "Content-Encoding is gzip but the body is not valid gzip data");
    }
  } else if (encoding !== "identity") {
    throw new AppError(415, "unsupported_encoding", `Content-Encoding must be gzip or identity, not ${encoding}`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    throw new AppError(400, "invalid_utf8", "The body is not valid UTF-8");
  }

  let items: RawItem[];
  if (ndjson) {
    items = text
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.length > 0)
      .map((line): RawItem => {
        try {
          return { ok: true, value: JSON.parse(line) as unknown };
        } catch (err) {
          return { ok: false, error: `Malformed JSON line: ${(err as Error).message}` };
        }
      });
  } else {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new AppError(400, "invalid_json", `Malformed JSON body: ${(err as Error).message}`);
    }
    if (!Array.isArray(value))
      throw new AppError(400, "invalid_body", "The body must be a JSON array of events (or NDJSON with Content-Type application/x-ndjson)");
    items = value.map((v): RawItem => ({ ok: true, value: v }));
  }
  if (items.length === 0) throw new AppError(400, "empty_batch", "No events in the request");
  if (items.length > INGEST_LIMITS.maxEventsPerRequest) throw tooLarge();
  return items;
}
