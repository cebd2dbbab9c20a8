/** Limits the correction form states up front and the server enforces (client-safe: no server code). */
export const REASON_MIN_LENGTH = 10;
