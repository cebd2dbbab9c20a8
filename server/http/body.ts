import { NextRequest } from "next/server";
import { INGEST_LIMITS } from "../ingest/schema";
import { AppError } from "./errors";
import { assertJsonDepth } from "./json-depth";

/**
 * Request body caps. Every route wrapped in `handler` reads its body under one of these: a larger body
 * is answered 413 and read no further. The ingest reads its own (server/ingest/body.ts: 5 MB and
 * 1,000 events a request, 256 KB a payload).
 */
export const BODY_LIMITS = {
  /** Any JSON route that does not say otherwise: comments, filters, patches, schemas, settings. */
  json: 1024 * 1024,
  /**
   * A correction: one payload, capped like an ingested event's payload, plus its reason and the JSON
   * around them. Its patch is derived from that payload, so the audit trail's copy is bounded too.
   */
  correction: INGEST_LIMITS.maxPayloadBytes + 16 * 1024,
} as const;

export const bodyTooLarge = (max: number) =>
  new AppError(
    413,
    "payload_too_large",
    `Request body too large: this endpoint accepts at most ${max.toLocaleString("en")} bytes (${Math.round(max / 1024)} KB)`,
    { maxBytes: max },
  );

/** A NextRequest whose `json()` also refuses JSON nested past MAX_JSON_DEPTH (400 too_deep). */
class JsonRequest extends NextRequest {
  override async json(): Promise<unknown> {
    return assertJsonDepth(await super.json());
  }
}

/**
 * The request with its body capped at `max` bytes. A declared Content-Length over the cap is refused at
 * once; otherwise `json()`, `text()` and friends fail with the 413 at the first chunk past the cap, and
 * the client's stream is cancelled there: at most `max` bytes are ever buffered. `json()` also refuses
 * a body nested more than MAX_JSON_DEPTH levels (400 too_deep) before any code walks it.
 */
export function limitBody(req: Request, max: number): Request {
  if (req.body === null) return req;
  const declared = Number(req.headers.get("content-length") ?? Number.NaN);
  if (declared > max) throw bodyTooLarge(max);
  let size = 0;
  const capped = req.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > max) controller.error(bodyTooLarge(max));
        else controller.enqueue(chunk);
      },
    }),
  );
  // A NextRequest again: route code may use nextUrl and cookies (next-auth does).
  return new JsonRequest(req.url, { method: req.method, headers: req.headers, body: capped, signal: req.signal, duplex: "half" } as ConstructorParameters<
    typeof NextRequest
  >[1]);
}

/** An optional JSON body: none, or one that is not JSON, reads as {}; one over the cap is still a 413, one nested too deep a 400. */
export async function readOptionalJson(req: Request): Promise<unknown> {
  const text = await req.text();
  let value: unknown;
  try {
    value = text.trim() ? (JSON.parse(text) as unknown) : {};
  } catch {
    return {};
  }
  return assertJsonDepth(value);
}
