import NextAuth from "next-auth";
import { NextRequest, NextResponse } from "next/server";
import { credentialsSchema } from "@/server/auth/credentials";
import { authOptions } from "@/server/auth/options";
import { AppError } from "@/server/http/errors";
import { handler } from "@/server/http/handler";

const nextAuth = NextAuth(authOptions);
type Ctx = { params: Promise<{ nextauth: string[] }> };

/**
 * GET is next-auth's, but for two answers it gets wrong with a 500: a GET of the credentials callback
 * (that sign-in is a POST), and an `error` it copies unescaped into the redirect's Location header
 * (a CR/LF or non-ASCII there throws): that one becomes next-auth's generic "Default".
 */
export async function GET(req: NextRequest, ctx: Ctx) {
  const { nextauth } = await ctx.params;
  if (nextauth[0] === "callback" && nextauth[1] === "credentials") {
    return NextResponse.json(
      { error: { code: "method_not_allowed", message: "Sign in with a POST to this URL" } },
      { status: 405, headers: { allow: "POST" } },
    );
  }
  const url = new URL(req.url);
  if (nextauth[0] === "error" && !/^[A-Za-z]*$/.test(url.searchParams.get("error") ?? "")) {
    url.searchParams.set("error", "Default");
    return nextAuth(new NextRequest(url, { headers: req.headers }), ctx);
  }
  return nextAuth(req, ctx);
}

/**
 * Credentials sign-in gets its body validated first: a malformed body is a 400 with a message. The body
 * is capped like every other (handler), before anyone is signed in.
 */
export const POST = handler(async (req: Request, ctx: Ctx) => {
  const { nextauth } = await ctx.params;
  if (nextauth[0] === "callback" && nextauth[1] === "credentials") {
    const body = await readBody(req.clone());
    const parsed = body && credentialsSchema.safeParse(body);
    if (!parsed?.success) {
      const message = parsed
        ? parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ")
        : "Body must be a form or JSON object with email and password";
      return NextResponse.json({ error: { code: "invalid_request", message } }, { status: 400 });
    }
  }
  return nextAuth(req, ctx);
});

async function readBody(req: Request): Promise<Record<string, unknown> | null> {
  const type = req.headers.get("content-type") ?? "";
  try {
    if (type.includes("application/json")) {
      const value: unknown = await req.json();
      return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
    }
    if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) {
      return Object.fromEntries(await req.formData());
    }
  } catch (err) {
    if (err instanceof AppError) throw err; // over the cap: 413, not "malformed"
    return null;
  }
  return null;
}
