import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Push-replay request signing, shared by the portal (signs) and connectors (verify):
 * X-Andon-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>, X-Andon-Timestamp: <unix seconds>.
 * A request older or newer than the tolerance is refused (replay window), whatever its signature.
 */
export const REPLAY_HEADERS = { signature: "x-andon-signature", timestamp: "x-andon-timestamp", idempotencyKey: "idempotency-key" } as const;
export const REPLAY_TOLERANCE_S = 300;

export function signReplay(secret: string, timestampS: number, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestampS}.${body}`).digest("hex")}`;
}

export function verifyReplay(opts: {
  secret: string;
  signature: string | undefined;
  timestamp: string | undefined;
  body: string;
  nowS?: number;
  toleranceS?: number;
}): "ok" | "stale" | "bad_signature" {
  const ts = Number(opts.timestamp);
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  if (!Number.isInteger(ts) || Math.abs(now - ts) > (opts.toleranceS ?? REPLAY_TOLERANCE_S)) return "stale";
  const expected = Buffer.from(signReplay(opts.secret, ts, opts.body));
  const given = Buffer.from(opts.signature ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected) ? "ok" : "bad_signature";
}
