import pino, { type Logger } from "pino";

const g = globalThis as { __andonLog?: Logger };

/** Structured JSON logs (pino). One root logger per process; modules take a child with their name. */
g.__andonLog ??= pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: "andon" },
  redact: { paths: ["password", "*.password", "passwordHash", "*.passwordHash", "req.headers.cookie", "req.headers.authorization"], censor: "[redacted]" },
  timestamp: pino.stdTimeFunctions.isoTime,
});
export const log: Logger = g.__andonLog;

export function logger(module: string): Logger {
  return log.child({ module });
}
