import { getToken } from "next-auth/jwt";
import { type NextRequest, NextResponse } from "next/server";

/**
 * First gate (Next 16 proxy, formerly middleware): no session ⇒ pages redirect to sign-in, API
 * routes answer 401 JSON. Route handlers still check the user and the policy themselves.
 * Connector-facing APIs authenticate with their own keys and are excluded here.
 */
export async function proxy(req: NextRequest) {
  const token = await getToken({ req, secret: process.env.NEXTAUTH_SECRET });
  if (token) return NextResponse.next();
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
  matcher: ["/((?!login|api/auth|api/health|api/ingest|api/connectors|_next/|favicon\\.ico|icon\\.svg|socket\\.io).*)"],
};
