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
const UNAVAILABLE_CODES = new Set([
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "53300",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)|terminating connection due to administrator command|Can't reach database server/i;

/**
 * The client stopped sending its request body (aborted the upload, reset the connection): its doing,
 * not an outage of ours. `handler` wraps every error of the request's body stream in one, so a socket
 * error code from the client (ECONNRESET) is never taken for one from the database.
 */
export class ClientAbortedError extends Error {
  constructor(cause: unknown) {
    super("The client aborted the request before its body ended", { cause });
  }
}

export const isClientAborted = (err: unknown): boolean => inCauseChain(err, (e) => e instanceof ClientAbortedError);

/**
 * Walks an error's causes: `cause`, and Prisma's wrapping of the pg adapter's error
 * (`meta.driverAdapterError.cause`, where a PrismaClientKnownRequestError keeps the SQLSTATE).
 */
function inCauseChain(err: unknown, test: (e: unknown) => boolean): boolean {
  const next = (e: unknown): unknown => {
    const x = e as { cause?: unknown; meta?: { driverAdapterError?: unknown } };
    return x.cause ?? x.meta?.driverAdapterError;
  };
  for (let e: unknown = err, depth = 0; e && depth < 8; depth++, e = next(e)) if (test(e)) return true;
  return false;
}

/**
 * A value the database refused as data (SQLSTATE class 22 — NUL or untranslatable text, a number or
 * date out of range, malformed input for a cast — or 54000, e.g. a key too large to index): it came
 * from the request, so the answer is 400, never a 5xx.
 */
export function isRefusedValue(err: unknown): boolean {
  return inCauseChain(err, (e) => {
    const code = (e as { code?: unknown; originalCode?: unknown }).originalCode ?? (e as { code?: unknown }).code;
    return typeof code === "string" && /^(22[0-9A-Z]{3}|54000)$/.test(code);
  });
}

/**
 * Whether an error (or anything in its cause chain) says the database is unavailable: such requests
 * answer 503 with Retry-After, so connectors keep their events and send them again later. A client
 * that aborted its request is not an outage, whatever its socket error code.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (isClientAborted(err)) return false;
  for (let e: unknown = err, depth = 0; e && depth < 6; depth++) {
    const x = e as { code?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown };
    if (typeof x.code === "string" && UNAVAILABLE_CODES.has(x.code)) return true;
    if (typeof x.originalCode === "string" && UNAVAILABLE_CODES.has(x.originalCode)) return true;
    if (typeof x.message === "string" && UNAVAILABLE_MESSAGES.test(x.message)) return true;
    e = x.cause;
  }
  return false;
}
