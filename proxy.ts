import { getToken } from "next-auth/jwt";
import { type NextRequest, NextResponse } from "next/server";
import { isValidCallbackUrl, withoutInvalidCallbackCookies } from "./server/auth/callback-url";

/**
 * First gate (Next 16 proxy, formerly middleware): no session ⇒ pages redirect to sign-in, API
 * routes answer 401 JSON. Route handlers still check the user and the policy themselves.
 * Connector-facing APIs authenticate with their own keys and are excluded here.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF: a browser always sends Origin (and Sec-Fetch-Site) on a cross-site request; a mutation whose
 * origin is not the portal's own is refused before any handler runs. Session cookies are SameSite=Lax
 * besides. Requests without Origin (connectors, scripts) carry no ambient browser credentials.
 */
function crossSiteMutation(req: NextRequest): boolean {
  if (SAFE_METHODS.has(req.method)) return false;
  if (req.headers.get("sec-fetch-site") === "cross-site") return true;
  const origin = req.headers.get("origin");
  if (!origin) return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true;
  }
  const own = [req.headers.get("host"), req.nextUrl.host, process.env.NEXTAUTH_URL ? new URL(process.env.NEXTAUTH_URL).host : null];
  return !own.includes(host);
}

/** Sign-in and next-auth's own routes: open to everyone, only their callback URL is checked here. */
const SIGN_IN = /^\/(login|api\/auth)(\/|$)/;
const NEXT_AUTH = /^\/api\/auth(\/|$)/;

/**
 * The request passed on, without a callback-URL cookie next-auth would answer 500 to (tampered or
 * corrupted: treated as absent); the browser is told to forget that cookie.
 */
function passOn(req: NextRequest): NextResponse {
  const { header, dropped } = withoutInvalidCallbackCookies(req.headers.get("cookie"));
  if (!dropped.length) return NextResponse.next();
  const headers = new Headers(req.headers);
  if (header) headers.set("cookie", header);
  else headers.delete("cookie");
  const res = NextResponse.next({ request: { headers } });
  for (const name of dropped) res.cookies.set(name, "", { path: "/", maxAge: 0, secure: name.startsWith("__Secure-") });
  return res;
}

export async function proxy(req: NextRequest) {
  if (SIGN_IN.test(req.nextUrl.pathname)) {
    if (NEXT_AUTH.test(req.nextUrl.pathname) && req.nextUrl.searchParams.getAll("callbackUrl").some((u) => !isValidCallbackUrl(u))) {
      return NextResponse.json({ error: { code: "invalid_callback_url", message: "callbackUrl must be a path or an http(s) URL" } }, { status: 400 });
    }
    return passOn(req);
  }
  if (crossSiteMutation(req)) {
    return NextResponse.json({ error: { code: "cross_site_request", message: "Cross-site requests are refused" } }, { status: 403 });
  }
  const token = await getToken({ req, secret: process.env.NEXTAUTH_SECRET });
  if (token) return passOn(req);
  if (req.nextUrl.pathname.startsWith("/api/")) {
    return NextResponse.json({ error: { code: "unauthorized", message: "Sign in to continue" } }, { status: 401 });
  }
  const url = req.nextUrl.clone();
  url.pathname = "/login";
  url.search = "";
  const back = req.nextUrl.pathname + req.nextUrl.search;
  if (back !== "/") url.searchParams.set("callbackUrl", back);
  return NextResponse.redirect(url);
}

export const config = {
  matcher: ["/((?!api/health|api/ingest|api/connectors|_next/|favicon\\.ico|icon\\.svg|socket\\.io).*)"],
};
