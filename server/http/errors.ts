
/** Domain errors carry the HTTP status they map to; route handlers never build error bodies by hand. */
export class AppError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const unauthorized = () => new AppError(401, "unauthorized", "Sign in to continue");
export const notFound = (what = "Resource") => new AppError(404, "not_found", `${what} not found`);
export const forbidden = (message = "You are not allowed to do this") => new AppError(403, "forbidden", message);

/** SQLSTATEs and driver messages that mean "the database is not reachable right now", not a bug. */
const UNAVAILABLE_CODES = new Set(["57P01", "57P02", "57P03", "08000", "08001", "08003", "08004", "08006", "53300", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"]);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)|terminating connection due to administrator command|Can't reach database server/i;

/**
 * Whether an error (or anything in its cause chain) says the database is unavailable: such requests
 * answer 503 with Retry-After, so connectors keep their events and send them again later.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const x = e as { code?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown };
    if (typeof x.code === "string" && UNAVAILABLE_CODES.has(x.code)) return true;
    if (typeof x.originalCode === "string" && UNAVAILABLE_CODES.has(x.originalCode)) return true;
    if (typeof x.message === "string" && UNAVAILABLE_MESSAGES.test(x.message)) return true;
    e = x.cause;
  }
  return false;
}
