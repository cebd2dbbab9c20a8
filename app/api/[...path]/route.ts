import { NextResponse } from "next/server";

// Unknown API routes answer JSON 404 (not the HTML not-found page).
function notFound(req: Request) {
  const { pathname } = new URL(req.url);
  return NextResponse.json({ error: { code: "not_found", message: `No API route ${req.method} ${pathname}` } }, { status: 404 });
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
