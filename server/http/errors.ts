
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
