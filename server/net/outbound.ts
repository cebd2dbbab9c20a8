import { lookup } from "node:dns/promises";
import http, { type IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { outboundAllowHttp } from "../config";

/**
 * The one way Andon sends HTTP requests to addresses someone else chose (push replays to a connector's
 * endpoint, alert webhooks). A destination is refused when any address its name resolves to is not
 * public unicast (loopback, private, link-local and cloud metadata, unique-local, CGNAT, multicast, ...),
 * unless an administrator allowed private destinations for that connector or webhook; plain http is
 * refused unless the deployment allows it (ANDON_OUTBOUND_ALLOW_HTTP, on in demo mode) or private
 * destinations are allowed. The request then goes to the address that was checked (so a name that
 * resolves differently a moment later cannot switch the target), never follows redirects (a 3xx is
 * answered like any other status), ends after `timeoutMs` in all and reads at most `maxResponseBytes`.
 */

export type OutboundRefusedReason = "bad_url" | "http_not_allowed" | "private_address";
export type OutboundFailedReason = "dns" | "timeout" | "network" | "aborted";

/** The destination is not allowed: sending again will not help until the URL or the allow flag changes. */
export class OutboundRefused extends Error {
  constructor(
    readonly reason: OutboundRefusedReason,
    message: string,
    readonly address?: string,
  ) {
    super(message);
    this.name = "OutboundRefused";
  }
}

/** The request was allowed but did not complete (name not resolved, timeout, connection trouble). */
export class OutboundFailed extends Error {
  constructor(
    readonly reason: OutboundFailedReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "OutboundFailed";
  }
}

export type OutboundOptions = {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** An administrator allowed private, loopback and link-local destinations (and plain http) for this target. */
  allowPrivate?: boolean;
  /** Plain http to public addresses; default: ANDON_OUTBOUND_ALLOW_HTTP (on in demo mode). */
  allowHttp?: boolean;
  /** The whole exchange: name resolution, connection, request and response body. */
  timeoutMs?: number;
  /** Body bytes read at most; beyond them the connection is closed and the result says `truncated`. */
  maxResponseBytes?: number;
  signal?: AbortSignal;
};

export type OutboundResponse = { status: number; headers: IncomingHttpHeaders; bodyText: string; truncated: boolean };
export type CheckedDestination = { url: URL; host: string; addresses: { address: string; family: 4 | 6 }[] };

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * The range an IP address is in, by ipaddr.js's names ("unicast" for public addresses; "loopback",
 * "private", "linkLocal", "uniqueLocal", "carrierGradeNat", "multicast", "unspecified", "reserved", ...).
 * IPv4-mapped IPv6 addresses are classified as the IPv4 address they carry; IPv4-compatible ones
 * (::a.b.c.d, deprecated) as "ipv4Compatible"; anything unparsable as "invalid".
 */
export function addressRange(address: string): string {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  if (!ipaddr.isValid(bare) || !isIP(bare)) return "invalid";
  const ip = ipaddr.process(bare);
  if (ip.kind() === "ipv6") {
    const parts = (ip as ipaddr.IPv6).parts;
    if (parts.slice(0, 6).every((p) => p === 0) && (parts[6] !== 0 || (parts[7] ?? 0) > 1)) return "ipv4Compatible";
  }
  return ip.range();
}

/** Whether an address is public unicast: the only kind reachable without an administrator's permission. */
export function isPublicAddress(address: string): boolean {
  return addressRange(address) === "unicast";
}

function parseUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new OutboundRefused("bad_url", "Not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new OutboundRefused("bad_url", `Only http(s) URLs can be called, not ${url.protocol}`);
  if (!url.hostname) throw new OutboundRefused("bad_url", "The URL has no host");
  return url;
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Checks a destination without calling it: URL shape, scheme, and every address its host resolves to.
 * Throws OutboundRefused (not allowed) or OutboundFailed("dns") (the name does not resolve).
 */
export async function checkDestination(
  input: string | URL,
  opts: { allowPrivate?: boolean; allowHttp?: boolean; signal?: AbortSignal } = {},
): Promise<CheckedDestination> {
  const url = parseUrl(input);
  const allowPrivate = opts.allowPrivate ?? false;
  if (url.protocol === "http:" && !(opts.allowHttp ?? outboundAllowHttp()) && !allowPrivate) {
    throw new OutboundRefused("http_not_allowed", `${url.host}: plain http is not allowed here, use https`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: CheckedDestination["addresses"];
  const literal = isIP(host);
  if (literal) addresses = [{ address: host, family: literal as 4 | 6 }];
  else {
    try {
      const found = await raceSignal(lookup(host, { all: true, verbatim: true }), opts.signal ?? new AbortController().signal);
      addresses = found.map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
    } catch (err) {
      if (opts.signal?.aborted) throw err;
      throw new OutboundFailed("dns", `${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
    }
    if (addresses.length === 0) throw new OutboundFailed("dns", `${host} does not resolve`);
  }
  if (!allowPrivate) {
    for (const a of addresses) {
      const range = addressRange(a.address);
      if (range !== "unicast") {
        const via = literal ? "" : ` (${host} resolves to ${a.address})`;
        throw new OutboundRefused(
          "private_address",
          `${literal ? a.address : host} is not a public address${via}: ${range}; an administrator must allow private destinations for it`,
          a.address,
        );
      }
    }
  }
  return { url, host, addresses };
}

// Kept-alive connections are pooled by the address actually connected to (the request's host is the
// checked IP), so a pooled socket is only reused for that same, already checked, address.
const agents = {
  "http:": new http.Agent({ keepAlive: true, timeout: 4_000 }),
  "https:": new https.Agent({ keepAlive: true, timeout: 4_000 }),
};

/** Sends one request to a checked destination; see the module comment for the rules. */
export async function outboundRequest(input: string | URL, opts: OutboundOptions = {}): Promise<OutboundResponse> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const controller = new AbortController();
  const timeout = new OutboundFailed("timeout", `no complete answer within ${timeoutMs} ms`);
  const timer = setTimeout(() => controller.abort(timeout), timeoutMs);
  const onOuterAbort = () => controller.abort(new OutboundFailed("aborted", "the request was cancelled"));
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener("abort", onOuterAbort, { once: true });
  try {
    const dest = await checkDestination(input, { allowPrivate: opts.allowPrivate, allowHttp: opts.allowHttp, signal: controller.signal });
    return await send(dest, opts, maxBytes, controller.signal);
  } catch (err) {
    if (err instanceof OutboundRefused || err instanceof OutboundFailed) throw err;
    if (controller.signal.aborted && controller.signal.reason instanceof OutboundFailed) throw controller.signal.reason;
    const e = err as NodeJS.ErrnoException;
    throw new OutboundFailed("network", e.code ? `${e.code}: ${e.message}` : e.message, { cause: err });
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onOuterAbort);
  }
}

function send(dest: CheckedDestination, opts: OutboundOptions, maxBytes: number, signal: AbortSignal): Promise<OutboundResponse> {
  const { url, host } = dest;
  const target = dest.addresses[0]!;
  const body = typeof opts.body === "string" ? Buffer.from(opts.body) : opts.body;
  const headers: Record<string, string> = { ...opts.headers, host: url.host };
  if (body) headers["content-length"] = String(body.byteLength);
  const request = url.protocol === "https:" ? https.request : http.request;
  return new Promise<OutboundResponse>((resolve, reject) => {
    const req = request({
      protocol: url.protocol,
      host: target.address, // the checked address: no second name resolution
      family: target.family,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: opts.method ?? "GET",
      headers,
      auth: url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined,
      agent: agents[url.protocol as "http:" | "https:"],
      signal,
      // TLS: the certificate is checked against the name in the URL, not the address connected to.
      ...(url.protocol === "https:" && !isIP(host) ? { servername: host } : {}),
    });
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      const finish = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bodyText: Buffer.concat(chunks).toString("utf8"), truncated });
      res.on("data", (chunk: Buffer) => {
        if (truncated) return;
        const room = maxBytes - size;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, room));
          size = maxBytes;
          truncated = true;
          res.destroy(); // stop reading: the rest is never downloaded
          finish();
          return;
        }
        chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", finish);
      res.on("error", (err) => (truncated ? undefined : reject(err)));
    });
    req.end(body);
  });
}
