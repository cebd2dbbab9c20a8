import { NextRequest, NextResponse } from "next/server";
import { ZodError } from "zod";
import { logger } from "../log";
import { BODY_LIMITS, limitBody } from "./body";
import { AppError, ClientAbortedError, isClientAborted, isDatabaseUnavailable, isRefusedValue } from "./errors";

/** Route-handler side of errors (depends on Next.js; domain modules import ./errors only). */
const log = logger("http");

export function errorResponse(err: unknown): NextResponse {
  if (err instanceof AppError) {
    return NextResponse.json({ error: { code: err.code, message: err.message, details: err.details } }, { status: err.status });
  }
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    const message = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
    return NextResponse.json({ error: { code: "invalid_request", message, details: issues } }, { status: 400 });
  }
  if (err instanceof SyntaxError) {
    return NextResponse.json({ error: { code: "invalid_json", message: `Malformed JSON body: ${err.message}` } }, { status: 400 });
  }
  if (isClientAborted(err)) {
    // Nobody may be listening any more: if the socket is gone, Next.js drops this answer.
    log.info("the client aborted its request body: answering 400");
    const message = "The request body was cut off before its end: send the request again";
    return NextResponse.json({ error: { code: "client_aborted", message } }, { status: 400 });
  }
  if (isRefusedValue(err)) {
    log.warn({ err }, "the database refused a value of the request: answering 400");
    return NextResponse.json(
      { error: { code: "invalid_value", message: "A value of the request cannot be stored (e.g. a NUL character, or a number or date out of range)" } },
      { status: 400 },
    );
  }
  if (isDatabaseUnavailable(err)) {
    log.warn({ err }, "database unavailable: answering 503");
    return NextResponse.json(
      { error: { code: "unavailable", message: "The database is unavailable: nothing was stored; send again after Retry-After seconds" } },
      { status: 503, headers: { "Retry-After": "5" } },
    );
  }
  log.error({ err }, "unhandled error in route handler");
  return NextResponse.json({ error: { code: "internal", message: "Internal error" } }, { status: 500 });
}

export type HandlerOptions = {
  /**
   * The largest request body the route accepts, in bytes (default BODY_LIMITS.json): beyond it the
   * answer is 413 and the rest is not read. `null` for a route that reads its body itself under its own
   * cap (the ingest).
   */
  maxBodyBytes?: number | null;
};

/**
 * The request with a body whose failures are the client's: any error of the incoming stream (the
 * client aborted or reset its upload) reaches the route as a ClientAbortedError.
 */
function withClientBody(req: Request): Request {
  if (req.body === null) return req;
  const reader = req.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (err) {
          controller.error(new ClientAbortedError(err));
          return;
        }
        if (chunk.done) controller.close();
        else controller.enqueue(chunk.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  ); // reads the client's stream only as the route reads: no chunk ahead of a cap
  const init = { method: req.method, headers: req.headers, body, signal: req.signal, duplex: "half" };
  return new NextRequest(req.url, init as ConstructorParameters<typeof NextRequest>[1]);
}

/**
 * Wraps a route handler: its request body is capped (see `limitBody`) and its stream's failures are
 * the client's, and thrown AppError/ZodError become JSON 4xx and nothing else leaks.
 */
export function handler<A extends unknown[]>(fn: (...args: A) => Promise<Response>, options: HandlerOptions = {}) {
  const max = options.maxBodyBytes === undefined ? BODY_LIMITS.json : options.maxBodyBytes;
  return async (...args: A): Promise<Response> => {
    try {
      const [req, ...rest] = args;
      if (!(req instanceof Request)) return await fn(...args);
      const body = withClientBody(req);
      return await fn(...([max === null ? body : limitBody(body, max), ...rest] as A));
    } catch (err) {
      return errorResponse(err);
    }
  };
}
