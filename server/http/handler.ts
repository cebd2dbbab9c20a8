import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { logger } from "../log";
import { BODY_LIMITS, limitBody } from "./body";
import { AppError, isDatabaseUnavailable } from "./errors";

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
 * Wraps a route handler: its request body is capped (see `limitBody`), and thrown AppError/ZodError
 * become JSON 4xx and nothing else leaks.
 */
export function handler<A extends unknown[]>(fn: (...args: A) => Promise<Response>, options: HandlerOptions = {}) {
  const max = options.maxBodyBytes === undefined ? BODY_LIMITS.json : options.maxBodyBytes;
  return async (...args: A): Promise<Response> => {
    try {
      const [req, ...rest] = args;
      return await fn(...((max !== null && req instanceof Request ? [limitBody(req, max), ...rest] : args) as A));
    } catch (err) {
      return errorResponse(err);
    }
  };
}
