import { AppError } from "../http/errors";
import { OutboundFailed, OutboundRefused, checkDestination } from "./outbound";

const CODES = { bad_url: "invalid_url", http_not_allowed: "https_required", private_address: "private_destination" } as const;

/**
 * For endpoints that register a URL Andon will call later (replay endpoints, alert webhooks): the same
 * check as at send time, answered as a 400 naming the rule. The sender checks again on every request.
 */
export async function requireAllowedDestination(url: string, opts: { allowPrivate: boolean; what: string }): Promise<void> {
  try {
    await checkDestination(url, { allowPrivate: opts.allowPrivate, signal: AbortSignal.timeout(5_000) });
  } catch (err) {
    if (err instanceof OutboundRefused) throw new AppError(400, CODES[err.reason], `${opts.what}: ${err.message}`, { reason: err.reason });
    if (err instanceof OutboundFailed) throw new AppError(400, "unresolvable_host", `${opts.what}: ${err.message}`, { reason: err.reason });
    throw new AppError(400, "unresolvable_host", `${opts.what}: the host name could not be checked in time`);
  }
}
