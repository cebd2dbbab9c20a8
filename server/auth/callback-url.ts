/**
 * next-auth's callback URL (the `callbackUrl` parameter, the `next-auth.callback-url` cookie) is
 * whatever the browser sends. next-auth answers 500 ("a problem with the server configuration") to
 * any that is not an http(s) URL or a path, on every route that reads the session, and its default
 * redirect throws on one that is not a URL at all. The proxy drops such a cookie before next-auth
 * sees it and refuses such a parameter (400); the redirect callback never throws.
 */
export const CALLBACK_COOKIES = ["next-auth.callback-url", "__Secure-next-auth.callback-url"];

/** next-auth's own rule (assertConfig): an http(s) URL, or a path on the portal. */
export function isValidCallbackUrl(value: string): boolean {
  try {
    return /^https?:$/.test(new URL(value, value.startsWith("/") ? "http://portal.invalid" : undefined).protocol);
  } catch {
    return false;
  }
}

/** next-auth's redirect callback: a path or a URL of the portal, anything else (a foreign or malformed URL) the portal itself. */
export function safeRedirect({ url, baseUrl }: { url: string; baseUrl: string }): string {
  if (url.startsWith("/")) return `${baseUrl}${url}`;
  try {
    return new URL(url).origin === baseUrl ? url : baseUrl;
  } catch {
    return baseUrl;
  }
}

/**
 * The Cookie header without callback-URL cookies next-auth would choke on (not percent-decodable, or
 * not a URL); `dropped` names them (empty: the header is unchanged).
 */
export function withoutInvalidCallbackCookies(header: string | null): { header: string; dropped: string[] } {
  if (!header) return { header: header ?? "", dropped: [] };
  const dropped: string[] = [];
  const kept = header.split(";").filter((pair) => {
    const at = pair.indexOf("=");
    const name = (at === -1 ? pair : pair.slice(0, at)).trim();
    if (!CALLBACK_COOKIES.includes(name)) return true;
    let value: string;
    try {
      value = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      value = "";
    }
    if (at !== -1 && isValidCallbackUrl(value)) return true;
    dropped.push(name);
    return false;
  });
  return { header: dropped.length ? kept.map((p) => p.trim()).join("; ") : header, dropped };
}
